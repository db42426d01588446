//! Code structure: the files at HEAD parsed into facts, their symbols, and
//! the resolution of their imports and calls across files.
//!
//! Three task kinds:
//! - `parse(<blob>:<hint>)`, keyed by content (the blob id, and what the
//!   path says about the language), so a rename or a copy parses nothing
//!   and `homer update` never reads a blob whose id did not change. Its
//!   value is the file's facts (or why it was skipped); it writes no rows.
//! - `symbols(<path>)`: claims the file's symbol nodes (`path::qualified`)
//!   and the `defines` edge, from the parse output.
//! - `resolve(<path>)`: the file's imports, calls and dependencies. Its
//!   input is its own facts, the definitions exported by every file it
//!   depends on, and the definitions of every name it uses anywhere (for
//!   guesses), so editing a callee's file re-resolves its callers, and a
//!   body-only edit re-resolves nothing but the edited file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use homer_dag::{Declared, Engine, Sweep, TaskError, TaskKind};
use homer_git::{ObjectId, Repository};
use homer_store::{
    Chunk, EdgeKind, Embed, Fingerprint, Member, NodeId, NodeKind, Role, TaskWriter, WriteTx,
};
use homer_syntax::{
    DefKind, EXTRACTOR_VERSION, Extractor, FileFacts, Manifests, PathHint, Project,
    RESOLVER_VERSION, RefKind, Resolution, detect, path_hint,
};
use homer_vocab::attrs::{self, DependsAttrs, FileAttrs, FileMode, SymbolAttrs, SymbolKind};
use homer_vocab::values::put;
use homer_vocab::{SkipReason, keys};
use serde::{Deserialize, Serialize};

use crate::UpdateError;
use crate::chunking::{self, About};
use crate::config::CodeConfig;

pub(crate) const PARSE: TaskKind = TaskKind::new("parse", EXTRACTOR_VERSION);
pub(crate) const SYMBOLS: TaskKind = TaskKind::new("symbols", 1);
pub(crate) const RESOLVE: TaskKind = TaskKind::new("resolve", RESOLVER_VERSION);
pub(crate) const CHUNK: TaskKind = TaskKind::new("chunk", 2);

/// The tree, configuration and versions the stored code facts describe.
const CHECKPOINT: &str = "stage.code";

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
    key: String,
}

fn parse_key(blob: ObjectId, hint: PathHint) -> Option<String> {
    let hint = match hint {
        PathHint::Language(language) => language.name(),
        PathHint::Content(h) => h,
        PathHint::NotCode => return None,
    };
    Some(format!("{blob}:{hint}"))
}

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    tree: Option<ObjectId>,
    config: &CodeConfig,
) -> Result<CodeOutcome, UpdateError> {
    let signature = Fingerprint::new()
        .bytes(tree.as_ref().map_or(&[][..], |t| t.as_bytes()))
        .u64(u64::from(PARSE.version))
        .u64(u64::from(SYMBOLS.version))
        .u64(u64::from(RESOLVE.version))
        .u64(u64::from(CHUNK.version))
        .u64(config.fingerprint())
        .finish()
        .to_string();
    let mut outcome = CodeOutcome::default();
    if tx.checkpoint(CHECKPOINT)?.as_deref() == Some(signature.as_str()) {
        return Ok(outcome);
    }
    let mut sources = Vec::new();
    let mut texts = Vec::new();
    let mut manifest_blobs = Vec::new();
    for file in tx.current_nodes(NodeKind::File)? {
        let Some(blob) = file
            .content_hash
            .as_deref()
            .and_then(|h| <[u8; 20]>::try_from(h).ok())
            .map(ObjectId::from_bytes)
        else {
            continue;
        };
        if Manifests::wants(&file.name) {
            manifest_blobs.push((file.name.clone(), blob));
        }
        let file_attrs: FileAttrs =
            attrs::decode(&format!("file '{}'", file.name), file.attrs.as_deref())?;
        if file_attrs.mode == Some(FileMode::Symlink) {
            continue;
        }
        if may_be_text(&file.name) {
            texts.push((file.name.clone(), blob));
        }
        if let Some(key) = parse_key(blob, path_hint(&file.name)) {
            sources.push(Source {
                path: file.name,
                blob,
                key,
            });
        }
    }

    let parsed = run_parse(engine, tx, repo, &sources, config)?;
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
    run_symbols(engine, tx, &sources, &parsed)?;

    let mut manifests = Manifests::default();
    let mut manifest_print = Fingerprint::new();
    for (path, blob) in &manifest_blobs {
        let content = repo.blob(*blob).unwrap_or_default();
        manifest_print.push_bytes(path.as_bytes());
        manifest_print.push_bytes(&content);
        manifests.add(path, &String::from_utf8_lossy(&content));
    }
    let project = Project::new(facts.iter().map(|(p, f)| (*p, *f)), &manifests);
    run_resolve(
        engine,
        tx,
        &project,
        &sources,
        &parsed,
        manifest_print.finish(),
    )?;
    run_chunks(engine, tx, repo, &texts, &sources, &parsed, config)?;
    tx.set_checkpoint(CHECKPOINT, &signature)?;
    Ok(outcome)
}

