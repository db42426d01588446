//! `homer hooks install | uninstall`: git hooks that run `homer update` in
//! the background after commits, merges, checkouts and rewrites.
//!
//! A hook that is already there is kept: it is renamed `<hook>.pre-homer`
//! and Homer's hook runs it first, with the same arguments and input, and
//! exits with its status. Installing again changes nothing; uninstalling
//! removes exactly Homer's hooks and puts the kept ones back.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::Found;
use crate::output::Output;

/// The hooks after which HEAD may have moved.
const HOOKS: [&str; 4] = ["post-commit", "post-merge", "post-checkout", "post-rewrite"];
/// The line that tells Homer's hooks from anyone else's.
const MARKER: &str = "# homer-hook: keeps the index current";
/// What a kept hook is renamed to.
const KEPT: &str = ".pre-homer";

/// What happened to one hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    /// Written where there was none.
    Installed,
    /// Written; the hook that was there is kept and runs first.
    Chained,
    /// Homer's hook was there, from another build of Homer: rewritten.
    Updated,
    /// Homer's hook was there as it would be written.
    Unchanged,
    /// Homer's hook removed.
    Removed,
    /// Homer's hook removed and the kept hook put back.
    Restored,
    /// Someone else's hook: left alone.
    NotOurs,
    /// No hook there.
    Absent,
}

impl Action {
    fn describe(self, hook: &str) -> String {
        match self {
            Action::Installed => "installed".to_owned(),
            Action::Chained => {
                format!("installed; the hook that was there runs first (kept as {hook}{KEPT})")
            }
            Action::Updated => "updated (it named another homer binary)".to_owned(),
            Action::Unchanged => "already installed, unchanged".to_owned(),
            Action::Removed => "removed".to_owned(),
            Action::Restored => format!("removed; the hook kept as {hook}{KEPT} is back"),
            Action::NotOurs => "not Homer's hook: left alone".to_owned(),
            Action::Absent => "none".to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
struct HookReport {
    hook: &'static str,
    action: Action,
}

#[derive(Debug, Serialize)]
struct Report {
    hooks_dir: PathBuf,
    hooks: Vec<HookReport>,
}

/// The hook's text: the kept hook first, then `homer update` in the
/// background (not during a rebase, whose end runs post-rewrite; not for
/// a checkout of files, which moves no HEAD), its output appended to
/// `.homer/hook.log`.
fn script(homer: &Path) -> String {
    let homer = shell_quote(&homer.to_string_lossy());
    format!(
        r#"#!/bin/sh
{MARKER}
# Written by `homer hooks install`; `homer hooks uninstall` removes it and
# puts back the hook it replaced, kept beside it as "<hook>{KEPT}".
status=0
if [ -x "$0{KEPT}" ]; then
    "$0{KEPT}" "$@"
    status=$?
fi
git_dir=$(git rev-parse --git-dir 2>/dev/null) || exit $status
if [ -d "$git_dir/rebase-merge" ] || [ -d "$git_dir/rebase-apply" ]; then
    exit $status
fi
case "$0" in
    *post-checkout) [ "$3" = 1 ] || exit $status ;;
esac
root=$(git rev-parse --show-toplevel 2>/dev/null) || exit $status
homer={homer}
if [ ! -x "$homer" ]; then
    homer=$(command -v homer) || exit $status
fi
mkdir -p "$root/.homer" || exit $status
log="$root/.homer/hook.log"
if [ -f "$log" ] && [ "$(wc -c <"$log")" -gt 1000000 ]; then
    mv -f "$log" "$log.1"
fi
echo "== ${{0##*/}} at $(git rev-parse --short HEAD 2>/dev/null)" >>"$log"
(
    unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX
    nohup "$homer" update --repo "$root" </dev/null >>"$log" 2>&1 &
)
exit $status
"#
    )
}

/// A word for sh: in single quotes, each inner one closed, escaped and
/// reopened.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().nth(1) == Some(MARKER))
}

fn kept(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(KEPT);
    path.with_file_name(name)
}

/// Writes `text` to `path` as an executable file, through a temporary
/// file in the same directory, so a hook is never seen half-written.
fn write_hook(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in '{}'", dir.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make '{}' executable", path.display()))?;
    }
    file.persist(path)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    Ok(())
}

fn rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("cannot rename '{}' to '{}'", from.display(), to.display()))
}

/// A hook that is not Homer's with a kept one beside it: installing would
/// have to overwrite one of them.
fn in_the_way(dir: &Path, hook: &str) -> anyhow::Result<()> {
    let path = dir.join(hook);
    let keep = kept(&path);
    if path.symlink_metadata().is_ok() && !is_ours(&path) && keep.symlink_metadata().is_ok() {
        anyhow::bail!(
            "'{}' is not Homer's hook and '{}' exists too; move one of them away and install again (nothing was installed)",
            path.display(),
            keep.display()
        );
    }
    Ok(())
}

