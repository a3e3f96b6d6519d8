//! Everything envguard shows, in one place: the wording of every message and report, as the
//! `Display` of a typed value, split by side, and the one printer that writes them.
//!
//! The wording: the client's pre-push hook and `envguard push` ([`Hook`], on stderr, where
//! git shows a hook's words; [`push`]), the server's post-receive hook ([`Receive`], on
//! stdout, which the pusher sees as `remote:` lines), verdicts and reasons ([`verdict`]),
//! the commands' reports ([`report`], [`status`], [`install`], [`check`]), what envguard says
//! of a platform and of settings ([`hint`]) and how a command ended ([`Command`]). The
//! executors decide which message; the printer writes it.
//!
//! The printer: every line envguard shows goes through [`emit`] (a typed message that
//! knows its stream) or, for a command's plain result, [`say_out`]. Every line passes the
//! same redaction on its way out ([`secret::scrub`]): URL user information masked, expanded
//! `${VAR}` values shown as their names, registered secrets (a credential helper's
//! password) masked, whatever path the text took to get here; and its control characters
//! shown as escapes ([`shown_controls`]).
//!
//! What may hold a secret is held in a redacting type ([`secret`]: a URL, a header, a
//! request line; [`command_line`]: a configured command), masked by where each part
//! stands, not by what it looks like.
//!
//! Lines start with `envguard: `; a closed pipe or terminal (`envguard hook status | head
//! -1`, a pusher that went away during post-receive) is not an error worth dying for, so
//! write failures are ignored instead of panicking as `println!` would.

pub mod check;
mod command;
pub mod command_line;
pub mod hint;
mod hook;
mod install;
pub mod push;
mod receive;
mod report;
pub mod secret;
mod status;
pub mod verdict;

pub use command::{AfterPanic, Command};
pub use hook::Hook;
pub use install::{InstallReport, InstallStep, InstallWarnings, Instead};
pub use push::{Unchecked, WAYS_OUT, Waiting};
pub use receive::{Hold, Receive};
pub use report::{
    DeployBranches, DeploymentReport, Deployments, DetectReport, EnvOutcome, Leftover,
    PlatformLabel, PlatformReport, RemotePlatform, RemoteWipeReport, ScriptWritten, SiteProject,
    SitePrune, SiteWipe, SiteWipeDryRun, Uninstalled, WipeOutcome, WipeRequests, Wiped,
};
pub use status::{
    CommittedSettings, DispatchOrder, HookState, HookStatus, RemoteStatus, ServerTarget,
    SideStatus, StatusWarnings, ToggleRuntime,
};

use std::fmt::Display;
use std::io::Write;

/// Where a line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// stderr: a hook's or a command's messages (git shows a pre-push hook's stderr).
    Messages,
    /// stdout: a command's result, or a server hook's `remote:` line.
    Results,
}

/// A value that is one or more lines of output.
pub trait Line: Display {
    /// The stream the line belongs on.
    fn stream(&self) -> Stream;
}

/// Writes a message on its stream, one `envguard: ` line per line of its text.
pub fn emit(message: &impl Line) {
    write_lines(message.stream(), &message.to_string());
}

/// A message for a run where all is well: shown only with `-v` (or `ENVGUARD_LOG=info`), so
/// that a hook is quiet on every push that needs nothing.
pub fn emit_detail(message: &impl Line) {
    if log::log_enabled!(log::Level::Info) {
        emit(message);
    }
}

/// One `envguard: ` line (or several) on `stream`, scrubbed of secrets.
pub fn write_lines(stream: Stream, text: &str) {
    let text = shown_controls(&secret::scrub(text)).into_owned();
    let mut buffer = String::with_capacity(text.len() + 16);
    for line in text.split('\n') {
        // A message that names envguard on a line of its own keeps one prefix.
        buffer.push_str("envguard: ");
        buffer.push_str(line.strip_prefix("envguard: ").unwrap_or(line));
        buffer.push('\n');
    }
    let _ = match stream {
        Stream::Messages => std::io::stderr().lock().write_all(buffer.as_bytes()),
        Stream::Results => std::io::stdout().lock().write_all(buffer.as_bytes()),
    };
}

/// A command's report written on `out` (stdout through [`Scrubbed`]) as `check` and `env
/// diff` show it: `envguard: ` before its first line only, the indented lines after it as
/// they are.
pub fn write_report(out: &mut dyn Write, report: &impl Display) -> std::io::Result<()> {
    writeln!(out, "envguard: {report}")
}

/// `text` with its control characters (but line ends and tabs) and the marks that reorder
/// text (Unicode's bidirectional controls) written as escapes (`\x1b`, `\x00`, `\u{9b}`,
/// `\u{202e}`): a ref name, a commit subject or a hook's input that holds them moves no
/// cursor, clears no screen and shows no text reversed on the user's terminal.
pub fn shown_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bidi = |c: char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let shown = |c: char| (!c.is_control() && !bidi(c)) || c == '\n' || c == '\t';
    if text.chars().all(shown) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if shown(c) => out.push(c),
            c if u32::from(c) < 0x80 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for the user to paste elsewhere (a hook manager's entry), on stdout as it is: no
/// `envguard: ` prefix, but scrubbed like every other line.
pub fn paste(text: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(secret::scrub(text).as_bytes());
}

/// A line of another program (git's own push output) passed on to stderr as it is, but
/// scrubbed of secrets like every other line.
pub fn relay(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", secret::scrub(line));
}

/// A writer that scrubs what passes through it line by line (the `check` report, JSON,
/// `env diff`), for output written with `writeln!`.
pub struct Scrubbed<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Scrubbed<W> {
    pub fn new(inner: W) -> Self {
        Scrubbed {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for Scrubbed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|b| *b == b'\n') {
            let complete: Vec<u8> = self.pending.drain(..=end).collect();
            let text =
                shown_controls(&secret::scrub(&String::from_utf8_lossy(&complete))).into_owned();
            self.inner.write_all(text.as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let text = shown_controls(&secret::scrub(&String::from_utf8_lossy(&self.pending)))
                .into_owned();
            self.pending.clear();
            self.inner.write_all(text.as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Scrubbed<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::shown_controls;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(shown_controls("plain\tline\n"), "plain\tline\n");
        assert_eq!(
            shown_controls("\u{1b}[2Jref\0\r\u{9b}"),
            "\\x1b[2Jref\\x00\\x0d\\u{9b}"
        );
        assert_eq!(shown_controls("abc\u{202e}fed"), "abc\\u{202e}fed");
    }
}