/// Parses every blob that changed; returns every source's parse output
/// hash and value, by parse key.
fn run_parse(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    sources: &[Source],
    config: &CodeConfig,
) -> Result<HashMap<String, (u64, Parsed)>, UpdateError> {
    let mut declared: Vec<Declared<&Source>> = Vec::new();
    let mut keys = BTreeSet::new();
    for s in sources {
        if keys.insert(s.key.as_str()) {
            declared.push(Declared {
                key: s.key.clone(),
                input_hash: PARSE
                    .input()
                    .bytes(s.blob.as_bytes())
                    .str(&s.key)
                    .u64(config.fingerprint())
                    .finish(),
                data: s,
            });
        }
    }
    let git_dir = repo.git_dir().to_path_buf();
    let outputs = engine.run_with(
        tx,
        &PARSE,
        &declared,
        Sweep::Complete,
        || (Repository::open_git_dir(&git_dir), Extractor::new()),
        |(worker, extractor), _, source| {
            let worker = worker
                .as_ref()
                .map_err(|e| TaskError::from(e.to_string()))?;
            Ok(parse(worker, extractor, source, config))
        },
        |_, _, _, parsed| Ok(Some(postcard::to_stdvec(&parsed)?)),
    )?;
    let mut values = HashMap::with_capacity(declared.len());
    for (key, value) in tx.memo_values(PARSE.name)? {
        if let Some(hash) = outputs.get(&key) {
            let parsed: Parsed =
                postcard::from_bytes(&value).map_err(|e| UpdateError::Corrupt {
                    what: format!("the stored facts of {key}"),
                    message: e.to_string(),
                })?;
            values.insert(key, (hash, parsed));
        }
    }
    Ok(values)
}