fn install_one(dir: &Path, hook: &str, text: &str) -> anyhow::Result<Action> {
    let path = dir.join(hook);
    let exists = path.symlink_metadata().is_ok();
    if !exists {
        write_hook(&path, text)?;
        return Ok(Action::Installed);
    }
    if is_ours(&path) {
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            return Ok(Action::Unchanged);
        }
        write_hook(&path, text)?;
        return Ok(Action::Updated);
    }
    rename(&path, &kept(&path))?;
    write_hook(&path, text)?;
    Ok(Action::Chained)
}

fn uninstall_one(dir: &Path, hook: &str) -> anyhow::Result<Action> {
    let path = dir.join(hook);
    let keep = kept(&path);
    let kept_there = keep.symlink_metadata().is_ok();
    if path.symlink_metadata().is_ok() {
        if !is_ours(&path) {
            return Ok(Action::NotOurs);
        }
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove '{}'", path.display()))?;
    } else if !kept_there {
        return Ok(Action::Absent);
    }
    if kept_there {
        rename(&keep, &path)?;
        return Ok(Action::Restored);
    }
    Ok(Action::Removed)
}

/// Whether one hook is Homer's, for `homer hooks` alone.
fn state_of(dir: &Path, hook: &str) -> Action {
    let path = dir.join(hook);
    match (path.symlink_metadata().is_ok(), is_ours(&path)) {
        (false, _) => Action::Absent,
        (true, false) => Action::NotOurs,
        (true, true) if kept(&path).symlink_metadata().is_ok() => Action::Chained,
        (true, true) => Action::Installed,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum What {
    Install,
    Uninstall,
    Show,
}

pub(crate) fn run(repo: &Path, what: What, out: &Output) -> anyhow::Result<Found> {
    let workspace = homer_vocab::Workspace::locate(repo)
        .with_context(|| format!("cannot open the repository at '{}'", repo.display()))?;
    let git = workspace.repository();
    if git.is_bare() {
        anyhow::bail!(
            "'{}' is a bare repository: it has no working tree to keep an index of, and no commits, merges or checkouts run there",
            repo.display()
        );
    }
    let dir = git
        .hooks_dir()
        .context("cannot tell where git keeps hooks")?;
    let mut hooks = Vec::new();
    match what {
        What::Install => {
            let homer =
                std::env::current_exe().context("cannot tell where this homer binary is")?;
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create '{}'", dir.display()))?;
            let text = script(&homer);
            for hook in HOOKS {
                in_the_way(&dir, hook)?;
            }
            for hook in HOOKS {
                hooks.push(HookReport {
                    hook,
                    action: install_one(&dir, hook, &text)?,
                });
            }
        }
        What::Uninstall => {
            for hook in HOOKS {
                hooks.push(HookReport {
                    hook,
                    action: uninstall_one(&dir, hook)?,
                });
            }
        }
        What::Show => {
            for hook in HOOKS {
                hooks.push(HookReport {
                    hook,
                    action: state_of(&dir, hook),
                });
            }
        }
    }
    let report = Report {
        hooks_dir: dir,
        hooks,
    };
    if out.json() {
        out.print_json(&report)?;
    } else {
        out.print(&text(&report, what))?;
    }
    let installed = report
        .hooks
        .iter()
        .any(|h| matches!(h.action, Action::Installed | Action::Chained));
    Ok(if what == What::Show && !installed {
        Found::Nothing
    } else {
        Found::Something
    })
}

fn text(report: &Report, what: What) -> String {
    use std::fmt::Write as _;
    let mut s = format!("hooks in {}\n", report.hooks_dir.display());
    for h in &report.hooks {
        let action = match (what, h.action) {
            (What::Show, Action::Installed) => "Homer's".to_owned(),
            (What::Show, Action::NotOurs) => "someone else's (install keeps it)".to_owned(),
            (What::Show, Action::Chained) => {
                format!("Homer's, running the kept {}{KEPT} first", h.hook)
            }
            (_, action) => action.describe(h.hook),
        };
        let _ = writeln!(s, "  {:<14} {action}", h.hook);
    }
    match what {
        What::Install => s.push_str(
            "homer update now runs in the background after commits, merges, checkouts and \
             rewrites (not during a rebase); its output goes to .homer/hook.log\n",
        ),
        What::Uninstall => {}
        What::Show => s.push_str(
            "`homer hooks install` installs them; `homer hooks uninstall` removes them\n",
        ),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_quotes_is_one_shell_word() {
        assert_eq!(shell_quote("/a b/it's/homer"), r"'/a b/it'\''s/homer'");
    }

    #[test]
    fn the_script_carries_the_marker_on_its_second_line() {
        let text = script(Path::new("/usr/bin/homer"));
        assert_eq!(text.lines().nth(1), Some(MARKER));
        assert!(text.contains("homer='/usr/bin/homer'"));
    }
}
