//! The tree-sitter query of each language (capture names: see `lang`).

// Every query is written `r#"..."#`, whether or not it holds a quote.
#![allow(clippy::needless_raw_string_hashes)]
//!
//! When two patterns capture the same definition node, the first pattern
//! wins, so specific patterns come before general ones.

use crate::Language;

const RUST: &str = r#"
(line_comment) @comment
(block_comment) @comment
(attribute_item) @attribute

(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.struct
(union_item name: (type_identifier) @name) @def.struct
(enum_item name: (type_identifier) @name) @def.enum
(trait_item name: (type_identifier) @name) @def.trait
(type_item name: (type_identifier) @name) @def.type
(mod_item name: (identifier) @name body: (declaration_list)) @def.module
(macro_definition name: (identifier) @name) @def.macro
(impl_item type: [
  (type_identifier) @scope.name
  (generic_type type: (type_identifier) @scope.name)
  (generic_type type: (scoped_type_identifier name: (type_identifier) @scope.name))
  (scoped_type_identifier name: (type_identifier) @scope.name)
]) @scope

(call_expression function: (identifier) @call.name) @call
(call_expression function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name)) @call
(call_expression function: (scoped_identifier path: (_) @call.path name: (identifier) @call.name)) @call
(call_expression function: (generic_function function: (identifier) @call.name)) @call
(call_expression function: (generic_function function: (scoped_identifier path: (_) @call.path name: (identifier) @call.name))) @call
(call_expression function: (generic_function function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name))) @call
(macro_invocation macro: (identifier) @call.name) @call
(macro_invocation macro: (scoped_identifier path: (_) @call.path name: (identifier) @call.name)) @call
(struct_expression name: (type_identifier) @construct.name) @construct
(struct_expression name: (scoped_type_identifier path: (_) @call.path name: (type_identifier) @construct.name)) @construct

(parameter pattern: (identifier) @bind.name type: (_) @bind.type) @bind
(field_declaration name: (field_identifier) @bind.name type: (_) @bind.type) @bind
(let_declaration pattern: [(identifier) (mut_pattern (identifier))] @bind.name type: (_) @bind.type) @bind
(let_declaration pattern: [(identifier) (mut_pattern (identifier))] @bind.name !type value: (struct_expression name: (_) @bind.type)) @bind
(let_declaration pattern: [(identifier) (mut_pattern (identifier))] @bind.name !type value: (call_expression) @bind.type) @bind
; A type parameter's bounds, as a binding of its name whose type starts
; with `:` (`Ix` of `<Ix: IndexType>`, `where Ix: IndexType`): a call on a
; value of that type, or through it (`Ix::new`), is the bound trait's.
(type_parameter name: (type_identifier) @bind.name bounds: (trait_bounds) @bind.type) @bind
(where_predicate left: (type_identifier) @bind.name bounds: (trait_bounds) @bind.type) @bind
(type_identifier) @type.name

; Macro arguments are token trees, not expressions: `println!("{}", f(x))`
; hides the call. A name right before a parenthesized token tree is one.
; An anchor lets punctuation stand between (`x, (y)`), so the extractor
; also checks that only the separator does (`@call.args`).
(token_tree (identifier) @call.name @call . (token_tree . "(") @call.args)
(token_tree (identifier) @call.path . "::" . (identifier) @call.name @call . (token_tree . "(") @call.args)
(token_tree (identifier) @call.receiver . "." . (identifier) @call.name @call . (token_tree . "(") @call.args)

(use_declaration) @import
(mod_item !body) @import
(extern_crate_declaration) @import
"#;

const PYTHON: &str = r#"
(comment) @comment
(decorator) @attribute