/// Reads, screens and extracts one blob.
fn parse(
    repo: &Repository,
    extractor: &mut Extractor,
    source: &Source,
    config: &CodeConfig,
) -> Parsed {
    let Some(bytes) = repo.blob(source.blob) else {
        return Parsed::Skipped(SkipReason::Unreadable);
    };
    if bytes.len() as u64 > config.max_file_bytes {
        return Parsed::Skipped(SkipReason::TooLarge);
    }
    if bytes[..bytes.len().min(8000)].contains(&0) {
        return Parsed::Skipped(SkipReason::Binary);
    }
    let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64 + 1;
    if bytes.len() as u64 / lines > config.max_average_line {
        return Parsed::Skipped(SkipReason::LongLines);
    }
    if is_generated(&bytes) {
        return Parsed::Skipped(SkipReason::MarkedGenerated);
    }
    match detect(&source.path, &bytes) {
        Some(language) => Parsed::Facts(extractor.extract(language, &bytes)),
        None => Parsed::Skipped(SkipReason::NotALanguage),
    }
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

fn run_symbols(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    sources: &[Source],
    parsed: &HashMap<String, (u64, Parsed)>,
) -> Result<(), UpdateError> {
    let declared: Vec<Declared<&Parsed>> = sources
        .iter()
        .filter_map(|s| {
            let (hash, value) = parsed.get(&s.key)?;
            Some(Declared {
                key: s.path.clone(),
                input_hash: SYMBOLS.input().str(&s.path).u64(*hash).finish(),
                data: value,
            })
        })
        .collect();
    engine.run(
        tx,
        &SYMBOLS,
        &declared,
        Sweep::Complete,
        |_, _| Ok(()),
        |w, path, parsed, ()| {
            write_symbols(w, path, parsed)?;
            Ok(None)
        },
    )?;
    Ok(())
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

/// What a file exposes to the files that depend on it: its definitions'
/// names, kinds, nesting and visibility (not their lines or bodies).
fn exports_hash(facts: &FileFacts) -> u64 {
    let mut fp = Fingerprint::new();
    for d in &facts.definitions {
        fp.push_bytes(d.qualified.as_bytes());
        fp.push_bytes(d.kind.name().as_bytes());
        fp.push_u64(u64::from(d.exported));
        fp.push_u64(d.parent.map_or(u64::MAX, u64::from));
    }
    fp.push_bytes(facts.package.as_deref().unwrap_or("").as_bytes());
    fp.finish()
}

/// Extensions of files that are never text worth reading.
fn may_be_text(path: &str) -> bool {
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

/// The search chunks of every text file at HEAD: per definition for parsed
/// files, the text itself for the others. Keyed by path, with the blob and
/// the parse output as inputs: a rename writes the same texts again (and
/// embeds nothing new), an edit rewrites only what changed.
fn run_chunks(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    texts: &[(String, ObjectId)],
    sources: &[Source],
    parsed: &HashMap<String, (u64, Parsed)>,
    config: &CodeConfig,
) -> Result<(), UpdateError> {
    let facts_of: HashMap<&str, (u64, Option<&FileFacts>)> = sources
        .iter()
        .filter_map(|s| {
            let (hash, value) = parsed.get(&s.key)?;
            let facts = match value {
                Parsed::Facts(f) => Some(f),
                Parsed::Skipped(_) => None,
            };
            Some((s.path.as_str(), (*hash, facts)))
        })
        .collect();
    let declared: Vec<Declared<(ObjectId, Option<&FileFacts>)>> = texts
        .iter()
        .map(|(path, blob)| {
            let (hash, facts) = facts_of.get(path.as_str()).copied().unwrap_or((0, None));
            Declared {
                key: path.clone(),
                input_hash: CHUNK
                    .input()
                    .str(path)
                    .bytes(blob.as_bytes())
                    .u64(hash)
                    .u64(config.fingerprint())
                    .finish(),
                data: (*blob, facts),
            }
        })
        .collect();
    let git_dir = repo.git_dir().to_path_buf();
    engine.run_with(
        tx,
        &CHUNK,
        &declared,
        Sweep::Complete,
        || Repository::open_git_dir(&git_dir),
        |worker, path, (blob, facts)| {
            let worker = worker
                .as_ref()
                .map_err(|e| TaskError::from(e.to_string()))?;
            let Some(bytes) = worker.blob(*blob) else {
                return Ok(Vec::new());
            };
            if bytes.len() as u64 > config.max_file_bytes
                || bytes[..bytes.len().min(8000)].contains(&0)
            {
                return Ok(Vec::new());
            }
            let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64 + 1;
            if bytes.len() as u64 / lines > config.max_average_line {
                return Ok(Vec::new());
            }
            Ok(chunking::chunks(
                path,
                &String::from_utf8_lossy(&bytes),
                *facts,
            ))
        },
        |w, path, _, chunks| {
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
                    embed,
                })?;
            }
            Ok(None)
        },
    )?;
    Ok(())
}

