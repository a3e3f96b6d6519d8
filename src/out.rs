//! Writing envguard's lines. Every line starts with `envguard: `; a closed pipe or terminal
//! (`envguard hook status | head -1`, a pusher that went away during post-receive) is not
//! an error worth dying for, so write failures are ignored instead of panicking as
//! `println!` would.

use std::io::Write;

/// One `envguard: ` line on stderr (the hooks' and commands' messages).
pub fn say(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr().lock(), "envguard: {}", line.as_ref());
}

/// One `envguard: ` line on stdout (a command's result, or a server hook's `remote:` line).
pub fn say_out(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stdout().lock(), "envguard: {}", line.as_ref());
}

/// Text on stdout as it is (a report or JSON).
pub fn print(text: impl AsRef<str>) {
    let _ = write!(std::io::stdout().lock(), "{}", text.as_ref());
}
