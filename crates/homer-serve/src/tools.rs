//! The tools `homer serve` offers, each a thin call into the read side.

use std::fmt::Write;
use std::sync::Arc;

use homer_read::{Index, QueryOptions, QueryOutcome, SearchMode, SearchOptions, View};
use homer_render::ReviewTarget;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::schemars::{self, JsonSchema};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};

use crate::ServeOptions;
use crate::fit::{Answer, Limit, MIN_TOKENS, fit, tool_error};
use crate::state::{Shared, UpdateNote, error_chain};

/// Tokens an answer may use unless the caller says otherwise.
const DEFAULT_TOKENS: usize = homer_render::TASK_BUDGET;
/// More than this is not a question but a paste of a file.
const MAX_TEXT: usize = 8192;
/// Paths a review may name.
const MAX_FILES: usize = 1000;

const INSTRUCTIONS: &str = "Homer answers questions about this git repository from its \
index: code structure (definitions, imports, calls), history (churn, co-changes, owners) and \
what matters (salience). Start with `context` for a task, `search` to find code by words, \
`query` for one file, directory or symbol. Every answer begins with the commit it stands on \
and names the files that changed in the working tree since.";

fn default_tokens() -> usize {
    DEFAULT_TOKENS
}
fn default_limit() -> usize {
    10
}
/// A number of entries: none asked for is a mistake, refused (an empty
/// answer would read as nothing found).
fn at_least_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom("limit must be at least 1"));
    }
    Ok(n)
}
fn default_depth() -> usize {
    1
}

// Every tool's arguments refuse a name they do not have: an argument
// spelled as another tool or the CLI spells it (`budget` for
// `max_tokens`) would otherwise be dropped without a word, and the answer
// would look like one to what was asked. The schemas say so too
// (`additionalProperties: false`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for: words, identifiers, or a pasted error message.
    pub query: String,
    /// `hybrid` (text and embeddings fused, the default), `text` or `semantic`.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Results wanted (fewer when they do not fit `max_tokens`).
    #[serde(default = "default_limit", deserialize_with = "at_least_one")]
    #[schemars(range(min = 1))]
    pub limit: usize,
    /// The answer never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Hybrid,
    Text,
    Semantic,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryArgs {
    /// A path relative to the repository root (file or directory), a
    /// place `path:LINE` (the definition holding that line), or a symbol:
    /// `path::Name`, `Type::method` or a bare name.
    pub target: String,
    /// Hops of callers/callees or dependents to follow (1 to 4).
    #[serde(default = "default_depth")]
    pub depth: usize,
    /// Entries per list.
    #[serde(default = "default_limit", deserialize_with = "at_least_one")]
    #[schemars(range(min = 1))]
    pub limit: usize,
    /// The answer never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextArgs {
    /// The task in words ("add retries to the HTTP client").
    pub task: String,
    /// Paths the task is about, besides what the words find.
    #[serde(default)]
    pub focus: Vec<String>,
    /// The context never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoChangesArgs {
    /// A file path relative to the repository root.
    pub path: String,
    /// Partners wanted.
    #[serde(default = "default_limit", deserialize_with = "at_least_one")]
    #[schemars(range(min = 1))]
    pub limit: usize,
    /// The answer never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewArgs {
    /// The changed files (paths relative to the repository root). Without
    /// files or range: the working tree and staged changes against HEAD.
    #[serde(default)]
    pub files: Vec<String>,
    /// A revision range (`main..HEAD`) or one commit, instead of files.
    #[serde(default)]
    pub range: Option<String>,
    /// The staged changes only (what `git commit` would commit), instead
    /// of the whole working tree.
    #[serde(default)]
    pub staged: bool,
    /// Entries per list.
    #[serde(default = "default_limit", deserialize_with = "at_least_one")]
    #[schemars(range(min = 1))]
    pub limit: usize,
    /// The answer never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {
    /// The answer never uses more tokens than this (`o200k_base`).
    #[serde(default = "default_tokens")]
    pub max_tokens: usize,
}

/// One co-change partner.
#[derive(Debug, Serialize)]
struct Partner {
    path: String,
    degree: f64,
    shared: u64,
    /// An import or a call between the two explains the coupling.
    explained: bool,
}

