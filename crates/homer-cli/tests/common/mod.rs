//! Running the `homer` binary as a user does, for the tests of this crate.

use std::path::Path;
use std::process::Command;

/// One run: exit code, stdout and stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `homer ARGS` in `cwd` with no user or system git configuration
/// and no embedding model, whatever this machine has installed: what a
/// user without one sees.
pub fn homer(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_homer"))
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOMER_MODEL_DIR", "/nonexistent/homer-model")
        .output()
        .expect("run homer");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
