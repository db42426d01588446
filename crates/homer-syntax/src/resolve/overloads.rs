//! Java overloads told apart by the types of a call's arguments, as far
//! as the source says them plainly: a literal, a declared variable or
//! field, a construction or cast, another call's declared return type.
//!
//! Only what is certainly so decides: an overload is left out when an
//! argument's type certainly cannot be passed to its parameter (a
//! `String` to a `TypeName`, a class of the project to a parameter of
//! another class it does not extend, a library's type to a class of the
//! project), and one overload whose every parameter is exactly its
//! argument's type is Java's choice (the most specific there can be).
//! Whatever is unknown keeps an overload in.

use super::{DefRef, FileCtx, TypeRef, signature};
use crate::{Argument, Reference};

/// What an argument's type is known to be.
enum ArgType<'p> {
    Unknown,
    Null,
    /// A type of the project, and whether it is certainly that one.
    Project(DefRef<'p>, bool),
    /// A type from outside (a literal's, a library's), by simple name.
    Outside(String),
}

/// How an argument fits a parameter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// The parameter's type is the argument's, certainly.
    Exact,
    /// It may or may not be passed.
    Maybe,
    /// It certainly cannot be passed.
    No,
}

/// Whether a value of `arg`, a primitive or a final class of the JDK, can
/// be passed as `parameter` (its own type, a boxing, a widening, an
/// interface it implements); `None` when `arg` is neither: nothing but
/// these takes such a value.
fn jdk_passes(arg: &str, parameter: &str) -> Option<bool> {
    const ANY: &[&str] = &["Object", "Serializable", "Comparable", "Constable"];
    const NUMBER: &[&str] = &["Number", "ConstantDesc"];
    let (own, number, widened): (&[&str], bool, &[&str]) = match arg {
        "String" => (&["String", "CharSequence", "ConstantDesc"], false, &[]),
        "Class" => (
            &[
                "Class",
                "Type",
                "GenericDeclaration",
                "AnnotatedElement",
                "TypeDescriptor",
                "OfField",
            ],
            false,
            &[],
        ),
        "boolean" => (&["boolean", "Boolean"], false, &[]),
        "char" => (
            &["char", "Character"],
            false,
            &["int", "long", "float", "double"],
        ),
        "int" => (&["int", "Integer"], true, &["long", "float", "double"]),
        "long" => (&["long", "Long"], true, &["float", "double"]),
        "float" => (&["float", "Float"], true, &["double"]),
        "double" => (&["double", "Double"], true, &[]),
        _ => return None,
    };
    Some(
        own.contains(&parameter)
            || widened.contains(&parameter)
            || ANY.contains(&parameter)
            || (number && NUMBER.contains(&parameter)),
    )
}

fn primitive(name: &str) -> bool {
    matches!(
        name,
        "boolean" | "char" | "byte" | "short" | "int" | "long" | "float" | "double"
    )
}