#[derive(Debug, Serialize)]
struct CoChanges {
    path: String,
    partners: Vec<Partner>,
    /// What the answer stands on, when that needs saying (a shallow
    /// clone's history, the file edited in the working tree).
    warnings: Vec<String>,
}

/// The MCP server: the tools below over one repository's index.
#[derive(Debug, Clone)]
pub struct HomerServer {
    shared: Arc<Shared>,
    tool_router: ToolRouter<Self>,
}

impl HomerServer {
    #[must_use]
    pub fn new(options: ServeOptions) -> HomerServer {
        HomerServer {
            shared: Arc::new(Shared::new(options)),
            tool_router: Self::tool_router(),
        }
    }

    #[allow(
        clippy::result_large_err,
        reason = "once per call, beside a database read"
    )]
    /// Runs `answer` on a blocking thread with an open index; errors become
    /// tool errors that say what to do.
    async fn answer(
        &self,
        max_tokens: usize,
        answer: impl FnOnce(&Arc<Shared>, &Index, &UpdateNote, usize) -> CallToolResult + Send + 'static,
    ) -> CallToolResult {
        if max_tokens < MIN_TOKENS {
            return tool_error(&format!(
                "max_tokens must be at least {MIN_TOKENS} (got {max_tokens})"
            ));
        }
        let shared = Arc::clone(&self.shared);
        let joined = tokio::task::spawn_blocking(move || {
            let inner = Arc::clone(&shared);
            shared.with_index(|index, note| answer(&inner, index, note, max_tokens))
        })
        .await;
        match joined {
            Ok(Ok(result)) => result,
            Ok(Err((e, note))) => {
                let mut message = error_chain(&e);
                if e.is_not_indexed() && note == UpdateNote::Running {
                    message = format!(
                        "there is no index yet; `homer update` is building it now: ask again in a while ({message})"
                    );
                } else if let UpdateNote::Failed(why) = note {
                    message = format!("{message}; the update failed: {why}");
                }
                if e.is_damage() {
                    message.push_str(
                        "; the index is damaged: `homer update --rebuild` builds it again from git",
                    );
                }
                tool_error(&message)
            }
            Err(e) => tool_error(&format!(
                "internal error (a bug in Homer; the server goes on): {e}"
            )),
        }
    }
}

fn too_long(what: &str, text: &str) -> Option<CallToolResult> {
    (text.len() > MAX_TEXT).then(|| {
        tool_error(&format!(
            "{what} is {} bytes; at most {MAX_TEXT} are read",
            text.len()
        ))
    })
}

/// The repository paths a query answer mentions.
fn query_paths(outcome: &QueryOutcome) -> Vec<String> {
    let QueryOutcome::Found { view, .. } = outcome else {
        return Vec::new();
    };
    match view {
        View::File(f) => std::iter::once(&f.path)
            .chain(f.imports.iter().map(|l| &l.path))
            .chain(f.imported_by.iter().map(|l| &l.path))
            .chain(f.calls_into.iter().map(|l| &l.path))
            .chain(f.called_from.iter().map(|l| &l.path))
            .chain(f.co_changes.iter().map(|c| &c.path))
            .cloned()
            .collect(),
        View::Directory(d) => d.top_files.iter().map(|f| f.path.clone()).collect(),
        View::Symbol(s) => vec![s.path.clone()],
    }
}

/// The co-change partners of `path` in words.
fn co_changes_text(path: &str, partners: &[Partner], warnings: &[String]) -> String {
    let mut text = String::new();
    for w in warnings {
        let _ = writeln!(text, "! {w}");
    }
    let _ = writeln!(text, "{path} changes with (degree %, shared commits):");
    if partners.is_empty() {
        text.push_str(
            "  nothing: no file shares enough of its commits \
             (the thresholds are `[coupling]` in .homer/config.toml)\n",
        );
    }
    for p in partners {
        let why = if p.explained {
            ""
        } else {
            "  no import or call explains it"
        };
        let _ = writeln!(text, "  {}  ({:.0}%, {}){why}", p.path, p.degree, p.shared);
    }
    text
}

