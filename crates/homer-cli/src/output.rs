//! Writing results to stdout, as text or JSON.

use std::io::Write;

/// Where results go. Progress and notes go to stderr, never here.
#[derive(Debug)]
pub(crate) struct Output {
    json: bool,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Output { json }
    }

    pub(crate) fn json(&self) -> bool {
        self.json
    }

    /// The line a text answer ends with: the commit the index stood at
    /// when it answered (warnings above the answer say whether HEAD or
    /// the working tree has moved since).
    pub(crate) fn stands_on(indexed: Option<&str>) -> String {
        match indexed {
            Some(commit) => format!("\nindex at commit {}\n", &commit[..commit.len().min(12)]),
            None => "\nthe index holds no commit yet\n".to_owned(),
        }
    }

    /// Prints `value` as pretty JSON followed by a newline.
    pub(crate) fn print_json<T: serde::Serialize>(&self, value: &T) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.print(&text)
    }

    /// Prints text as is.
    #[allow(
        clippy::unused_self,
        reason = "all output goes through `Output`, whatever its mode"
    )]
    pub(crate) fn print(&self, text: &str) -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        Ok(())
    }
}

/// A closed stdout (`homer status | head -1`) is not an error worth a message.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
