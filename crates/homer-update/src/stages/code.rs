//! Code structure: the files at HEAD parsed into facts, their symbols, their
//! search chunks, and the resolution of their imports and calls across
//! files.
//!
//! Four task kinds:
//! - `parse(<blob>:<hint>)`, keyed by content (the blob id, and what the
//!   path says about the language), so a rename or a copy parses nothing
//!   and `homer update` never reads a blob whose id did not change. Its
//!   value is the file's facts (or why it was skipped); it writes no rows.
//! - `symbols(<path>)`: claims the file's symbol nodes (`path::qualified`)
//!   and the `defines` edge, from the parse output.
//! - `chunk(<path>)`: the search chunks of a file that may be text.
//! - `resolve(<path>)`: the file's imports, calls and dependencies. Its
//!   input is its own facts, what every file it depends on exports
//!   (definitions with headers, typed fields, imports: re-exports are
//!   followed), and the definitions anywhere of every name it may read
//!   (the names it uses, and those their headers and fields lead to: a
//!   return type, a base), so editing a callee's file re-resolves its
//!   callers, and a body-only edit re-resolves nothing but the edited
//!   file.
//!
//! A blob a partial clone lacks is parsed as unreadable and watched: when
//! it has been fetched, the tasks that read it run again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use homer_dag::{
    Declared, Engine, Signature, Sweep, Task, TaskError, TaskKind, Upstream, fingerprint,
};
use homer_git::{ObjectId, Repository};
use homer_store::{Chunk, EdgeKind, Embed, Member, NodeId, NodeKind, Role, TaskWriter, WriteTx};
use homer_syntax::{
    Attributes, DefKind, EXTRACTOR_VERSION, Extractor, FileFacts, Manifests, PathHint, Project,
    RESOLVER_VERSION, RefKind, detect_hinted, path_hint,
};
use homer_vocab::attrs::{self, DependsAttrs, FileAttrs, FileMode, SymbolAttrs, SymbolKind};
use homer_vocab::values::put;
use homer_vocab::{Checkpoint, SkipReason, keys};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UpdateError;
use crate::chunking::{self, About, ChunkData};
use crate::config::CodeConfig;

/// A type use counts this much toward a file dependency, a call its
/// confidence, an import 1.
const TYPE_WEIGHT: f64 = 0.5;

/// What a parse task produced.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Parsed {
    Facts(FileFacts),
    /// Not parsed, and why.
    Skipped(SkipReason),
}

/// What the code stage did, for the report.
#[derive(Debug, Default)]
pub(crate) struct CodeOutcome {
    pub skipped: BTreeMap<SkipReason, u64>,
}

impl CodeOutcome {
    /// What a user should hear about: files that look like code but were
    /// not parsed.
    pub(crate) fn notes(&self) -> Vec<String> {
        self.skipped
            .iter()
            .filter(|(reason, _)| reason.is_notable())
            .map(|(reason, n)| {
                format!(
                    "{n} {} not parsed: {}",
                    if *n == 1 { "file" } else { "files" },
                    reason.describe()
                )
            })
            .collect()
    }
}

/// A file at HEAD that may hold code.
struct Source {
    path: String,
    blob: ObjectId,
    /// What the path says about the language (a [`PathHint`] name).
    hint: &'static str,
    key: String,
}

/// The size and line-length limits a file must pass to be read.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Limits {
    max_file_bytes: u64,
    max_average_line: u64,
}

impl From<&CodeConfig> for Limits {
    fn from(config: &CodeConfig) -> Self {
        Limits {
            max_file_bytes: config.max_file_bytes,
            max_average_line: config.max_average_line,
        }
    }
}

impl Limits {
    /// Why `bytes` are not read as text, if they are not.
    fn screen(self, bytes: &[u8]) -> Option<SkipReason> {
        if bytes.len() as u64 > self.max_file_bytes {
            return Some(SkipReason::TooLarge);
        }
        if bytes[..bytes.len().min(8000)].contains(&0) {
            return Some(SkipReason::Binary);
        }
        let lines = memchr::memchr_iter(b'\n', bytes).count() as u64 + 1;
        if bytes.len() as u64 / lines > self.max_average_line {
            return Some(SkipReason::LongLines);
        }
        None
    }
}

/// The stage's signature depends on the files at HEAD (the tree stage's
/// signature), the `[code]` settings, and the blobs at HEAD the repository
/// lacks (a partial clone): known before the stage from the last run, and
/// stated again from what the stage found.
#[derive(Serialize)]
pub(crate) struct StageInputs<'a> {
    pub tree: Signature,
    pub config: &'a CodeConfig,
    pub missing: &'a BTreeSet<ObjectId>,
}

pub(crate) const KINDS: [TaskKind; 4] = [Parse::KIND, Symbols::KIND, Chunks::KIND, Resolve::KIND];

