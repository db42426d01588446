//! The tags tier's queries: definitions, calls and comments (for docs),
//! nothing else. Names are resolved by the guessing rules alone, among the
//! files of the same language in the same directory. Written for Homer
//! from each grammar's node types; the capture names are the module doc's
//! in `lang/mod.rs`.

use crate::Language;

const ELIXIR: &str = r#"
(comment) @comment

(call
  target: (identifier) @keyword
  (arguments . (alias) @name)
  (#any-of? @keyword "defmodule" "defprotocol")) @def.module
(call
  target: (identifier) @keyword
  (arguments . [
    (call target: (identifier) @name)
    (binary_operator left: (call target: (identifier) @name))
    (identifier) @name
  ])
  (#any-of? @keyword "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate")) @def.function

(call
  target: (identifier) @call.name
  (#not-any-of? @call.name "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp"
    "defdelegate" "defmodule" "defprotocol" "defimpl" "defstruct" "defexception"
    "alias" "import" "require" "use" "quote" "unquote" "case" "cond" "if" "unless"
    "for" "with" "try" "receive" "raise" "reraise" "throw" "fn"
    "moduledoc" "doc" "spec" "type" "typep" "opaque" "callback" "impl" "behaviour")) @call
(call
  target: (dot left: (alias) @call.receiver right: (identifier) @call.name)) @call
"#;

const ERLANG: &str = r"
(comment) @comment

(fun_decl clause: (function_clause name: (atom) @name)) @def.function
(record_decl name: (atom) @name) @def.struct
(type_alias name: (type_name name: (_) @name)) @def.type
(opaque name: (type_name name: (_) @name)) @def.type

(call expr: (atom) @call.name) @call
(remote
  module: (remote_module module: (atom) @call.receiver)
  fun: (call expr: (atom) @call.name) @call)
";

const HASKELL: &str = r"
(haddock) @comment
(comment) @comment

(function name: (variable) @name) @def.function
(bind name: (variable) @name) @def.function
(signature name: (variable) @name) @def.function
(data_type name: (name) @name) @def.type
(newtype name: (name) @name) @def.type
(type_synonym name: (name) @name) @def.type
(class name: (name) @name) @def.trait

(apply function: (variable) @call.name) @call
(apply function: (qualified module: (_) @call.receiver id: (variable) @call.name)) @call
";

const ZIG: &str = r"
(comment) @comment

(function_declaration name: (identifier) @name) @def.function
(variable_declaration (identifier) @name . (struct_declaration)) @def.struct
(variable_declaration (identifier) @name . (enum_declaration)) @def.enum
(variable_declaration (identifier) @name . (union_declaration)) @def.struct

(call_expression function: (identifier) @call.name) @call
(call_expression function: (field_expression object: (_) @call.receiver member: (identifier) @call.name)) @call
";

const DART: &str = r"
(documentation_comment) @comment
(comment) @comment

(class_declaration name: (identifier) @name) @def.class
(mixin_declaration name: (identifier) @name) @def.class
(extension_declaration name: (identifier) @name) @def.class
(enum_declaration name: (identifier) @name) @def.enum
(function_declaration signature: (function_signature name: (identifier) @name)) @def.function
(method_declaration signature: (method_signature (function_signature name: (identifier) @name))) @def.method
(method_declaration signature: (method_signature (getter_signature name: (identifier) @name))) @def.method
(method_declaration signature: (method_signature (setter_signature name: (identifier) @name))) @def.method
(member_declaration (declaration (function_signature name: (identifier) @name))) @def.method
(annotation) @attribute

(call_expression function: (identifier) @call.name) @call
(call_expression function: (member_expression object: (_) @call.receiver property: (identifier) @call.name)) @call
";

const R: &str = r#"
(comment) @comment

(binary_operator lhs: (identifier) @name operator: ["<-" "=" "<<-"] rhs: (function_definition)) @def.function

(call function: (identifier) @call.name) @call
(call function: (namespace_operator lhs: (identifier) @call.receiver rhs: (identifier) @call.name)) @call
"#;

const ELM: &str = r"
(block_comment) @comment
(line_comment) @comment

(value_declaration (function_declaration_left . (lower_case_identifier) @name)) @def.function
(type_declaration name: (upper_case_identifier) @name) @def.type
(type_alias_declaration name: (upper_case_identifier) @name) @def.type
(port_annotation name: (lower_case_identifier) @name) @def.function

(function_call_expr target: (value_expr name: (value_qid . (lower_case_identifier) @call.name .))) @call
(function_call_expr target: (value_expr name: (value_qid (upper_case_identifier) @call.receiver (lower_case_identifier) @call.name .))) @call
";

const NIX: &str = r"
(comment) @comment

(binding attrpath: (attrpath . attr: (identifier) @name .) expression: (function_expression)) @def.function

(apply_expression function: (variable_expression name: (identifier) @call.name)) @call
(apply_expression function: (select_expression
  expression: (variable_expression name: (identifier) @call.receiver)
  attrpath: (attrpath attr: (identifier) @call.name .))) @call
";

const HCL: &str = r#"
(comment) @comment

(block (identifier) @keyword . (string_lit) . (string_lit (template_literal) @name)
  (#any-of? @keyword "resource" "data")) @def.struct
(block (identifier) @keyword . (string_lit (template_literal) @name) . (block_start)
  (#eq? @keyword "module")) @def.module

(function_call (identifier) @call.name) @call
"#;

const SOLIDITY: &str = r"
(comment) @comment

(contract_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(library_declaration name: (identifier) @name) @def.module
(struct_declaration name: (identifier) @name) @def.struct
(enum_declaration name: (identifier) @name) @def.enum
(event_definition name: (identifier) @name) @def.type
(function_definition name: (identifier) @name) @def.function
(modifier_definition name: (identifier) @name) @def.function

(call_expression function: (expression (identifier) @call.name)) @call
(call_expression function: (expression (member_expression object: (_) @call.receiver property: (identifier) @call.name))) @call
(emit_statement name: (expression (identifier) @call.name)) @call
(modifier_invocation . (identifier) @call.name) @call
";

const GLEAM: &str = r"
(statement_comment) @comment
(comment) @comment

(function name: (identifier) @name) @def.function
(external_function name: (identifier) @name) @def.function
(type_definition (type_name name: (type_identifier) @name)) @def.type
(type_alias (type_name name: (type_identifier) @name)) @def.type

(function_call function: (identifier) @call.name) @call
(function_call function: (field_access record: (identifier) @call.receiver field: (label) @call.name)) @call
";

pub(crate) fn source(language: Language) -> &'static str {
    match language {
        Language::Elixir => ELIXIR,
        Language::Erlang => ERLANG,
        Language::Haskell => HASKELL,
        Language::Zig => ZIG,
        Language::Dart => DART,
        Language::R => R,
        Language::Elm => ELM,
        Language::Nix => NIX,
        Language::Hcl => HCL,
        Language::Solidity => SOLIDITY,
        Language::Gleam => GLEAM,
        // The full tier's queries are in `queries.rs`.
        _ => "",
    }
}