/// The last segment of a dotted name.
fn simple(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl<'p> FileCtx<'_, 'p> {
    /// Of the overloads `candidates` (which all take the call's number of
    /// arguments), the ones its arguments may be passed to, those with the
    /// fixed arity before variadic, the most exactly fitting arguments first;
    /// only one when it is certainly Java's choice. `None` when the
    /// arguments tell nothing.
    pub(super) fn by_argument_types(
        &self,
        r: &Reference,
        candidates: &[DefRef<'p>],
    ) -> Option<Vec<DefRef<'p>>> {
        if r.arguments.is_empty() || candidates.len() < 2 {
            return None;
        }
        let args: Vec<ArgType<'p>> = r.arguments.iter().map(|a| self.arg_type(r, a)).collect();
        if args.iter().all(|a| matches!(a, ArgType::Unknown)) {
            return None;
        }
        // Per candidate: fixed arity, how many fit exactly, excluded.
        let mut scored: Vec<(DefRef<'p>, bool, usize)> = Vec::new();
        for &d in candidates {
            let Some(parameters) = self.parameters_of(d) else {
                scored.push((d, false, 0));
                continue;
            };
            let variadic = parameters.last().is_some_and(|p| p.1);
            let mut exact = 0;
            let mut excluded = false;
            for (i, a) in args.iter().enumerate() {
                // Past the last parameter, a variadic one takes the rest.
                let Some(&(parameter, _)) = parameters
                    .get(i)
                    .or_else(|| parameters.last().filter(|p| p.1))
                else {
                    excluded = true;
                    break;
                };
                // The values a variadic parameter gathers are never its
                // exact type (`Object...` is an array).
                let last_variadic = variadic && i + 1 >= parameters.len();
                match self.fit(d, a, parameter) {
                    Fit::Exact if !last_variadic => exact += 1,
                    Fit::No => {
                        excluded = true;
                        break;
                    }
                    _ => {}
                }
            }
            if !excluded {
                scored.push((d, !variadic, exact));
            }
        }
        if scored.is_empty() {
            return None;
        }
        // One fixed-arity overload taking every argument as exactly its
        // type: the most specific of all that apply, before any variadic one.
        let all_exact: Vec<DefRef<'p>> = scored
            .iter()
            .filter(|(_, fixed, exact)| *fixed && *exact == args.len())
            .map(|s| s.0)
            .collect();
        if let [only] = all_exact.as_slice() {
            return Some(vec![*only]);
        }
        // Java tries the overloads of fixed arity before the variadic ones.
        scored.sort_by_key(|(d, fixed, exact)| (!*fixed, std::cmp::Reverse(*exact), *d));
        Some(scored.into_iter().map(|s| s.0).collect())
    }

    /// What the source says of an argument's type where `r` is.
    fn arg_type(&self, r: &Reference, a: &Argument) -> ArgType<'p> {
        match a {
            Argument::Unknown => ArgType::Unknown,
            Argument::Null => ArgType::Null,
            Argument::Type(written) => self.written_type(written, true),
            Argument::Value(text) => {
                if let Some((TypeRef::Def(d), certain)) = self.type_of(r, text) {
                    return ArgType::Project(d, certain);
                }
                match self.binding_of(r, text) {
                    Some(b) if !b.type_name.is_empty() && !b.type_name.contains('(') => {
                        self.written_type(&b.type_name, false)
                    }
                    _ => ArgType::Unknown,
                }
            }
            Argument::Call(i) => {
                let resolved = self.resolved.borrow();
                let Some(Some(targets)) = resolved.get(*i as usize) else {
                    return ArgType::Unknown;
                };
                match self.returned_by(targets, false) {
                    Some((TypeRef::Def(d), certain)) => ArgType::Project(d, certain),
                    _ => ArgType::Unknown,
                }
            }
        }
    }

    /// A type written in this file: the project's, or a name from outside
    /// (a literal's type is always that).
    fn written_type(&self, written: &str, literal: bool) -> ArgType<'p> {
        let Some(name) = signature::type_name(written) else {
            return ArgType::Unknown;
        };
        if written.contains('[') {
            return ArgType::Unknown;
        }
        if primitive(name) || (literal && jdk_passes(name, name).is_some()) {
            return ArgType::Outside(name.to_owned());
        }
        match self.receiver_cached(name) {
            Some(super::Receiver::Type(TypeRef::Def(d), certain)) => ArgType::Project(d, certain),
            None if self.project.definitions_named(simple(name)).is_empty() => {
                ArgType::Outside(simple(name).to_owned())
            }
            _ => ArgType::Unknown,
        }
    }

    /// How an argument fits the parameter `written` of the overload `d`.
    fn fit(&self, d: DefRef<'p>, a: &ArgType<'p>, written: &str) -> Fit {
        let Some(name) = signature::type_name(written) else {
            return Fit::Maybe;
        };
        let array = written.contains("[]");
        // A type parameter of the method or of a class around it.
        let def = d.definition();
        let mut scope = Some(d.index);
        while let Some(s) = scope {
            let around = &d.facts.definitions[s as usize];
            if signature::type_parameters(around).contains(&name) {
                return Fit::Maybe;
            }
            scope = around.parent;
        }
        let parameter: Option<DefRef<'p>> = if primitive(name) || array {
            None
        } else {
            match self.type_written_in(d.file, d.facts, def.parent, name) {
                Some((TypeRef::Def(p), true)) => Some(p),
                Some(_) => return Fit::Maybe,
                None => None,
            }
        };
        match a {
            ArgType::Unknown => Fit::Maybe,
            ArgType::Null => {
                if primitive(name) && !array {
                    Fit::No
                } else {
                    Fit::Maybe
                }
            }
            ArgType::Outside(arg) => {
                if array {
                    return Fit::Maybe;
                }
                if parameter.is_some() {
                    // A library's type never extends one of the project.
                    return if self.project.definitions_named(arg).is_empty() {
                        Fit::No
                    } else {
                        Fit::Maybe
                    };
                }
                if simple(name) == arg {
                    return Fit::Exact;
                }
                match jdk_passes(arg, simple(name)) {
                    Some(false) => Fit::No,
                    None if primitive(name) => Fit::No,
                    _ => Fit::Maybe,
                }
            }
            ArgType::Project(arg, certain) => {
                if array || primitive(name) {
                    return Fit::No;
                }
                if parameter == Some(*arg) {
                    return if *certain { Fit::Exact } else { Fit::Maybe };
                }
                if simple(name) == "Object" {
                    return Fit::Maybe;
                }
                if *certain && self.extends(*arg, parameter, simple(name)) == Some(false) {
                    Fit::No
                } else {
                    Fit::Maybe
                }
            }
        }
    }

    /// Whether the project's type `t` extends or implements the type
    /// `parameter` (of the project) or `name` (from outside): `None` when
    /// its bases leave it open (one of them is not the project's).
    fn extends(&self, t: DefRef<'p>, parameter: Option<DefRef<'p>>, name: &str) -> Option<bool> {
        let mut open = false;
        let mut seen: Vec<DefRef<'p>> = vec![t];
        let mut at = 0;
        while at < seen.len() && seen.len() < 32 {
            let d = seen[at];
            at += 1;
            for base in signature::bases(d.definition(), crate::Language::Java) {
                if let Some((TypeRef::Def(b), sure)) =
                    self.type_written_in(d.file, d.facts, d.definition().parent, base)
                {
                    if Some(b) == parameter {
                        return Some(true);
                    }
                    // A base found by its name alone may be another one.
                    open |= !sure;
                    if !seen.contains(&b) {
                        seen.push(b);
                    }
                    continue;
                }
                // Named like the parameter's type but not found as it:
                // open, unless the parameter is from outside.
                let base_name = signature::type_name(base).map_or(base, simple);
                if base_name == name {
                    return parameter.is_none().then_some(true);
                }
                open = true;
            }
        }
        if at < seen.len() {
            return None;
        }
        // A library's class may implement a library's interface; it never
        // extends one of the project.
        if open && parameter.is_none() {
            return None;
        }
        Some(false)
    }
}
