//! The `homer` command: a git repository as a knowledge graph for people
//! and coding agents. This crate is thin: it parses arguments, calls
//! homer-update, homer-read and homer-render, prints results (text or `--json`) and maps outcomes to exit
//! codes. It is the only crate that prints or exits.
//!
//! Exit codes: 0 success, 1 ran fine but found nothing, 2 error.

// Printing is this crate's job (see the workspace lints).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::args::{Args, Command};
use crate::output::Output;

/// What a command found, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Something,
    Nothing,
    /// A review crossed the threshold it was given (exit 1, as for a
    /// command that found nothing: a CI gate).
    Gate,
}

fn main() -> ExitCode {
    install_panic_hook();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr
            // with 2, as for any other error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match std::panic::catch_unwind(|| run(&args)) {
        Ok(Ok(Found::Something)) => ExitCode::SUCCESS,
        Ok(Ok(Found::Nothing | Found::Gate)) => ExitCode::from(1),
        Ok(Err(e)) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("homer: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if e.chain().any(is_damaged_index) {
                eprintln!(
                    "  the index is damaged: `homer update --rebuild` builds it again from git \
                     (nothing in the repository is touched)"
                );
            }
            ExitCode::from(2)
        }
        // The panic hook has said what happened.
        Err(_) => ExitCode::from(2),
    }
}

/// Whether one link of an error's cause chain says the index is damaged.
fn is_damaged_index(error: &(dyn std::error::Error + 'static)) -> bool {
    homer_read::is_damaged_index(error)
        || error
            .downcast_ref::<homer_update::UpdateError>()
            .is_some_and(homer_update::UpdateError::is_damage)
        || error
            .downcast_ref::<homer_render::RenderError>()
            .is_some_and(homer_render::RenderError::is_damage)
}

fn run(args: &Args) -> anyhow::Result<Found> {
    let out = Output::new(args.json);
    let given = args.repo.clone().unwrap_or_else(|| ".".into());
    // Messages name the absolute path: "cannot update '.'" says nothing.
    let repo = std::path::absolute(&given).unwrap_or(given);
    match &args.command {
        Command::Update(update) => commands::update::run(&repo, update, &out),
        Command::Status => commands::status::run(&repo, &out),
        Command::Export(export) => commands::export::run(&repo, export, &out),
        Command::Search(search) => commands::search::run(&repo, search, &out),
        Command::Query(query) => commands::query::run(&repo, query, &out),
        Command::Render(render) => commands::render::run(&repo, render, &out),
        Command::Model(model) => commands::model::run(model, &out),
        Command::Review(review) => commands::review::run(&repo, review, &out),
        Command::Hooks(hooks) => {
            let what = match hooks.action {
                Some(args::HooksAction::Install) => commands::hooks::What::Install,
                Some(args::HooksAction::Uninstall) => commands::hooks::What::Uninstall,
                None => commands::hooks::What::Show,
            };
            commands::hooks::run(&repo, what, &out)
        }
        Command::Serve(serve) => {
            let options = homer_serve::ServeOptions {
                repo,
                auto_update: !serve.no_auto_update,
                update_wait: std::time::Duration::from_secs_f64(
                    serve.update_wait.clamp(0.0, 600.0),
                ),
            };
            homer_serve::serve_stdio(options).context("cannot serve")?;
            Ok(Found::Something)
        }
    }
}

/// A panic is a bug: say so in one line, without a backtrace, and let
/// `main` exit with 2.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        // A panic may come without a location: the message alone then.
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "homer: internal error: {message}{location} (this is a bug in Homer; please report it)"
        );
    }));
}
