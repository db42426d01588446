//! What a file is for, what salience calls it, and why a file was not
//! parsed: small vocabularies stored by name.

use std::fmt;

macro_rules! named_enum {
    ($(#[$meta:meta])* $ty:ident { $($(#[$doc:meta])* $variant:ident = $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $ty {
            $($(#[$doc])* $variant,)*
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The stored name.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }

            #[must_use]
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $ty::from_name(&name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("'{}' is not a ", stringify!($ty)),
                        name
                    ))
                })
            }
        }
    };
}

named_enum! {
    /// Code that is not production code, by what its path says it is for.
    FileRole {
        Test = "test",
        Example = "example",
        Benchmark = "benchmark",
        Generated = "generated",
        Vendored = "vendored",
        /// Code kept with the documentation (`docs/` or `documentation/`
        /// at the root): a documentation site's scripts, its configuration.
        Documentation = "documentation",
    }
}

named_enum! {
    /// Salience's verdict on a file: its role when it is not production
    /// code, else the first class that applies (see homer-update's
    /// `salience` module for the thresholds).
    SalienceClass {
        Test = "test",
        Example = "example",
        Benchmark = "benchmark",
        Generated = "generated",
        Vendored = "vendored",
        Documentation = "documentation",
        Hotspot = "hotspot",
        KnowledgeSilo = "knowledge silo",
        LoadBearingQuiet = "load-bearing and quiet",
        FrequentlyChanged = "frequently changed",
        Peripheral = "peripheral",
        Ordinary = "ordinary",
    }
}

impl From<FileRole> for SalienceClass {
    fn from(role: FileRole) -> Self {
        match role {
            FileRole::Test => SalienceClass::Test,
            FileRole::Example => SalienceClass::Example,
            FileRole::Benchmark => SalienceClass::Benchmark,
            FileRole::Generated => SalienceClass::Generated,
            FileRole::Vendored => SalienceClass::Vendored,
            FileRole::Documentation => SalienceClass::Documentation,
        }
    }
}

named_enum! {
    /// Why a file that may hold code was not parsed.
    SkipReason {
        /// Larger than `[code] max_file_bytes`.
        TooLarge = "too_large",
        /// NUL bytes near the start.
        Binary = "binary",
        /// Lines longer on average than `[code] max_average_line`.
        LongLines = "long_lines",
        /// A generator's marker in its first lines.
        MarkedGenerated = "marked_generated",
        /// The blob is not in the repository (a partial clone).
        Unreadable = "unreadable",
        /// Not a language Homer reads.
        NotALanguage = "not_a_language",
        /// Its first lines say it is a copy of another project's code
        /// (`Vendored into hiredis…`, `Copied from https://…`).
        MarkedVendored = "marked_vendored",
    }
}

impl SkipReason {
    /// The reason in words, for notes and `homer status`.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "larger than [code] max_file_bytes",
            SkipReason::Binary => "binary",
            SkipReason::LongLines => "minified or generated (long lines)",
            SkipReason::MarkedGenerated => "generated (marked as such)",
            SkipReason::Unreadable => "unreadable (missing from the repository)",
            SkipReason::NotALanguage => "not a language Homer parses",
            SkipReason::MarkedVendored => "vendored (marked as such)",
        }
    }

    /// Whether the file said it is not the project's own code: a
    /// generator's output or a copy of another project's.
    #[must_use]
    pub fn is_marked_foreign(self) -> bool {
        matches!(
            self,
            SkipReason::MarkedGenerated | SkipReason::MarkedVendored
        )
    }

    /// Whether a person should hear about it: a file that looks like code
    /// and was not read. Files in languages Homer does not read are many
    /// and expected.
    #[must_use]
    pub fn is_notable(self) -> bool {
        self != SkipReason::NotALanguage
    }
}