(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class

(call function: (identifier) @call.name) @call
(call function: (attribute object: (_) @call.receiver attribute: (identifier) @call.name)) @call

(typed_parameter (identifier) @bind.name type: (type) @bind.type) @bind
(typed_default_parameter name: (identifier) @bind.name type: (type) @bind.type) @bind
(assignment left: [(identifier) (attribute object: (identifier))] @bind.name type: (type) @bind.type) @bind
(assignment left: [(identifier) (attribute object: (identifier))] @bind.name !type right: (call function: [(identifier) (attribute)]) @bind.type) @bind
(parameters (identifier) @bind.name @bind)
(default_parameter name: (identifier) @bind.name) @bind
(lambda_parameters (identifier) @bind.name @bind)
(assignment left: (identifier) @bind.name) @bind
(assignment left: (pattern_list (identifier) @bind.name @bind))
(for_statement left: (identifier) @bind.name) @bind
(for_statement left: (pattern_list (identifier) @bind.name @bind))

(import_statement) @import
(import_from_statement) @import
"#;

/// Shared by JavaScript, TypeScript and TSX.
const JS_COMMON: &str = r#"
(comment) @comment
(decorator) @attribute
(export_statement declaration: (_) @exported)
(export_statement declaration: (lexical_declaration (variable_declarator) @exported))
(export_statement declaration: (variable_declaration (variable_declarator) @exported))
(class_body (method_definition) @exported)

(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @def.method
(function_expression name: (identifier) @name) @def.function
(generator_function name: (identifier) @name) @def.function
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression !name) (generator_function !name)]) @def.function
(assignment_expression
  left: (member_expression object: (_) @qualifier property: (property_identifier) @name)
  right: [(function_expression !name) (arrow_function) (generator_function !name)]) @def.function
(assignment_expression
  left: (member_expression object: (_) @qualifier)
  right: [(function_expression name: (identifier) @name) (generator_function name: (identifier) @name)]) @def.function
(pair key: (property_identifier) @name value: [(function_expression !name) (arrow_function) (generator_function !name)]) @def.function

(variable_declarator name: (identifier) @bind.name) @bind
(variable_declarator name: (array_pattern (identifier) @bind.name @bind))
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @bind.name @bind))

(call_expression function: (identifier) @call.name) @call
(call_expression function: (member_expression object: (_) @call.receiver property: (property_identifier) @call.name)) @call
(new_expression constructor: (identifier) @construct.name) @construct
(new_expression constructor: (member_expression object: (_) @call.receiver property: (property_identifier) @construct.name)) @construct

(import_statement) @import
(export_statement source: (_)) @import
(variable_declarator
  name: (identifier) @require.alias
  value: (call_expression
    function: (identifier) @require.fn
    arguments: (arguments . (string (string_fragment) @require.path) .))
  (#eq? @require.fn "require")) @require
(call_expression
  function: (identifier) @require.fn
  arguments: (arguments . (string (string_fragment) @require.path) .)
  (#eq? @require.fn "require")) @require
"#;

const JAVASCRIPT: &str = r#"
(variable_declarator name: (identifier) @bind.name value: (call_expression) @bind.type) @bind
(formal_parameters (identifier) @bind.name @bind)
(variable_declarator name: (identifier) @bind.name value: (new_expression constructor: [(identifier) (member_expression)] @bind.type)) @bind
(class_declaration name: (identifier) @name) @def.class
(variable_declarator name: (identifier) @name value: (class)) @def.class
"#;

const TYPESCRIPT: &str = r#"
(variable_declarator name: (identifier) @bind.name !type value: (new_expression constructor: [(identifier) (member_expression)] @bind.type)) @bind
(variable_declarator name: (identifier) @bind.name !type value: (call_expression) @bind.type) @bind
(variable_declarator name: (identifier) @bind.name type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @bind.type)) @bind
(required_parameter pattern: (identifier) @bind.name type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @bind.type)) @bind
(optional_parameter pattern: (identifier) @bind.name type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @bind.type)) @bind
(required_parameter pattern: (identifier) @bind.name) @bind
(optional_parameter pattern: (identifier) @bind.name) @bind
(public_field_definition name: (property_identifier) @bind.name type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @bind.type)) @bind
(public_field_definition name: (property_identifier) @bind.name !type value: (new_expression constructor: [(identifier) (member_expression)] @bind.type)) @bind
(class_declaration name: (type_identifier) @name) @def.class
(abstract_class_declaration name: (type_identifier) @name) @def.class
(interface_declaration name: (type_identifier) @name) @def.interface
(type_alias_declaration name: (type_identifier) @name) @def.type
(enum_declaration name: (identifier) @name) @def.enum
(internal_module name: (_) @name) @def.module
(module name: (_) @name) @def.module
(method_signature name: (property_identifier) @name) @def.method
(abstract_method_signature name: (property_identifier) @name) @def.method
(function_signature name: (identifier) @name) @def.function
(type_identifier) @type.name
"#;

const GO: &str = r#"
(comment) @comment