fn run_resolve(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    project: &Project<'_>,
    sources: &[Source],
    parsed: &HashMap<String, (u64, Parsed)>,
    manifests: u64,
) -> Result<(), UpdateError> {
    let mut exports: HashMap<&str, u64> = HashMap::new();
    let mut names: HashMap<&str, u64> = HashMap::new();
    let mut declared: Vec<Declared<&FileFacts>> = Vec::new();
    for s in sources {
        let Some((hash, Parsed::Facts(facts))) = parsed.get(&s.key) else {
            continue;
        };
        let mut fp = RESOLVE.input().str(&s.path).u64(*hash).u64(manifests);
        for dep in project.dependencies(&s.path) {
            let exported = *exports
                .entry(dep)
                .or_insert_with(|| project.facts(dep).map_or(0, exports_hash));
            fp.push_bytes(dep.as_bytes());
            fp.push_u64(exported);
        }
        let used: BTreeSet<&str> = facts.references.iter().map(|r| r.name.as_str()).collect();
        for name in used {
            let defined = *names.entry(name).or_insert_with(|| {
                let mut fp = Fingerprint::new();
                let mut defs: Vec<(&str, &str, &str)> = project
                    .definitions_named(name)
                    .iter()
                    .filter_map(|d| {
                        let def = project.facts(d.file)?.definitions.get(d.index as usize)?;
                        Some((d.file, def.qualified.as_str(), def.kind.name()))
                    })
                    .collect();
                defs.sort_unstable();
                for (file, qualified, kind) in defs {
                    fp.push_bytes(file.as_bytes());
                    fp.push_bytes(qualified.as_bytes());
                    fp.push_bytes(kind.as_bytes());
                }
                fp.finish()
            });
            fp.push_bytes(name.as_bytes());
            fp.push_u64(defined);
        }
        declared.push(Declared {
            key: s.path.clone(),
            input_hash: fp.finish(),
            data: facts,
        });
    }
    engine.run(
        tx,
        &RESOLVE,
        &declared,
        Sweep::Complete,
        |path, _| Ok(project.resolve(path)),
        |w, path, facts, resolution| {
            write_resolution(w, project, path, facts, &resolution)?;
            Ok(None)
        },
    )?;
    Ok(())
}

/// Per target file: imports naming it, calls into it (weighted by
/// confidence), type uses of it.
#[derive(Default)]
struct Dependency {
    imports: u32,
    calls: f64,
    types: u32,
}

fn write_resolution(
    w: &mut TaskWriter<'_>,
    project: &Project<'_>,
    path: &str,
    facts: &FileFacts,
    resolution: &Resolution,
) -> Result<(), TaskError> {
    let file = w.intern_node(NodeKind::File, path)?;
    let mut depends: BTreeMap<&str, Dependency> = BTreeMap::new();
    for targets in &resolution.imports {
        for t in targets {
            depends.entry(t.as_str()).or_default().imports += 1;
        }
    }
    // Calls aggregated per (caller, callee): count and confidence.
    let mut calls: BTreeMap<(NodeId, NodeId), (u32, f32)> = BTreeMap::new();
    for (r, targets) in facts.references.iter().zip(&resolution.references) {
        for t in targets {
            let Some(target_facts) = project.facts(&t.file) else {
                continue;
            };
            let Some(def) = target_facts.definitions.get(t.definition as usize) else {
                continue;
            };
            if t.file != path {
                let entry = depends.entry(t.file.as_str()).or_default();
                match r.kind {
                    RefKind::Type => entry.types += 1,
                    RefKind::Call | RefKind::Construct => entry.calls += f64::from(t.confidence),
                }
            }
            if r.kind == RefKind::Type {
                continue;
            }
            let from = match r.enclosing {
                Some(e) => NodeId::of(
                    NodeKind::Symbol,
                    &symbol_name(path, &facts.definitions[e as usize].qualified),
                ),
                None => file,
            };
            let to = NodeId::of(NodeKind::Symbol, &symbol_name(&t.file, &def.qualified));
            let entry = calls.entry((from, to)).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 = entry.1.max(t.confidence);
        }
    }
    for ((caller, callee), (count, confidence)) in calls {
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
    for (target, d) in depends {
        if target == path {
            continue;
        }
        let node = w.intern_node(NodeKind::File, target)?;
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
    let stats = resolution.stats;
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