/// The kinds whose tasks write the graphs' nodes (a file's symbols, its
/// language) and edges (dependencies, calls).
const GRAPH_SHAPING: [TaskKind; 2] = [Symbols::KIND, Resolve::KIND];

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    tree: Signature,
    config: &CodeConfig,
) -> Result<(Signature, CodeOutcome), UpdateError> {
    let watched = watched_blobs(tx)?;
    let (fetched, still_missing): (BTreeSet<ObjectId>, BTreeSet<ObjectId>) =
        watched.iter().partition(|b| repo.has_object(**b));
    let mut stage = engine.begin_stage(
        tx,
        &Checkpoint::Stage("code").name(),
        &KINDS,
        &StageInputs {
            tree,
            config,
            missing: &still_missing,
        },
    )?;
    let mut outcome = CodeOutcome::default();
    if stage.skip() {
        return Ok((engine.end_stage(tx, stage)?, outcome));
    }
    let AtHead {
        sources,
        texts,
        manifests: manifest_blobs,
    } = files_at_head(tx, repo)?;
    let git_dir = repo.git_dir().to_path_buf();
    let limits = Limits::from(config);
    let sources_print = sources_print(config, &sources, &manifest_blobs);
    if sources_stand(&stage, tx, repo, &watched, &sources_print)? {
        run_texts(engine, tx, &git_dir, &texts, &sources, limits)?;
        return Ok((engine.end_stage(tx, stage)?, outcome));
    }
    let parsed = run_parse(engine, tx, &git_dir, &sources, limits, &fetched)?;
    let facts: BTreeMap<&str, &FileFacts> = sources
        .iter()
        .filter_map(|s| match parsed.get(&s.key)? {
            (_, Parsed::Facts(f)) => Some((s.path.as_str(), f)),
            (_, Parsed::Skipped(reason)) => {
                *outcome.skipped.entry(*reason).or_default() += 1;
                None
            }
        })
        .collect();
    let changed = run_symbols(engine, tx, &sources, &parsed)?;

    let mut manifests = Manifests::default();
    for (path, blob) in &manifest_blobs {
        // A manifest a partial clone lacks reads as empty (its blob is
        // watched, and read when it is there).
        let content = String::from_utf8_lossy(&repo.blob(*blob).unwrap_or_default()).into_owned();
        manifests.add(path, &content);
    }
    let project = Project::new(facts.iter().map(|(p, f)| (*p, *f)), &manifests);
    run_resolve(
        engine,
        tx,
        &project,
        &sources,
        &parsed,
        &changed.iter().map(String::as_str).collect(),
        // What resolution reads of the manifests, not their text (a
        // release that bumps every version re-resolves nothing), with the
        // crates the workspace's crate roots hand on under other names.
        fingerprint(&(
            &manifests,
            project
                .rust_crate_aliases()
                .iter()
                .map(|((root, name), krate)| [root.as_str(), name.as_str(), krate.as_str()])
                .collect::<Vec<_>>(),
        )),
    )?;
    graphs_moved(engine, tx)?;
    let fetched_paths: BTreeSet<&str> = texts
        .iter()
        .filter(|(_, blob)| fetched.contains(blob))
        .map(|(p, _)| p.as_str())
        .collect();
    run_chunks(
        engine,
        tx,
        &git_dir,
        &texts,
        &sources,
        &parsed,
        limits,
        &fetched_paths,
    )?;
    // Only a partial clone lacks blobs by design (and fetches them later):
    // only there is every blob at HEAD looked up.
    let missing: BTreeSet<ObjectId> = if repo.is_partial() {
        texts
            .iter()
            .map(|(_, blob)| *blob)
            .chain(sources.iter().map(|s| s.blob))
            .filter(|blob| !repo.has_object(*blob))
            .collect()
    } else {
        BTreeSet::new()
    };
    watch(tx, &missing)?;
    tx.set_checkpoint(&Checkpoint::CodeSources.name(), &sources_print)?;
    stage.restate(
        &KINDS,
        &StageInputs {
            tree,
            config,
            missing: &missing,
        },
    );
    Ok((engine.end_stage(tx, stage)?, outcome))
}

/// The files at HEAD the code stage reads: those that may hold code, those
/// that may be text, and the manifests.
struct AtHead {
    sources: Vec<Source>,
    texts: Vec<(String, ObjectId)>,
    manifests: Vec<(String, ObjectId)>,
}