(function_declaration name: (identifier) @name) @def.function
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @qualifier
    (pointer_type (type_identifier) @qualifier)
    (generic_type type: (type_identifier) @qualifier)
    (pointer_type (generic_type type: (type_identifier) @qualifier))
  ]))
  name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name type: (struct_type)) @def.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @def.interface
(type_spec name: (type_identifier) @name) @def.type
(type_alias name: (type_identifier) @name) @def.type
(method_elem name: (field_identifier) @name) @def.method

(call_expression function: (identifier) @call.name) @call
(call_expression function: (selector_expression operand: (_) @call.receiver field: (field_identifier) @call.name)) @call
(composite_literal type: (type_identifier) @construct.name) @construct
(composite_literal type: (qualified_type package: (package_identifier) @call.receiver name: (type_identifier) @construct.name)) @construct

(parameter_declaration name: (identifier) @bind.name type: [(type_identifier) (pointer_type) (qualified_type) (generic_type) (slice_type) (array_type) (map_type)] @bind.type) @bind
(field_declaration name: (field_identifier) @bind.name type: [(type_identifier) (pointer_type) (qualified_type) (generic_type) (slice_type) (array_type) (map_type)] @bind.type) @bind
(var_spec name: (identifier) @bind.name type: [(type_identifier) (pointer_type) (qualified_type) (generic_type) (slice_type) (array_type) (map_type)] @bind.type) @bind
(short_var_declaration left: (expression_list . (identifier) @bind.name .) right: (expression_list . (composite_literal type: (_) @bind.type) .)) @bind
(short_var_declaration left: (expression_list . (identifier) @bind.name .) right: (expression_list . (call_expression) @bind.type .)) @bind
(short_var_declaration left: (expression_list . (identifier) @bind.name .) right: (expression_list . (unary_expression operand: (composite_literal type: (_) @bind.type)) .)) @bind
(range_clause left: (expression_list . (_) . (identifier) @bind.name .) right: (_) @bind.each) @bind
(short_var_declaration left: (expression_list . (identifier) @bind.name . (_)) right: (expression_list . (call_expression) @bind.type .)) @bind
(short_var_declaration left: (expression_list (_) . (identifier) @bind.name .) right: (expression_list . (call_expression) @bind.last .)) @bind
(type_identifier) @type.name

(import_declaration) @import
(package_clause (package_identifier) @package)
"#;

const JAVA: &str = r#"
(line_comment) @comment
(block_comment) @comment
(interface_body (method_declaration) @exported)

(class_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(annotation_type_declaration name: (identifier) @name) @def.interface
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.method

(method_invocation !object name: (identifier) @call.name) @call
(method_invocation object: (_) @call.receiver name: (identifier) @call.name) @call
(object_creation_expression type: (type_identifier) @construct.name) @construct
(object_creation_expression type: (generic_type (type_identifier) @construct.name)) @construct

(formal_parameter type: [(type_identifier) (generic_type) (scoped_type_identifier)] @bind.type name: (identifier) @bind.name) @bind
(local_variable_declaration type: [(type_identifier) (generic_type) (scoped_type_identifier)] @bind.type declarator: (variable_declarator name: (identifier) @bind.name)) @bind
(local_variable_declaration type: (type_identifier) @keyword declarator: (variable_declarator name: (identifier) @bind.name value: (object_creation_expression type: (_) @bind.type)) (#eq? @keyword "var")) @bind
(local_variable_declaration type: (type_identifier) @keyword declarator: (variable_declarator name: (identifier) @bind.name value: (method_invocation) @bind.type) (#eq? @keyword "var")) @bind
(field_declaration type: [(type_identifier) (generic_type) (scoped_type_identifier)] @bind.type declarator: (variable_declarator name: (identifier) @bind.name)) @bind
(enhanced_for_statement type: [(type_identifier) (generic_type) (scoped_type_identifier)] @bind.type name: (identifier) @bind.name) @bind
(type_identifier) @type.name

(import_declaration) @import
(package_declaration [(identifier) (scoped_identifier)] @package)
"#;

/// C's and C++'s parameters, the same in both grammars.
const C_PARAMETERS: &str = r#"
; A function's parameter hides what is outside under its name: calling
; it calls the function it points to. Only a definition's: a prototype
; inside a class is no scope of the methods beside it.
(function_definition declarator: [
  (function_declarator parameters: (parameter_list (parameter_declaration declarator: [
    (identifier) @bind.name
    (pointer_declarator declarator: (identifier) @bind.name)
    (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @bind.name)))]) @bind))
  ; A function returning a pointer or a reference.
  (_ (function_declarator parameters: (parameter_list (parameter_declaration declarator: [
    (identifier) @bind.name
    (pointer_declarator declarator: (identifier) @bind.name)
    (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @bind.name)))]) @bind)))])

"#;

const C: &str = r#"
(comment) @comment

(function_definition declarator: (function_declarator declarator: (identifier) @name)) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @def.function
(function_definition declarator: (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))) @def.function
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.struct
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(type_definition declarator: (type_identifier) @name) @def.type