#[tool_router]
impl HomerServer {
    #[tool(
        description = "Find the code that answers a question: definitions and files ranked by a code-aware text index fused with embeddings. Accepts words, identifiers or a pasted error message. Returns ranked hits with path, lines, symbol and a snippet."
    )]
    async fn search(&self, Parameters(args): Parameters<SearchArgs>) -> CallToolResult {
        if let Some(e) = too_long("query", &args.query) {
            return e;
        }
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            fit(
                index,
                note,
                max_tokens,
                Limit::Entries(args.limit),
                |limit| {
                    let options = SearchOptions {
                        limit,
                        mode: match args.mode.unwrap_or(Mode::Hybrid) {
                            Mode::Hybrid => SearchMode::Hybrid,
                            Mode::Text => SearchMode::Text,
                            Mode::Semantic => SearchMode::Semantic,
                        },
                        commits: false,
                    };
                    let results = homer_read::search(index, &args.query, &options)
                        .map_err(|e| error_chain(&e))?;
                    let paths = results.hits.iter().filter_map(|h| h.path.clone()).collect();
                    // The note (nothing searched, semantic search off)
                    // is in the text too: an agent may read only that.
                    let note = results
                        .note
                        .as_ref()
                        .map_or(String::new(), |n| format!("note: {n}\n"));
                    let text = note + &homer_render::text::search(&results);
                    Ok(Answer {
                        text,
                        paths,
                        value: results,
                    })
                },
            )
        })
        .await
    }

    #[tool(
        description = "Describe one file, directory or symbol: what it defines, what imports or calls it and what it calls, what changes with it, its history and owners, and why it matters (salience). Use depth for callers of callers."
    )]
    async fn query(&self, Parameters(args): Parameters<QueryArgs>) -> CallToolResult {
        if let Some(e) = too_long("target", &args.target) {
            return e;
        }
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            fit(
                index,
                note,
                max_tokens,
                Limit::Entries(args.limit),
                |limit| {
                    let options = QueryOptions {
                        depth: args.depth,
                        limit,
                    };
                    let outcome = homer_read::query(index, index.root(), &args.target, &options)
                        .map_err(|e| error_chain(&e))?;
                    Ok(Answer {
                        text: homer_render::text::query(&outcome),
                        paths: query_paths(&outcome),
                        value: outcome,
                    })
                },
            )
        })
        .await
    }

    #[tool(
        description = "The context for a coding task within a token budget: the files it will most likely edit, first things first (text search, the call graph around the hits, and what like past commits changed), with their most related definitions' signatures and docs, where the leading ones are called, and the files that usually change with the first ones. Call this first when starting a task."
    )]
    async fn context(&self, Parameters(args): Parameters<ContextArgs>) -> CallToolResult {
        if let Some(e) = too_long("task", &args.task) {
            return e;
        }
        if args.focus.len() > MAX_FILES {
            return tool_error(&format!("at most {MAX_FILES} focus paths are read"));
        }
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            // The budget is the limit lowered until the stamped answer fits;
            // the structured form holds the text once more, escaped.
            let start = max_tokens.saturating_sub(120) * 9 / 10;
            // Searched and walked once; each attempt only renders.
            let plan = match homer_render::task_plan_reading(index, &args.task, &args.focus) {
                Ok(plan) => plan,
                Err(e) => return tool_error(&error_chain(&e)),
            };
            // Never below what the context needs at least: a smaller budget
            // is an answer that cannot be given, said in the caller's terms.
            let least = plan.least_budget();
            fit(index, note, max_tokens, Limit::Tokens(start.max(least)), |budget| {
                if budget < least {
                    return Err(format!(
                        "max_tokens={max_tokens} cannot hold this task's context: its heading alone is {least} tokens, and the answer carries it twice (as text and as structured content) with what it stands on; ask for more"
                    ));
                }
                let context = plan.fit(budget).map_err(|e| error_chain(&e))?;
                Ok(Answer {
                    text: context.text.clone(),
                    // The stamp names the shown and the quoted files that
                    // differ in the working tree.
                    paths: context
                        .files
                        .iter()
                        .chain(&context.quoted)
                        .chain(&args.focus)
                        .cloned()
                        .collect(),
                    value: context,
                })
            })
        })
        .await
    }

    #[tool(
        description = "What usually changes together with a file, from the git history: partner files with the share of commits they share (degree %) and whether any import or call explains the coupling. Unexplained coupling is what a diff does not show."
    )]
    async fn co_changes(&self, Parameters(args): Parameters<CoChangesArgs>) -> CallToolResult {
        if let Some(e) = too_long("path", &args.path) {
            return e;
        }
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            fit(index, note, max_tokens, Limit::Entries(args.limit), |limit| {
                let options = QueryOptions { depth: 1, limit };
                let outcome = homer_read::query(index, index.root(), &args.path, &options)
                    .map_err(|e| error_chain(&e))?;
                let QueryOutcome::Found {
                    view: View::File(file),
                    warnings,
                } = outcome
                else {
                    return Err(format!(
                        "'{}' is not a file of the index (co-changes are per file; `query` finds directories and symbols)",
                        args.path
                    ));
                };
                let partners: Vec<Partner> = file
                    .co_changes
                    .iter()
                    .map(|c| Partner {
                        path: c.path.clone(),
                        degree: c.degree,
                        shared: c.shared,
                        explained: !c.hidden,
                    })
                    .collect();
                let text = co_changes_text(&file.path, &partners, &warnings);
                let paths = std::iter::once(file.path.clone())
                    .chain(partners.iter().map(|p| p.path.clone()))
                    .collect();
                Ok(Answer {
                    text,
                    paths,
                    value: CoChanges {
                        path: file.path,
                        partners,
                        warnings,
                    },
                })
            })
        })
        .await
    }

    #[tool(
        description = "Review a change before committing or merging: risk of each changed file with reasons and the definitions it edits, files that usually change with them but are not in the change (likely forgotten), definitions elsewhere that call what it edits, tests to run, and the people who know the code. Give a revision range (`main..HEAD`) or a commit, `staged`, files, or nothing for the working tree against HEAD."
    )]
    async fn review(&self, Parameters(args): Parameters<ReviewArgs>) -> CallToolResult {
        if args.files.len() > MAX_FILES {
            return tool_error(&format!("at most {MAX_FILES} files are reviewed"));
        }
        if let Some(range) = &args.range
            && let Some(e) = too_long("range", range)
        {
            return e;
        }
        let given = [args.range.is_some(), !args.files.is_empty(), args.staged];
        if given.iter().filter(|g| **g).count() > 1 {
            return tool_error("give files, a range or staged, not more than one");
        }
        let target = match (&args.range, args.files.is_empty(), args.staged) {
            (Some(range), _, _) => ReviewTarget::Range(range.clone()),
            (None, false, _) => ReviewTarget::Files(args.files.clone()),
            (None, true, true) => ReviewTarget::Staged,
            (None, true, false) => ReviewTarget::WorkTree,
        };
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            let change = match homer_render::change_of(index, &target) {
                Ok(c) => c,
                Err(e) => return tool_error(&error_chain(&e)),
            };
            fit(
                index,
                note,
                max_tokens,
                Limit::Entries(args.limit),
                |limit| {
                    let review =
                        homer_render::review(index, &change, limit).map_err(|e| error_chain(&e))?;
                    let mentioned = review
                        .changed
                        .iter()
                        .map(|c| c.path.clone())
                        .chain(review.likely_forgotten.iter().map(|f| f.path.clone()))
                        .chain(review.impact.iter().map(|d| d.path.clone()))
                        .chain(review.tests.iter().map(|t| t.path.clone()))
                        .collect();
                    Ok(Answer {
                        text: homer_render::review_text(&review),
                        paths: mentioned,
                        value: review,
                    })
                },
            )
        })
        .await
    }

    #[tool(
        description = "What the index holds and how fresh it is: the indexed commit against HEAD, counts of files, symbols, calls and commits, and which search modes are available."
    )]
    async fn status(&self, Parameters(args): Parameters<StatusArgs>) -> CallToolResult {
        self.answer(args.max_tokens, move |_, index, note, max_tokens| {
            fit(index, note, max_tokens, Limit::Entries(1), |_| {
                let status = homer_read::status_of(index)
                    .map_err(|e| error_chain(&e))?
                    .against(&homer_update::task_versions());
                Ok(Answer {
                    text: homer_render::text::status(&status),
                    paths: Vec::new(),
                    value: status,
                })
            })
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HomerServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("homer", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}