fn files_at_head(tx: &WriteTx<'_>, repo: &Repository) -> Result<AtHead, UpdateError> {
    let mut sources = Vec::new();
    let mut texts = Vec::new();
    let mut manifest_blobs = Vec::new();
    let files = tx.current_nodes(NodeKind::File)?;
    // The root `.gitattributes` may name languages and mark files as
    // generated or vendored (linguist's attributes). A change to it
    // changes the tree, so the stage runs, and a file's new hint is in its
    // task key.
    let attributes = files
        .iter()
        .find(|f| f.name == ".gitattributes")
        .and_then(|f| f.content_hash.as_deref())
        .and_then(|h| <[u8; 20]>::try_from(h).ok())
        .and_then(|h| repo.blob(ObjectId::from_bytes(h)))
        .map(|bytes| Attributes::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    for file in files {
        // Every file at HEAD has its blob id as content hash.
        let blob = file
            .content_hash
            .as_deref()
            .and_then(|h| <[u8; 20]>::try_from(h).ok())
            .map(ObjectId::from_bytes)
            .ok_or_else(|| UpdateError::Corrupt {
                what: format!("the file node '{}'", file.name),
                message: "it has no blob id".to_owned(),
            })?;
        if Manifests::wants(&file.name) {
            manifest_blobs.push((file.name.clone(), blob));
        }
        let file_attrs: FileAttrs =
            attrs::decode(|| format!("file '{}'", file.name), file.attrs.as_deref())?;
        if file_attrs.mode == Some(FileMode::Symlink) {
            continue;
        }
        if may_be_text(&file.name) {
            texts.push((file.name.clone(), blob));
        }
        if let Some(hint) = attributes.hint(&file.name, path_hint(&file.name)).name() {
            sources.push(Source {
                key: format!("{blob}:{hint}"),
                path: file.name,
                blob,
                hint,
            });
        }
    }
    Ok(AtHead {
        sources,
        texts,
        manifests: manifest_blobs,
    })
}

/// The checkpoint listing the blobs at HEAD that could not be read.
fn watch_name() -> String {
    Checkpoint::Watch("code").name()
}

fn watched_blobs(tx: &WriteTx<'_>) -> Result<BTreeSet<ObjectId>, UpdateError> {
    let Some(text) = tx.checkpoint(&watch_name())? else {
        return Ok(BTreeSet::new());
    };
    text.split_whitespace()
        .map(|hex| {
            ObjectId::from_hex(hex).ok_or_else(|| UpdateError::Corrupt {
                what: "the list of missing blobs".to_owned(),
                message: format!("'{hex}' is not an object id"),
            })
        })
        .collect()
}

fn watch(tx: &WriteTx<'_>, missing: &BTreeSet<ObjectId>) -> Result<(), UpdateError> {
    if missing.is_empty() {
        tx.clear_checkpoint(&watch_name())?;
    } else {
        let list: Vec<String> = missing.iter().map(ObjectId::to_hex).collect();
        tx.set_checkpoint(&watch_name(), &list.join(" "))?;
    }
    Ok(())
}

/// One blob read as source code.
struct Parse;

#[derive(Serialize)]
struct ParseInput {
    blob: ObjectId,
    /// What the path says about the language (a name of [`PathHint`]).
    hint: &'static str,
    limits: Limits,
}

impl Task for Parse {
    const KIND: TaskKind = TaskKind::new("parse", EXTRACTOR_VERSION);
    type Input = ParseInput;
    type Output = Parsed;
    type Shared = PathBuf;
    type Worker = (Repository, Extractor);

    fn worker(git_dir: &PathBuf) -> Result<Self::Worker, TaskError> {
        Ok((Repository::open_git_dir(git_dir)?, Extractor::new()))
    }

    fn compute(
        _: &PathBuf,
        (repo, extractor): &mut Self::Worker,
        _: &str,
        input: &ParseInput,
    ) -> Result<Parsed, TaskError> {
        let Some(bytes) = repo.blob(input.blob) else {
            return Ok(Parsed::Skipped(SkipReason::Unreadable));
        };
        if let Some(reason) = input.limits.screen(&bytes) {
            return Ok(Parsed::Skipped(reason));
        }
        if is_generated(&bytes) {
            return Ok(Parsed::Skipped(SkipReason::MarkedGenerated));
        }
        if is_vendored(&bytes) {
            return Ok(Parsed::Skipped(SkipReason::MarkedVendored));
        }
        Ok(
            match detect_hinted(PathHint::from_name(input.hint), &bytes) {
                Some(language) => Parsed::Facts(extractor.extract(language, &bytes)),
                None => Parsed::Skipped(SkipReason::NotALanguage),
            },
        )
    }

    fn write(
        _: &mut TaskWriter<'_>,
        _: &str,
        _: &ParseInput,
        parsed: Parsed,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        Ok(Some(postcard::to_stdvec(&parsed)?))
    }
}

/// Parses every blob that changed; returns every source's parse output
/// hash and value, by parse key.
fn run_parse(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    git_dir: &PathBuf,
    sources: &[Source],
    limits: Limits,
    fetched: &BTreeSet<ObjectId>,
) -> Result<HashMap<String, (u64, Parsed)>, UpdateError> {
    let mut declared = Vec::new();
    let mut keys = BTreeSet::new();
    for s in sources {
        if keys.insert(s.key.as_str()) {
            let mut task = Declared::new(
                s.key.clone(),
                ParseInput {
                    blob: s.blob,
                    hint: s.hint,
                    limits,
                },
            );
            task.force = fetched.contains(&s.blob);
            declared.push(task);
        }
    }
    let outputs = engine.run::<Parse>(tx, git_dir, &declared, Sweep::Complete)?;
    let stored = tx.memo_values(Parse::KIND.name)?;
    let wanted: Vec<(&str, u64, &[u8])> = stored
        .iter()
        .filter_map(|(key, value)| Some((key, outputs.get(key)?, value)))
        .collect();
    // Every file's facts are decoded for resolution, changed or not: on
    // both cores (an incremental update of the kernel-sized repository
    // spent a twelfth of its code stage here).
    wanted
        .into_par_iter()
        .map(|(key, hash, value)| {
            let parsed: Parsed = postcard::from_bytes(value).map_err(|e| UpdateError::Corrupt {
                what: format!("the stored facts of {key}"),
                message: e.to_string(),
            })?;
            Ok((key.to_owned(), (hash, parsed)))
        })
        .collect()
}

/// The markers code generators leave in the first lines of what they write.
fn is_generated(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    head.lines().take(5).any(|line| {
        line.contains("@generated")
            || line.contains("Code generated") && line.contains("DO NOT EDIT")
            || line.contains("<auto-generated")
    })
}

/// Whether a file's first lines say it is a copy of another project's
/// code, as `linguist-vendored` would in `.gitattributes`: hiredis's
/// `ffc.h` opens with "Vendored into hiredis under the MIT License", and
/// its 3,400 lines of float parsing filled every place of a search for
/// "parse reply". Only phrases that say where the copy came from or went
/// count: a file about vendoring ("copies dependencies into a vendored
/// directory") says none of them.
fn is_vendored(bytes: &[u8]) -> bool {
    const PHRASES: [&str; 8] = [
        "vendored into ",
        "vendored from ",
        "vendored copy ",
        "vendored version of ",
        "this file is vendored",
        "copied from http://",
        "copied from https://",
        "is an amalgamation of ",
    ];
    let head = &bytes[..bytes.len().min(2048)];
    String::from_utf8_lossy(head).lines().take(20).any(|line| {
        let line = line.to_ascii_lowercase();
        PHRASES.iter().any(|p| line.contains(p))
    })
}

/// The vocabulary's name for a kind of definition.
fn symbol_kind(kind: DefKind) -> SymbolKind {
    match kind {
        DefKind::Function => SymbolKind::Function,
        DefKind::Method => SymbolKind::Method,
        DefKind::Class => SymbolKind::Class,
        DefKind::Struct => SymbolKind::Struct,
        DefKind::Enum => SymbolKind::Enum,
        DefKind::Trait => SymbolKind::Trait,
        DefKind::Interface => SymbolKind::Interface,
        DefKind::TypeAlias => SymbolKind::Type,
        DefKind::Module => SymbolKind::Module,
        DefKind::Macro => SymbolKind::Macro,
    }
}

fn symbol_name(path: &str, qualified: &str) -> String {
    format!("{path}::{qualified}")
}

/// A file's symbol nodes.
struct Symbols<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct SymbolsInput<'a> {
    parsed: Upstream<'a, Parsed>,
}

impl<'a> Task for Symbols<'a> {
    /// 3: a symbol's attributes stored as an array (`SymbolAttrs`), so
    /// an index's symbols are written again in that form. 4: a production
    /// code file's path word count (`path_words`).
    const KIND: TaskKind = TaskKind::new("symbols", 4);
    type Input = SymbolsInput<'a>;
    type Output = ();
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), _: &str, _: &SymbolsInput<'a>) -> Result<(), TaskError> {
        Ok(())
    }

    fn write(
        w: &mut TaskWriter<'_>,
        path: &str,
        input: &SymbolsInput<'a>,
        (): (),
    ) -> Result<Option<Vec<u8>>, TaskError> {
        write_symbols(w, path, &input.parsed)?;
        Ok(None)
    }
}

/// Declares each file's symbols; returns the files whose task ran (new
/// facts, or a new file), sorted.
fn run_symbols(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    sources: &[Source],
    parsed: &HashMap<String, (u64, Parsed)>,
) -> Result<Vec<String>, UpdateError> {
    let declared: Vec<Declared<SymbolsInput<'_>>> = sources
        .iter()
        .filter_map(|s| {
            let (hash, value) = parsed.get(&s.key)?;
            Some(Declared::new(
                s.path.clone(),
                SymbolsInput {
                    parsed: Upstream::new(*hash, value),
                },
            ))
        })
        .collect();
    let outputs = engine.run::<Symbols<'_>>(tx, &(), &declared, Sweep::Complete)?;
    Ok(outputs.executed().to_vec())
}