(call_expression function: (identifier) @call.name) @call
(call_expression function: (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)) @call
(type_identifier) @type.name
(preproc_include) @import
"#;

const CPP: &str = r#"
(comment) @comment
(template_declaration parameters: (template_parameter_list) @attribute)

(function_definition declarator: (function_declarator declarator: (qualified_identifier scope: (_) @qualifier name: (identifier) @name))) @def.method
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @def.function
(function_definition declarator: (function_declarator declarator: (field_identifier) @name)) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @def.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name))) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (field_identifier) @name))) @def.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (field_identifier) @name))) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier scope: (_) @qualifier name: (identifier) @name)))) @def.method
(function_definition declarator: (reference_declarator (function_declarator declarator: (qualified_identifier scope: (_) @qualifier name: (identifier) @name)))) @def.method
(function_definition declarator: (function_declarator declarator: [(operator_name) (destructor_name)] @name)) @def.function
(function_definition declarator: (function_declarator declarator: (qualified_identifier scope: (_) @qualifier name: [(operator_name) (destructor_name)] @name))) @def.method
(function_definition declarator: (reference_declarator (function_declarator declarator: (operator_name) @name))) @def.function
(function_definition declarator: (operator_cast) @name) @def.function
(function_definition declarator: (qualified_identifier scope: (_) @qualifier name: (operator_cast) @name)) @def.method
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (operator_name) @name))) @def.function
(class_specifier name: (type_identifier) @name body: (_)) @def.class
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(class_specifier name: (template_type name: (type_identifier) @name) body: (_)) @def.class
(struct_specifier name: (template_type name: (type_identifier) @name) body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.struct
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(namespace_definition name: (namespace_identifier) @name) @def.module
(alias_declaration name: (type_identifier) @name) @def.type
(type_definition declarator: (type_identifier) @name) @def.type

(call_expression function: (identifier) @call.name) @call
(call_expression function: (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)) @call
(call_expression function: (qualified_identifier scope: (_) @call.path name: (identifier) @call.name)) @call
(call_expression function: (template_function name: (identifier) @call.name)) @call
(new_expression type: (type_identifier) @construct.name) @construct
(type_identifier) @type.name
(preproc_include) @import
"#;

const CSHARP: &str = r#"
(comment) @comment
(attribute_list) @attribute
(compilation_unit [(class_declaration) (struct_declaration) (interface_declaration) (enum_declaration) (record_declaration) (delegate_declaration)] @exported)
(namespace_declaration body: (declaration_list [(class_declaration) (struct_declaration) (interface_declaration) (enum_declaration) (record_declaration) (delegate_declaration)] @exported))
(interface_declaration body: (declaration_list (method_declaration) @exported))

(class_declaration name: (identifier) @name) @def.class
(struct_declaration name: (identifier) @name) @def.struct
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(delegate_declaration name: (identifier) @name) @def.type
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.method
(namespace_declaration name: (_) @name) @def.module

(invocation_expression function: (identifier) @call.name) @call
(invocation_expression function: (member_access_expression expression: (_) @call.receiver name: (identifier) @call.name)) @call
(invocation_expression function: (generic_name (identifier) @call.name)) @call
(object_creation_expression type: (identifier) @construct.name) @construct
; A method's parameter (a delegate) hides what is outside under its name
; (not a lambda's: a lambda is no definition, its scope unknown here).
(method_declaration parameters: (parameter_list (parameter name: (identifier) @bind.name) @bind))
(constructor_declaration parameters: (parameter_list (parameter name: (identifier) @bind.name) @bind))
(local_function_statement parameters: (parameter_list (parameter name: (identifier) @bind.name) @bind))
; And a local variable (a delegate).
(local_declaration_statement (variable_declaration (variable_declarator name: (identifier) @bind.name))) @bind

(using_directive) @import
(file_scoped_namespace_declaration name: (_) @package)
"#;

const RUBY: &str = r#"
(comment) @comment

(method name: (_) @name) @def.function
(singleton_method name: (_) @name) @def.method
(class name: [(constant) @name (scope_resolution name: (constant) @name)]) @def.class
(module name: [(constant) @name (scope_resolution name: (constant) @name)]) @def.module

(call !receiver method: (identifier) @call.name) @call
(call receiver: (_) @call.receiver method: (identifier) @call.name) @call

(call
  method: (identifier) @require.fn
  arguments: (argument_list . (string (string_content) @require.path) .)
  (#any-of? @require.fn "require" "require_relative")) @require
"#;

const KOTLIN: &str = r#"
(line_comment) @comment
(block_comment) @comment
(annotation) @attribute

(class_declaration "interface" name: (identifier) @name) @def.interface
(class_declaration name: (identifier) @name) @def.class
(object_declaration name: (identifier) @name) @def.class
(function_declaration name: (identifier) @name) @def.function

(call_expression . (identifier) @call.name) @call
(call_expression . (navigation_expression . (_) @call.receiver (identifier) @call.name .)) @call
; A parameter (a function value) hides what is outside under its name,
; and so does a local value or variable.
(parameter . (identifier) @bind.name) @bind
(block (property_declaration (variable_declaration . (identifier) @bind.name)) @bind)

(import) @import
(package_header (qualified_identifier) @package)
"#;

const SWIFT: &str = r#"
(comment) @comment
(multiline_comment) @comment
(attribute) @attribute

(class_declaration declaration_kind: "struct" name: (type_identifier) @name) @def.struct
(class_declaration declaration_kind: "enum" name: (type_identifier) @name) @def.enum
(class_declaration declaration_kind: "extension" name: (user_type (type_identifier) @scope.name)) @scope
(class_declaration name: (type_identifier) @name) @def.class
(protocol_declaration name: (type_identifier) @name) @def.interface
(function_declaration name: (simple_identifier) @name) @def.function
(protocol_function_declaration name: (simple_identifier) @name) @def.method
(init_declaration name: "init" @name) @def.method
(property_declaration name: (pattern bound_identifier: (simple_identifier) @name) computed_value: (computed_property)) @def.method

; A call has arguments in parentheses or a trailing closure; `xs[i]`, a
; subscript, has the same shape with brackets and calls nothing.
(call_expression . (simple_identifier) @call.name . (call_suffix . [(value_arguments "(") (lambda_literal)])) @call
(call_expression . (navigation_expression target: (_) @call.receiver suffix: (navigation_suffix suffix: (simple_identifier) @call.name)) . (call_suffix . [(value_arguments "(") (lambda_literal)])) @call
; A parameter (a closure: `completion`) hides what is outside under its
; name, and so does a local constant or variable.
(parameter name: (simple_identifier) @bind.name) @bind
(statements (property_declaration name: (pattern bound_identifier: (simple_identifier) @bind.name)) @bind)

(import_declaration) @import
"#;

const PHP: &str = r#"
(comment) @comment
(attribute_list) @attribute

(function_definition name: (name) @name) @def.function
(class_declaration name: (name) @name) @def.class
(interface_declaration name: (name) @name) @def.interface
(trait_declaration name: (name) @name) @def.trait
(enum_declaration name: (name) @name) @def.enum
(method_declaration name: (name) @name) @def.method

(function_call_expression function: (name) @call.name) @call
(function_call_expression function: (qualified_name (name) @call.name .)) @call
(member_call_expression object: (_) @call.receiver name: (name) @call.name) @call
(nullsafe_member_call_expression object: (_) @call.receiver name: (name) @call.name) @call
(scoped_call_expression scope: (_) @call.receiver name: (name) @call.name) @call
(object_creation_expression (name) @construct.name) @construct
(object_creation_expression (qualified_name (name) @construct.name .)) @construct

(namespace_use_declaration) @import
(require_expression) @import
(require_once_expression) @import
(include_expression) @import
(include_once_expression) @import
(namespace_definition name: (namespace_name) @package)
"#;

const SCALA: &str = r#"
(comment) @comment
(block_comment) @comment
(annotation) @attribute

(class_definition name: (identifier) @name) @def.class
(object_definition name: (identifier) @name) @def.class
(trait_definition name: (identifier) @name) @def.trait
(enum_definition name: (identifier) @name) @def.enum
(function_definition name: (identifier) @name) @def.function
(function_declaration name: (identifier) @name) @def.function

(call_expression function: (identifier) @call.name) @call
(call_expression function: (field_expression value: (_) @call.receiver field: (identifier) @call.name)) @call
(instance_expression (type_identifier) @construct.name) @construct
; A parameter (a function value) hides what is outside under its name,
; and so does a local value or variable.
(parameter name: (identifier) @bind.name) @bind
(block (val_definition pattern: (identifier) @bind.name) @bind)
(block (var_definition pattern: (identifier) @bind.name) @bind)

(import_declaration) @import
(package_clause name: (package_identifier) @package)
"#;

const LUA: &str = r#"
(comment) @comment

(function_declaration name: (identifier) @name) @def.function
(function_declaration name: (dot_index_expression table: (_) @qualifier field: (identifier) @name)) @def.function
(function_declaration name: (method_index_expression table: (_) @qualifier method: (identifier) @name)) @def.method
(assignment_statement
  (variable_list . name: (identifier) @name .)
  (expression_list . value: (function_definition) .)) @def.function
(assignment_statement
  (variable_list . name: (dot_index_expression table: (_) @qualifier field: (identifier) @name) .)
  (expression_list . value: (function_definition) .)) @def.function
(field name: (identifier) @name value: (function_definition)) @def.function
; A default kept unless already set: `f = f or function() … end`.
(assignment_statement
  (variable_list . name: (identifier) @name .)
  (expression_list . value: (binary_expression left: (_) right: (function_definition)) .)) @def.function
(assignment_statement
  (variable_list . name: (dot_index_expression table: (_) @qualifier field: (identifier) @name) .)
  (expression_list . value: (binary_expression left: (_) right: (function_definition)) .)) @def.function
(field name: (identifier) @name value: (binary_expression left: (_) right: (function_definition))) @def.function
; A function stored under a computed key: `ffi[name] = function() … end`.
(assignment_statement
  (variable_list . name: (bracket_index_expression table: (identifier)) @name .)
  (expression_list . value: (function_definition) .)) @def.function

(function_call name: (identifier) @call.name) @call
(function_call name: (dot_index_expression table: (_) @call.receiver field: (identifier) @call.name)) @call
(function_call name: (method_index_expression table: (_) @call.receiver method: (identifier) @call.name)) @call
; A named function's parameter (a callback) hides what is outside under
; its name (not an anonymous function's: it is no definition, its scope
; unknown here).
(function_declaration parameters: (parameters name: (identifier) @bind.name @bind))

(assignment_statement
  (variable_list . name: (identifier) @require.alias .)
  (expression_list . value: (function_call
    name: (identifier) @require.fn
    arguments: (arguments . (string content: (string_content) @require.path) .)) .)
  (#eq? @require.fn "require")) @require
(function_call
  name: (identifier) @require.fn
  arguments: (arguments . (string content: (string_content) @require.path) .)
  (#eq? @require.fn "require")) @require
"#;

const BASH: &str = r#"
(comment) @comment

(function_definition name: (word) @name) @def.function

(command name: (command_name (word) @call.name)) @call

(command name: (command_name (word) @call.name) (#any-of? @call.name "source" ".")) @import
"#;

/// The query text of `language`.
pub(crate) fn source(language: Language) -> String {
    match language {
        Language::Rust => RUST.to_owned(),
        Language::Python => PYTHON.to_owned(),
        Language::JavaScript => format!("{JAVASCRIPT}{JS_COMMON}"),
        Language::TypeScript | Language::Tsx => format!("{TYPESCRIPT}{JS_COMMON}"),
        Language::Go => GO.to_owned(),
        Language::Java => JAVA.to_owned(),
        Language::C => format!("{C}{C_PARAMETERS}"),
        Language::Cpp => format!("{CPP}{C_PARAMETERS}"),
        Language::CSharp => CSHARP.to_owned(),
        Language::Ruby => RUBY.to_owned(),
        Language::Kotlin => KOTLIN.to_owned(),
        Language::Swift => SWIFT.to_owned(),
        Language::Php => PHP.to_owned(),
        Language::Scala => SCALA.to_owned(),
        Language::Lua => LUA.to_owned(),
        Language::Bash => BASH.to_owned(),
        _ => super::tags::source(language).to_owned(),
    }
}
