//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit status: 0 on success, 1 when a command ran fine but found nothing
(for example `status` before the first `update`), 2 on an error.

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
    /// Write a graph with its metrics, for Gephi, networkx or Graphviz.
    Export(ExportArgs),
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
}