fn write_symbols(w: &mut TaskWriter<'_>, path: &str, parsed: &Parsed) -> Result<(), TaskError> {
    let file = w.intern_node(NodeKind::File, path)?;
    let facts = match parsed {
        Parsed::Skipped(reason) => {
            put(w, file, keys::SKIPPED, reason)?;
            return Ok(());
        }
        Parsed::Facts(facts) => facts,
    };
    if let Some(language) = facts.language {
        put(w, file, keys::LANGUAGE, &language.label().to_owned())?;
        if !homer_vocab::outside_production(path) {
            let mut words = 0i64;
            homer_vocab::text::for_each_naming_word(path, |_| words += 1);
            put(w, file, keys::PATH_WORDS, &words)?;
        }
    }
    if !facts.diagnostics.is_empty() {
        put(
            w,
            file,
            keys::PARSE_ERRORS,
            &(facts.diagnostics.len() as i64),
        )?;
    }
    let mut members = vec![Member::new(file, Role::Source)];
    for d in &facts.definitions {
        let attrs = SymbolAttrs {
            kind: symbol_kind(d.kind),
            name: d.name.clone(),
            line: d.span.start_line,
            end: d.span.end_line,
            signature: d.signature.clone(),
            exported: d.exported,
            doc: d.doc.clone(),
            parent: d
                .parent
                .and_then(|p| facts.definitions.get(p as usize))
                .map(|p| p.qualified.clone()),
        };
        let id = w.claim_node(
            NodeKind::Symbol,
            &symbol_name(path, &d.qualified),
            None,
            attrs::encode(&attrs).as_deref(),
        )?;
        members.push(Member::new(id, Role::Target));
    }
    if members.len() > 1 {
        w.edge(EdgeKind::Defines, &members, None, None)?;
    }
    Ok(())
}

/// What resolution reads of a definition, wherever it reads it: its name
/// within the file, kind, header (return type, parameters, bases), the
/// trait it implements a method of, and whether a trait declares it (a
/// library's value may reach a trait's method).
#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Header<'a> {
    qualified: &'a str,
    kind: &'static str,
    signature: &'a str,
    of_trait: Option<&'a str>,
    in_trait: bool,
}

impl<'a> Header<'a> {
    fn of(d: &'a homer_syntax::Definition, facts: &FileFacts) -> Self {
        Header {
            qualified: d.qualified.as_str(),
            kind: d.kind.name(),
            signature: d.signature.as_str(),
            of_trait: d.of_trait.as_deref(),
            in_trait: d
                .parent
                .and_then(|p| facts.definitions.get(p as usize))
                .is_some_and(|p| p.kind == homer_syntax::DefKind::Trait),
        }
    }
}

/// A definition as its file's importers' resolution reads it.
#[derive(Serialize)]
struct ExportedDefinition<'a> {
    header: Header<'a>,
    exported: bool,
    parent: Option<u32>,
}

/// What a file exposes to the files that depend on it: its definitions'
/// names, kinds, nesting, visibility and headers, its types' typed fields,
/// its package and imports (not lines or bodies).
#[derive(Serialize)]
struct Exports<'a> {
    /// Each definition's header, visibility and parent: its return type,
    /// parameters and bases are read by the resolution of calls on what it
    /// returns or makes.
    definitions: Vec<ExportedDefinition<'a>>,
    /// The typed fields of its types (`x.field.f()` reads them).
    fields: Vec<(u32, &'a str, &'a str)>,
    package: Option<&'a str>,
    /// What the file imports (not where): a module hands its imports on
    /// (`__init__.py`, `export … from`, `pub use`), so its importers'
    /// resolution reads them.
    imports: ImportList<'a>,
}

fn exports_hash(facts: &FileFacts) -> u64 {
    fingerprint(&Exports {
        definitions: facts
            .definitions
            .iter()
            .map(|d| ExportedDefinition {
                header: Header::of(d, facts),
                exported: d.exported,
                parent: d.parent,
            })
            .collect(),
        fields: fields_of(facts, None),
        package: facts.package.as_deref(),
        imports: import_list(facts),
    })
}

/// Extensions of files that are never text worth reading.
fn may_be_text(path: &str) -> bool {
    // No extension: nothing says it is not text.
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    !matches!(
        ext.as_str(),
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "ico"
            | "bmp"
            | "webp"
            | "svg"
            | "pdf"
            | "zip"
            | "gz"
            | "tgz"
            | "xz"
            | "bz2"
            | "zst"
            | "7z"
            | "jar"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
            | "eot"
            | "mp3"
            | "mp4"
            | "wav"
            | "ogg"
            | "mov"
            | "avi"
            | "exe"
            | "dll"
            | "so"
            | "dylib"
            | "a"
            | "o"
            | "class"
            | "pyc"
            | "wasm"
            | "bin"
            | "dat"
            | "db"
            | "sqlite"
    )
}

/// The search chunks of one text file at HEAD: per definition for parsed
/// files, the text itself for the others. Keyed by path, with the blob and
/// the parse output as inputs: a rename writes the same texts again (and
/// embeds nothing new), an edit rewrites only what changed.
struct Chunks<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct ChunkInput<'a> {
    blob: ObjectId,
    parsed: Option<Upstream<'a, Parsed>>,
    limits: Limits,
}

impl<'a> Task for Chunks<'a> {
    const KIND: TaskKind = TaskKind::new("chunk", 8);
    type Input = ChunkInput<'a>;
    type Output = Vec<ChunkData>;
    type Shared = PathBuf;
    type Worker = Repository;

    fn worker(git_dir: &PathBuf) -> Result<Repository, TaskError> {
        Ok(Repository::open_git_dir(git_dir)?)
    }