impl FileRole {
    /// What a path says a file is for, when it is not production code:
    /// tests, examples, benchmarks, generated code, vendored code and code
    /// in the root's documentation directory are kept out of the top of
    /// rankings.
    #[must_use]
    pub fn of_path(path: &str) -> Option<FileRole> {
        // Asked of every code file of a repository for each task context:
        // no string is made unless the path has capitals.
        let lower: std::borrow::Cow<'_, str> = if path.bytes().any(|b| b.is_ascii_uppercase()) {
            path.to_ascii_lowercase().into()
        } else {
            path.into()
        };
        let (dirs, file) = match lower.rsplit_once('/') {
            Some((dirs, file)) => (Some(dirs), file),
            None => (None, &*lower),
        };
        // One pass over the directories: which kinds of them the path is in.
        let (mut vendored, mut generated, mut test, mut bench, mut example) =
            (false, false, false, false, false);
        let mut first = None;
        for part in dirs.into_iter().flat_map(|d| d.split('/')) {
            first.get_or_insert(part);
            vendored |= matches!(
                part,
                "vendor" | "vendored" | "third_party" | "third-party" | "node_modules"
            );
            generated |= matches!(part, "generated" | "__generated__");
            test |= matches!(
                part,
                "test"
                    | "tests"
                    | "__tests__"
                    | "spec"
                    | "specs"
                    | "testing"
                    | "testdata"
                    | "fixtures"
                    | "e2e"
                    | "runtime-tests"
                    | "mocks"
                    | "__mocks__"
            );
            // `benches`, `benchmarks`, `benchsuite`...
            bench |= part.starts_with("bench");
            example |= matches!(
                part,
                "examples" | "example" | "samples" | "sample" | "demo" | "demos"
            );
        }
        if vendored {
            return Some(FileRole::Vendored);
        }
        let stem = file.split('.').next().unwrap_or(file);
        // Whether `.{word}.` is in the file name: `word` is one of its
        // dot-separated pieces, neither the first nor the last.
        let inner = |word: &str| {
            let mut pieces = file.split('.');
            pieces.next();
            let mut pieces = pieces.peekable();
            while let Some(piece) = pieces.next() {
                if pieces.peek().is_some() && piece == word {
                    return true;
                }
            }
            false
        };
        let generated_name = file.ends_with(".pb.go")
            || file.ends_with("_pb2.py")
            || file.ends_with("_pb2_grpc.py")
            || inner("generated")
            || inner("gen")
            || stem.ends_with("_generated");
        if generated_name || generated {
            return Some(FileRole::Generated);
        }
        let test_name = stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || stem.ends_with("_spec")
            || inner("test")
            || inner("spec")
            || matches!(
                stem,
                "test"
                    | "tests"
                    | "conftest"
                    | "testing"
                    | "testutil"
                    | "test_util"
                    | "mock"
                    | "mocks"
                    | "mocked"
            )
            || java_like_test(path);
        if test_name || test {
            return Some(FileRole::Test);
        }
        if bench {
            return Some(FileRole::Benchmark);
        }
        if example {
            return Some(FileRole::Example);
        }
        // At the root only, and not `doc/`: a `doc` directory is often a
        // package that generates documentation (cobra's `doc/`, ripgrep's
        // `crates/core/flags/doc/`), production code like any other.
        if first.is_some_and(|d| matches!(d, "docs" | "documentation")) {
            return Some(FileRole::Documentation);
        }
        None
    }
}

/// The files that stand for a community of the dependency graph, given
/// its members with their PageRank: its production files (all of them
/// when it has none), most central first, ties in path order. The graph
/// stage names a community after the first [`NAMED_BY`] of them; `homer
/// render` lists them as its key files.
#[must_use]
pub fn community_key_files<'a>(members: &[(&'a str, f64)]) -> Vec<&'a str> {
    let production: Vec<(&str, f64)> = members
        .iter()
        .copied()
        .filter(|(p, _)| FileRole::of_path(p).is_none())
        .collect();
    let mut key = if production.is_empty() {
        members.to_vec()
    } else {
        production
    };
    key.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    key.into_iter().map(|(p, _)| p).collect()
}

/// The key files a community's name is chosen among.
pub const NAMED_BY: usize = 3;

/// Whether a node name (a path, or `path::qualified`) is outside
/// production code: in a file with a role, or in a `tests` module inside a
/// production file (Rust's `mod tests`).
#[must_use]
pub fn outside_production(name: &str) -> bool {
    role_of_name(name).is_some()
}

/// The role of a node name (a path, or `path::qualified`) outside
/// production code: its file's, or test for a `tests` module inside a
/// production file (Rust's `mod tests`).
#[must_use]
pub fn role_of_name(name: &str) -> Option<FileRole> {
    let (path, qualified) = name.split_once("::").unwrap_or((name, ""));
    FileRole::of_path(path).or_else(|| {
        (qualified.starts_with("tests::")
            || qualified.contains("::tests::")
            || qualified == "tests")
            .then_some(FileRole::Test)
    })
}