    fn compute(
        _: &PathBuf,
        repo: &mut Repository,
        path: &str,
        input: &ChunkInput<'a>,
    ) -> Result<Vec<ChunkData>, TaskError> {
        let Some(bytes) = repo.blob(input.blob) else {
            return Ok(Vec::new());
        };
        if input.limits.screen(&bytes).is_some() {
            return Ok(Vec::new());
        }
        let facts = match input.parsed.as_deref() {
            Some(Parsed::Facts(facts)) => Some(facts),
            _ => None,
        };
        Ok(chunking::chunks(
            path,
            &String::from_utf8_lossy(&bytes),
            facts,
        ))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        path: &str,
        _: &ChunkInput<'a>,
        chunks: Vec<ChunkData>,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        for c in chunks {
            let (node, embed) = match &c.about {
                About::Symbol(q) => (
                    NodeId::of(NodeKind::Symbol, &symbol_name(path, q)),
                    Embed::TitleAndBody,
                ),
                About::File => (w.intern_node(NodeKind::File, path)?, Embed::Body),
            };
            w.chunk(&Chunk {
                node: Some(node),
                title: &c.title,
                body: &c.body,
                words: &c.words,
                lines: Some(c.lines),
                lead: Some(c.lead),
                embed,
                message: false,
            })?;
        }
        Ok(None)
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "each argument is one part of the chunk kind's run"
)]
fn run_chunks(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    git_dir: &PathBuf,
    texts: &[(String, ObjectId)],
    sources: &[Source],
    parsed: &HashMap<String, (u64, Parsed)>,
    limits: Limits,
    fetched: &BTreeSet<&str>,
) -> Result<(), UpdateError> {
    let parsed_of: HashMap<&str, Upstream<'_, Parsed>> = sources
        .iter()
        .filter_map(|s| {
            let (hash, value) = parsed.get(&s.key)?;
            Some((s.path.as_str(), Upstream::new(*hash, value)))
        })
        .collect();
    let declared: Vec<Declared<ChunkInput<'_>>> = texts
        .iter()
        .map(|(path, blob)| {
            let mut task = chunk_task(path, *blob, parsed_of.get(path.as_str()).copied(), limits);
            task.force = fetched.contains(path.as_str());
            task
        })
        .collect();
    engine.run::<Chunks<'_>>(tx, git_dir, &declared, Sweep::Complete)?;
    Ok(())
}

/// The chunk task of the text file at `path` (with its parse, for a source).
fn chunk_task<'a>(
    path: &str,
    blob: ObjectId,
    parsed: Option<Upstream<'a, Parsed>>,
    limits: Limits,
) -> Declared<ChunkInput<'a>> {
    Declared::new(
        path.to_owned(),
        ChunkInput {
            blob,
            parsed,
            limits,
        },
    )
}

/// What the stored parses and resolutions are made from, as the
/// `code.sources` checkpoint holds it: the kinds' versions, the settings,
/// each source file's path and parse key, and the manifests' blobs.
fn sources_print(
    config: &CodeConfig,
    sources: &[Source],
    manifests: &[(String, ObjectId)],
) -> String {
    fingerprint(&(
        &KINDS,
        config,
        sources
            .iter()
            .map(|s| (s.path.as_str(), s.key.as_str()))
            .collect::<Vec<_>>(),
        manifests,
    ))
    .to_string()
}

/// Whether the stored parses and resolutions were made from what parsing
/// and resolution would read now (`print`, [`sources_print`]): a commit
/// that changes documentation or settings only, after which every parse,
/// symbol and resolution stands and only the other text files are chunked
/// again. A partial clone's missing blobs and verification take the whole
/// way.
fn sources_stand(
    stage: &homer_dag::Stage,
    tx: &WriteTx<'_>,
    repo: &Repository,
    watched: &BTreeSet<ObjectId>,
    print: &str,
) -> Result<bool, UpdateError> {
    Ok(!stage.verifying()
        && watched.is_empty()
        && !repo.is_partial()
        && tx.checkpoint(&Checkpoint::CodeSources.name())?.as_deref() == Some(print))
}

/// When a task that writes the graphs ran or went, the stored analyses may
/// describe graphs that are gone: `graph.analysed` is cleared in this
/// transaction, so an update stopped before its graph stage leaves them
/// marked so.
fn graphs_moved(engine: &Engine<'_>, tx: &WriteTx<'_>) -> Result<(), UpdateError> {
    let moved = GRAPH_SHAPING.iter().any(|kind| {
        engine
            .stats()
            .get(kind.name)
            .is_some_and(|s| s.executed > 0 || s.deleted > 0)
    });
    if moved {
        tx.clear_checkpoint(&Checkpoint::GraphsAnalysed.name())?;
    }
    Ok(())
}

/// The chunks of the text files that are not sources, when no source
/// changed: each declared (executed where its blob moved), deleted where
/// the file went; the sources' chunks are not declared and stand (the
/// stored chunk tasks are read for their keys, the parses not at all).
fn run_texts(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    git_dir: &PathBuf,
    texts: &[(String, ObjectId)],
    sources: &[Source],
    limits: Limits,
) -> Result<(), UpdateError> {
    let source_paths: HashSet<&str> = sources.iter().map(|s| s.path.as_str()).collect();
    let declared: Vec<Declared<ChunkInput<'_>>> = texts
        .iter()
        .filter(|(path, _)| !source_paths.contains(path.as_str()))
        .map(|(path, blob)| chunk_task(path, *blob, None, limits))
        .collect();
    engine.run::<Chunks<'_>>(tx, git_dir, &declared, Sweep::Partial)?;
    let current: HashSet<&str> = texts.iter().map(|(path, _)| path.as_str()).collect();
    let gone: Vec<String> = tx
        .memo_rows(Chunks::KIND.name)?
        .into_iter()
        .map(|row| row.key)
        .filter(|key| !current.contains(key.as_str()))
        .collect();
    engine.delete(tx, &Chunks::KIND, &gone)?;
    Ok(())
}

/// One file's imports and calls, resolved against the project.
struct Resolve<'p>(std::marker::PhantomData<&'p ()>);

/// A file's resolution input: its facts, the manifests (module paths,
/// crate names), what each file it depends on exports, and every
/// definition of every name it uses. These are the parts of the project's
/// index (the shared [`Project`]) that its resolution reads.
#[derive(Serialize)]
struct ResolveInput<'p> {
    parsed: Upstream<'p, Parsed>,
    manifests: u64,
    /// The files read whole ([`homer_syntax::Reads::whole`]) by their
    /// exports hash.
    dependencies: Vec<(&'p str, u64)>,
    /// The files handed on, by what of them is read.
    handed: Vec<(&'p str, u64)>,
    names: Vec<(&'p str, u64)>,
    /// The names its imports bind to a library.
    library: u64,
}

/// Per target file: imports naming it, calls into it (weighted by
/// confidence), type uses of it.
#[derive(Default)]
struct Dependency {
    imports: u32,
    calls: f64,
    types: u32,
}

/// A file's resolution as rows: calls per (caller, callee) with their
/// count and best confidence, dependencies per target file, and counts.
#[derive(Default)]
struct Resolved {
    calls: BTreeMap<(NodeId, NodeId), (u32, f32)>,
    depends: BTreeMap<String, Dependency>,
    stats: homer_syntax::ResolveStats,
}

impl<'p> Task for Resolve<'p> {
    /// The resolver's version, plus 3 since the task keeps its file's
    /// [`ResolvedFrom`] as its value (its interface built on
    /// [`exports_hash`]).
    const KIND: TaskKind = TaskKind::new("resolve", RESOLVER_VERSION + 3);
    type Input = ResolveInput<'p>;
    type Output = Resolved;
    type Shared = Project<'p>;
    type Worker = ();

    fn worker(_: &Project<'p>) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute(
        project: &Project<'p>,
        (): &mut (),
        path: &str,
        input: &ResolveInput<'p>,
    ) -> Result<Resolved, TaskError> {
        let Parsed::Facts(facts) = &*input.parsed else {
            return Err(TaskError::from(
                "resolve declared for a file that did not parse",
            ));
        };
        Ok(resolve_file(project, path, facts))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        path: &str,
        input: &ResolveInput<'p>,
        resolved: Resolved,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        write_resolution(w, path, resolved)?;
        let Parsed::Facts(facts) = &*input.parsed else {
            return Err(TaskError::from(
                "resolve declared for a file that did not parse",
            ));
        };
        let from = ResolvedFrom {
            interface: interface_hash(facts),
            manifests: input.manifests,
        };
        Ok(Some(from.encode()))
    }
}

/// What of a file's facts other files' resolution reads
/// ([`interface_hash`]) and the manifests it was resolved with, kept as
/// its task's value: an update reads them back to tell whether any file's
/// interface moved ([`unchanged_interfaces`]). Neither moves with an edit
/// of a body, so a resolution that comes out the same is still backdated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ResolvedFrom {
    interface: u64,
    manifests: u64,
}

impl ResolvedFrom {
    fn encode(self) -> Vec<u8> {
        [self.interface, self.manifests]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    fn decode(bytes: &[u8]) -> Option<ResolvedFrom> {
        let (interface, manifests) = bytes.split_at_checked(8)?;
        Some(ResolvedFrom {
            interface: u64::from_le_bytes(interface.try_into().ok()?),
            manifests: u64::from_le_bytes(manifests.try_into().ok()?),
        })
    }
}

/// What another file's resolution input can read of a file's facts: what
/// it exports to the files that read it whole ([`exports_hash`]: each
/// definition's header, whether exported and its parent, its types'
/// fields, its package and imports), and besides: its language, each
/// definition's own name, each import's kind and the bindings of its top
/// level. What [`Project::reads`], [`Project::names_behind`],
/// `definitions_hash` and `exports_hash` read of a file other than the one
/// resolved is in here; its calls, lines, doc comments and a function's
/// locals are not. An edit that moves none of this (a body, a comment,
/// lines shifted) leaves every other file's resolution input as it was.
/// The resolve task's version moves with it: a stored hash made another
/// way would never match.
fn interface_hash(facts: &FileFacts) -> u64 {
    let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
    let import_kinds: Vec<homer_syntax::ImportKind> =
        facts.imports.iter().map(|i| i.kind).collect();
    let top_level: Vec<(&str, &str)> = facts
        .bindings
        .iter()
        .filter(|b| b.enclosing.is_none())
        .map(|b| (b.name.as_str(), b.type_name.as_str()))
        .collect();
    fingerprint(&(
        exports_hash(facts),
        facts.language,
        names,
        import_kinds,
        top_level,
    ))
}

/// When no file's interface moved since the last update (the same files
/// parse, the manifests read the same, and every file whose facts changed,
/// `changed`, has the [`interface_hash`] it had), the files among `files`
/// whose facts changed: the only ones whose resolution input can have
/// moved, and all that need declaring (the others' tasks stay as they
/// are). `None` when anything else moved, or when verifying (every task
/// is then computed again): then every file is declared. Computing a
/// file's input reads the definitions of every name it uses and where
/// they lead: at 75,000 files, a third of an incremental update's code
/// stage.
fn unchanged_interfaces(
    engine: &Engine<'_>,
    tx: &WriteTx<'_>,
    files: &[(&str, &FileFacts)],
    changed: &BTreeSet<&str>,
    manifests: u64,
) -> Result<Option<Vec<usize>>, UpdateError> {
    if engine.verifies() || files.is_empty() {
        return Ok(None);
    }
    // The same number of files resolved, and each file whose facts
    // changed among them (a file added has a new `symbols` task, so it is
    // among those; one gone changes the count): the same files. One row
    // read for each, and one other for the manifests, which every row
    // holds alike (a change to them runs every task).
    if tx.task_count(Resolve::KIND.name)? != files.len() as u64 {
        return Ok(None);
    }
    let stored = |path: &str| -> Result<Option<ResolvedFrom>, UpdateError> {
        let value = tx.memo_value(homer_store::TaskId::of(Resolve::KIND.name, path))?;
        Ok(value.as_deref().and_then(ResolvedFrom::decode))
    };
    let mut chosen = Vec::new();
    for (i, &(path, facts)) in files.iter().enumerate() {
        if !changed.contains(path) {
            continue;
        }
        match stored(path)? {
            Some(before)
                if before.manifests == manifests && before.interface == interface_hash(facts) =>
            {
                chosen.push(i);
            }
            _ => return Ok(None),
        }
    }
    let other = files.iter().map(|&(p, _)| p).find(|p| !changed.contains(p));
    if let Some(path) = other
        && stored(path)?.is_none_or(|before| before.manifests != manifests)
    {
        return Ok(None);
    }
    Ok(Some(chosen))
}

/// The definitions of a name anywhere, as guesses and receiver types read
/// them.
#[derive(Serialize)]
struct NameDefinitions<'p> {
    definitions: Vec<NameDefinition<'p>>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct NameDefinition<'p> {
    file: &'p str,
    header: Header<'p>,
    fields: Vec<(u32, &'p str, &'p str)>,
    /// The hash of its file's imports that can bind a name its header or
    /// fields write ([`imports_read_by`]).
    imports: u64,
}

/// A file's imports by the local names they bind ([`ImportNames::read_by`]).
struct ImportNames<'a> {
    /// Imports whose local name they do not write (a path imported
    /// whole, bound by its language's rules) and wildcards.
    always: Vec<usize>,
    by_name: HashMap<&'a str, Vec<usize>>,
}

impl<'a> ImportNames<'a> {
    fn of(facts: &'a FileFacts) -> Self {
        let mut names = ImportNames {
            always: Vec::new(),
            by_name: HashMap::new(),
        };
        for (i, import) in facts.imports.iter().enumerate() {
            if import.wildcard || (import.names.is_empty() && import.alias.is_none()) {
                names.always.push(i);
                continue;
            }
            let bound = import.alias.as_deref().into_iter().chain(
                import
                    .names
                    .iter()
                    .map(|n| n.alias.as_deref().unwrap_or(&n.name)),
            );
            for name in bound {
                names.by_name.entry(name).or_default().push(i);
            }
        }
        names
    }

    /// The imports through which resolution may read what a name written
    /// in `texts` means in this file (a declared return type, a base, a
    /// field's type): those binding a word of them, and those always read.
    /// Adding an import of something else to a file changes none of its
    /// definitions' meaning for other files.
    fn read_by(&self, texts: &[&str]) -> Vec<usize> {
        let mut chosen = self.always.clone();
        if !self.by_name.is_empty() {
            for text in texts {
                let words = text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'));
                for word in words.filter(|w| !w.is_empty()) {
                    if let Some(imports) = self.by_name.get(word) {
                        chosen.extend_from_slice(imports);
                    }
                }
            }
        }
        chosen.sort_unstable();
        chosen.dedup();
        chosen
    }
}

/// A file's imports as the exports hash reads them (not where they are).
type ImportList<'a> = Vec<(
    &'a str,
    &'a [homer_syntax::ImportedName],
    Option<&'a str>,
    bool,
)>;