/// Whether a node name (a path, or `path::qualified`) is test code: in a
/// test file, or in a `tests` module inside a production file.
#[must_use]
pub fn is_test(name: &str) -> bool {
    let (path, qualified) = name.split_once("::").unwrap_or((name, ""));
    FileRole::of_path(path) == Some(FileRole::Test)
        || qualified.starts_with("tests::")
        || qualified.contains("::tests::")
        || qualified == "tests"
}

/// Whether a test file is one that tests use rather than one a test runner
/// runs: a fixture, helper or mock (`conftest.py`, `testing.py`,
/// `tests/utils.py`, `test/support/utils.js`, `spec_helper.rb`,
/// `test_helper.rb`, `testutil.go`), by its name, its directory, or, in
/// Python and Go, by
/// not being named as the runner collects tests (`test_*.py`, `*_test.py`,
/// `*_test.go`, `tests.py`). A call into it reaches the tests only
/// through their calls to it.
#[must_use]
pub fn is_test_support(path: &str) -> bool {
    if FileRole::of_path(path) != Some(FileRole::Test) {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let (dirs, file) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let (stem, extension) = file.rsplit_once('.').unwrap_or((file, ""));
    let stem = stem.split('.').next().unwrap_or(stem);
    // `test_helper.rb` is minitest's; `test_helpers.py`, `test_utils.py`
    // are tests of helpers.
    if stem == "test_helper" && extension != "py" {
        return true;
    }
    if matches!(
        stem,
        "conftest"
            | "testing"
            | "testutil"
            | "testutils"
            | "spec_helper"
            | "helper"
            | "helpers"
            | "util"
            | "utils"
            | "mock"
            | "mocks"
            | "mocked"
    ) {
        return true;
    }
    if dirs.split('/').any(|d| {
        matches!(
            d,
            "support" | "helpers" | "fixtures" | "testdata" | "mocks" | "__mocks__"
        )
    }) {
        return true;
    }
    match extension {
        // pytest's `test_*.py` and `*_test.py`; unittest's and Django's
        // `tests.py`.
        "py" => {
            !(stem.starts_with("test_")
                || stem.ends_with("_test")
                || matches!(stem, "test" | "tests"))
        }
        "go" => !stem.ends_with("_test"),
        _ => false,
    }
}

/// The name of the file a test file is named for, lowercase, by the
/// conventions of the languages: `test_parse.py`, `parse_test.go`,
/// `parse.test.ts`, `parse_spec.rb`, `ParseTest.java`, `ParseTests.cs`,
/// `TestParse.kt`, `ParseSpec.scala` and `tests/parse.rs` are all named
/// for `parse`. `None` for a file that is not a test file, or whose name
/// names nothing else (`tests/common.rs` is named for `common` all the
/// same: a caller matches names, not meaning).
#[must_use]
pub fn tested_name(path: &str) -> Option<String> {
    if FileRole::of_path(path) != Some(FileRole::Test) {
        return None;
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    // `parse.test.ts`, `parse.spec.js`: the stem is already the name.
    let dotted = file.contains(".test.") || file.contains(".spec.");
    let lower = stem.to_ascii_lowercase();
    let name = if dotted {
        lower
    } else if let Some(rest) = lower.strip_prefix("test_") {
        rest.to_owned()
    } else if let Some(rest) = ["_test", "_tests", "_spec"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
    {
        rest.to_owned()
    } else if let Some(rest) = ["Test", "Tests", "Spec"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
        .filter(|rest| !rest.is_empty())
    {
        rest.to_ascii_lowercase()
    } else if let Some(rest) = stem
        .strip_prefix("Test")
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        rest.to_ascii_lowercase()
    } else {
        // `tests/parse.rs`, `spec/parse.rb`: in a test directory, named
        // as what it tests.
        lower
    };
    let name = name
        .trim_matches(|c: char| c == '_' || c == '-')
        .replace('-', "_");
    (!name.is_empty() && !matches!(name.as_str(), "test" | "tests" | "spec" | "specs"))
        .then_some(name)
}

/// `FooTest.java`, `FooTests.cs`, `TestFoo.kt`: the JUnit and NUnit
/// naming, in its own case (`Contest.java` is not a test).
fn java_like_test(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "java" | "cs" | "kt")
        && (stem.ends_with("Test")
            || stem.ends_with("Tests")
            || stem
                .strip_prefix("Test")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_named_for_what_they_test() {
        for (path, name) in [
            ("tests/test_parse.py", Some("parse")),
            ("pkg/parse_test.go", Some("parse")),
            ("src/parse.test.ts", Some("parse")),
            ("src/__tests__/parse.spec.js", Some("parse")),
            ("spec/parse_spec.rb", Some("parse")),
            ("src/test/java/com/x/ParseTest.java", Some("parse")),
            ("Tests/ParseTests.cs", Some("parse")),
            ("src/test/kotlin/TestParse.kt", Some("parse")),
            ("src/test/scala/ParseSpec.scala", Some("parse")),
            ("tests/parse.rs", Some("parse")),
            ("tests/multi-word_test.go", Some("multi_word")),
            ("tests/test.py", None),
            ("src/parse.py", None),
            ("tests/spec.rb", None),
        ] {
            assert_eq!(tested_name(path).as_deref(), name, "{path}");
        }
    }

    #[test]
    fn roles_by_path() {
        for (path, role) in [
            ("tests/util.rs", Some(FileRole::Test)),
            ("benchsuite/benchsuite", Some(FileRole::Benchmark)),
            ("src/foo_test.go", Some(FileRole::Test)),
            ("lib/app.test.ts", Some(FileRole::Test)),
            ("test_models.py", Some(FileRole::Test)),
            ("src/test/java/FooTest.java", Some(FileRole::Test)),
            ("src/main/java/Contest.java", None),
            ("spec/models/user_spec.rb", Some(FileRole::Test)),
            ("vendor/github.com/x/y.go", Some(FileRole::Vendored)),
            ("api/v1/service.pb.go", Some(FileRole::Generated)),
            ("benches/parse.rs", Some(FileRole::Benchmark)),
            ("examples/auth/index.js", Some(FileRole::Example)),
            ("docs/js/typeahead.jquery.js", Some(FileRole::Documentation)),
            ("documentation/conf.py", Some(FileRole::Documentation)),
            ("doc/examples/x.py", Some(FileRole::Example)),
            ("doc/man_docs.go", None),
            ("crates/core/flags/doc/man.rs", None),
            ("src/docs/page.js", None),
            ("src/doc.go", None),
            ("src/docs.rs", None),
            ("src/latest.rs", None),
            ("src/attestation.py", None),
            ("tokio/src/loom/mocked.rs", Some(FileRole::Test)),
            ("src/__mocks__/fs.js", Some(FileRole::Test)),
            ("src/mockito.rs", None),
        ] {
            assert_eq!(FileRole::of_path(path), role, "{path}");
        }
    }

    #[test]
    fn fixtures_and_helpers_are_not_tests_to_run() {
        for (path, support) in [
            ("tests/conftest.py", true),
            ("src/click/testing.py", true),
            ("tests/utils.py", true),
            ("tests/testserver/server.py", true),
            ("test/support/utils.js", true),
            ("spec/spec_helper.rb", true),
            ("internal/testutil/testutil.go", true),
            ("tests/fixtures/data.json", true),
            ("tests/test_requests.py", false),
            ("tests/test_utils.py", false),
            ("test/test_helper.rb", true),
            ("tests/requests_test.py", false),
            ("app/tests.py", false),
            ("cmd/root_test.go", false),
            ("test/app.router.js", false),
            ("src/context.test.ts", false),
            ("spec/user_spec.rb", false),
            ("tests/cli.rs", false),
            ("src/utils.py", false),
        ] {
            assert_eq!(is_test_support(path), support, "{path}");
        }
    }

    #[test]
    fn rust_test_modules_are_outside_production() {
        assert!(outside_production("src/lib.rs::tests::parses"));
        assert!(outside_production("src/lib.rs::tests"));
        assert!(!outside_production("src/lib.rs::Parser::tests_done"));
        assert!(outside_production("tests/cli.rs::run"));
    }

    #[test]
    fn names_round_trip() {
        for &r in SkipReason::ALL {
            assert_eq!(SkipReason::from_name(r.name()), Some(r));
        }
        for &c in SalienceClass::ALL {
            assert_eq!(SalienceClass::from_name(c.name()), Some(c));
        }
        for &r in FileRole::ALL {
            assert_eq!(SalienceClass::from(r).name(), r.name());
        }
    }
}