fn import_list(facts: &FileFacts) -> ImportList<'_> {
    facts
        .imports
        .iter()
        .map(|i| {
            (
                i.path.as_str(),
                i.names.as_slice(),
                i.alias.as_deref(),
                i.wildcard,
            )
        })
        .collect()
}

/// The typed fields declared in the types of a file (in `owner` only, when
/// given): (the type's index, name, type as written).
fn fields_of(facts: &FileFacts, owner: Option<u32>) -> Vec<(u32, &str, &str)> {
    facts
        .bindings
        .iter()
        .filter_map(|b| {
            let enclosing = b.enclosing?;
            (owner.is_none_or(|o| o == enclosing)
                && facts
                    .definitions
                    .get(enclosing as usize)
                    .is_some_and(|d| d.kind.holds_methods()))
            .then_some((enclosing, b.name.as_str(), b.type_name.as_str()))
        })
        .collect()
}

/// Declares each parsed file's resolution (only those whose facts changed,
/// when no file's interface moved: [`unchanged_interfaces`]); `changed`
/// holds the files whose facts changed in this update (their `symbols`
/// task ran: its input is the facts alone).
fn run_resolve<'p>(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    project: &Project<'p>,
    sources: &[Source],
    parsed: &'p HashMap<String, (u64, Parsed)>,
    changed: &BTreeSet<&str>,
    manifests: u64,
) -> Result<(), UpdateError> {
    let mut exports: HashMap<&str, u64> = HashMap::new();
    let mut names: HashMap<&str, u64> = HashMap::new();
    let mut imported = HashMap::new();
    let mut behind: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut declared = Vec::new();
    let mut files: Vec<(&Source, &'p u64, &'p Parsed, &'p FileFacts)> = Vec::new();
    for s in sources {
        if let Some((hash, value @ Parsed::Facts(facts))) = parsed.get(&s.key) {
            files.push((s, hash, value, facts));
        }
    }
    let interfaces: Vec<(&str, &FileFacts)> = files
        .iter()
        .map(|&(s, _, _, facts)| (s.path.as_str(), facts))
        .collect();
    let (chosen, sweep) = match unchanged_interfaces(engine, tx, &interfaces, changed, manifests)? {
        Some(changed) => (changed, Sweep::Partial),
        None => ((0..files.len()).collect(), Sweep::Complete),
    };
    for &(s, hash, value, facts) in chosen.iter().map(|&i| &files[i]) {
        // The names whose definitions the resolution may read: those the
        // file uses, and all those their definitions lead to (a return
        // type, a base, a field's type), as far as they go: resolution
        // follows types through several calls and bases. `lead_on_from`
        // adds what the names already in `read` (`frontier`) lead on to.
        let mut lead_on_from = |read: &mut BTreeSet<&'p str>, mut frontier: Vec<&'p str>| {
            while !frontier.is_empty() {
                let mut next = Vec::new();
                for name in frontier {
                    let more = behind
                        .entry(name)
                        .or_insert_with(|| project.names_behind(name));
                    next.extend(more.iter().copied().filter(|&m| read.insert(m)));
                }
                frontier = next;
            }
        };
        let mut read: BTreeSet<&str> = homer_syntax::names_read(facts);
        let first: Vec<&str> = read.iter().copied().collect();
        lead_on_from(&mut read, first);
        // What other files hand on is read under those names; the items
        // renamed imports carry along the way are names too, which `reads`
        // adds (with what they lead on to) as it finds them.
        let mut lead_on = |read: &mut BTreeSet<&'p str>, new: Vec<&'p str>| {
            let frontier = new.into_iter().filter(|&n| read.insert(n)).collect();
            lead_on_from(read, frontier);
        };
        let reads = project.reads(&s.path, &mut read, &mut lead_on);
        let dependencies = reads
            .whole
            .iter()
            .map(|&dep| {
                let exported = *exports
                    .entry(dep)
                    .or_insert_with(|| project.facts(dep).map_or(0, exports_hash));
                (dep, exported)
            })
            .collect();
        let handed = reads
            .handed
            .iter()
            .map(|(&file, lines)| (file, fingerprint(lines)))
            .collect();
        let mut defined = Vec::with_capacity(read.len());
        for name in read {
            let hash = *names
                .entry(name)
                .or_insert_with(|| definitions_hash(project, name, &mut imported));
            defined.push((name, hash));
        }
        declared.push(Declared::new(
            s.path.clone(),
            ResolveInput {
                parsed: Upstream::new(*hash, value),
                manifests,
                dependencies,
                handed,
                names: defined,
                library: fingerprint(&reads.library),
            },
        ));
    }
    engine.run::<Resolve<'_>>(tx, project, &declared, sweep)?;
    Ok(())
}

/// Each definition of `name` with its header and, for a type, its typed
/// fields; and the imports of its file that can give a name written there
/// its meaning (`imports`: each file's imports by name, and the hash of
/// each choice of them, kept across names).
fn definitions_hash<'p>(
    project: &Project<'p>,
    name: &str,
    imports: &mut HashMap<&'p str, (ImportNames<'p>, HashMap<Vec<usize>, u64>)>,
) -> u64 {
    let mut definitions: Vec<NameDefinition<'p>> = project
        .definitions_named(name)
        .iter()
        .filter_map(|d| {
            let facts = project.facts(d.file)?;
            let def = facts.definitions.get(d.index as usize)?;
            let fields = if def.kind.holds_methods() {
                fields_of(facts, Some(d.index))
            } else {
                Vec::new()
            };
            let header = Header::of(def, facts);
            let (names, hashes) = imports
                .entry(d.file)
                .or_insert_with(|| (ImportNames::of(facts), HashMap::new()));
            // A file whose imports all bind what their paths say (Rust's
            // `use`) gives every definition all of them: no words to look up.
            let chosen = if names.by_name.is_empty() {
                names.always.clone()
            } else {
                let texts: Vec<&str> = [header.qualified, header.signature]
                    .into_iter()
                    .chain(header.of_trait)
                    .chain(fields.iter().flat_map(|&(_, n, t)| [n, t]))
                    .collect();
                names.read_by(&texts)
            };
            let imports = *hashes.entry(chosen).or_insert_with_key(|chosen| {
                let list: ImportList<'_> = chosen
                    .iter()
                    .map(|&i| {
                        let i = &facts.imports[i];
                        (
                            i.path.as_str(),
                            i.names.as_slice(),
                            i.alias.as_deref(),
                            i.wildcard,
                        )
                    })
                    .collect();
                fingerprint(&list)
            });
            Some(NameDefinition {
                file: d.file,
                header,
                fields,
                imports,
            })
        })
        .collect();
    definitions.sort_unstable();
    fingerprint(&NameDefinitions { definitions })
}

/// Resolves one file and turns the targets into rows.
fn resolve_file(project: &Project<'_>, path: &str, facts: &FileFacts) -> Resolved {
    let resolution = project.resolve(path);
    let file = NodeId::of(NodeKind::File, path);
    let mut out = Resolved {
        stats: resolution.stats,
        ..Resolved::default()
    };
    for targets in &resolution.imports {
        for t in targets {
            out.depends.entry(t.clone()).or_default().imports += 1;
        }
    }
    for (r, targets) in facts.references.iter().zip(&resolution.references) {
        for t in targets {
            let Some(def) = project
                .facts(&t.file)
                .and_then(|f| f.definitions.get(t.definition as usize))
            else {
                continue;
            };
            if t.file != path {
                let entry = out.depends.entry(t.file.clone()).or_default();
                match r.kind {
                    RefKind::Type => entry.types += 1,
                    RefKind::Call | RefKind::Construct => entry.calls += f64::from(t.confidence),
                }
            }
            if r.kind == RefKind::Type {
                continue;
            }
            let from = match r.enclosing.and_then(|e| facts.definitions.get(e as usize)) {
                Some(e) => NodeId::of(NodeKind::Symbol, &symbol_name(path, &e.qualified)),
                None => file,
            };
            let to = NodeId::of(NodeKind::Symbol, &symbol_name(&t.file, &def.qualified));
            let entry = out.calls.entry((from, to)).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 = entry.1.max(t.confidence);
        }
    }
    out
}

fn write_resolution(w: &mut TaskWriter<'_>, path: &str, r: Resolved) -> Result<(), TaskError> {
    let file = w.intern_node(NodeKind::File, path)?;
    for ((caller, callee), (count, confidence)) in r.calls {
        w.weighed_edge(
            EdgeKind::Calls,
            &[
                Member::new(caller, Role::Source),
                Member::new(callee, Role::Target),
            ],
            Some(f64::from(count)),
            Some(f64::from(confidence.min(1.0))),
            None,
        )?;
    }
    for (target, d) in r.depends {
        if target == path {
            continue;
        }
        let node = w.intern_node(NodeKind::File, &target)?;
        if d.imports > 0 {
            w.edge(
                EdgeKind::Imports,
                &[
                    Member::new(file, Role::Source),
                    Member::new(node, Role::Target),
                ],
                Some(f64::from(d.imports)),
                None,
            )?;
        }
        let weight = f64::from(d.imports) + d.calls + TYPE_WEIGHT * f64::from(d.types);
        let attrs = attrs::encode(&DependsAttrs {
            imports: d.imports,
            calls: d.calls,
            types: d.types,
        });
        w.edge(
            EdgeKind::Depends,
            &[
                Member::new(file, Role::Source),
                Member::new(node, Role::Target),
            ],
            Some(weight),
            attrs.as_deref(),
        )?;
    }
    let stats = r.stats;
    put(w, file, keys::CALLS_CERTAIN, &i64::from(stats.certain))?;
    put(w, file, keys::CALLS_GUESSED, &i64::from(stats.guessed))?;
    put(
        w,
        file,
        keys::CALLS_UNRESOLVED,
        &i64::from(stats.unresolved),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ImportNames;
    use homer_syntax::{FileFacts, Import, ImportKind, ImportedName};

    fn import(
        path: &str,
        names: &[(&str, Option<&str>)],
        alias: Option<&str>,
        wildcard: bool,
    ) -> Import {
        Import {
            path: path.to_owned(),
            names: names
                .iter()
                .map(|(n, a)| ImportedName {
                    name: (*n).to_owned(),
                    alias: a.map(str::to_owned),
                })
                .collect(),
            alias: alias.map(str::to_owned),
            wildcard,
            kind: ImportKind::Use,
            line: 1,
        }
    }

    /// A header reads the imports binding one of its words whole (`Bar`
    /// in `Foo<Bar>`, an alias by its local name), never one binding a
    /// name it only holds inside a longer word, and always a wildcard or a
    /// path imported whole.
    #[test]
    fn a_header_reads_the_imports_binding_its_words() {
        let facts = FileFacts {
            imports: vec![
                import("./bar", &[("Bar", None)], None, false),
                import("./foobar", &[("FooBar2", None)], None, false),
                import("./x", &[("Original", Some("Local"))], None, false),
                import("./all", &[], None, true),
                import("std::fmt", &[], None, false),
                import("./ns", &[], Some("ns"), false),
                import("./unused", &[("Other", None)], None, false),
            ],
            ..FileFacts::default()
        };
        let names = ImportNames::of(&facts);
        assert_eq!(names.read_by(&["fn f() -> Foo<Bar>"]), [0, 3, 4]);
        assert_eq!(names.read_by(&["x: Local", "ns.Thing"]), [2, 3, 4, 5]);
        // `Original` is not what the file calls it; `FooBar` is not `FooBar2`;
        // `Bar` inside `my_Bar` or `$Bar` is no word of its own.
        assert_eq!(names.read_by(&["Original FooBar my_Bar $Bar"]), [3, 4]);
        assert_eq!(names.read_by(&[]), [3, 4]);
    }
}
