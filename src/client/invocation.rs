//! How the `git push` that runs the hook was invoked. git does not tell a pre-push hook
//! whether the push is a dry run or forced, so envguard reads the command line of the
//! `git push` process above it (Linux `/proc`, a few levels up, for the hook shim and hook
//! managers in between). Elsewhere, or when no such process is found, it assumes a plain
//! push.

pub use crate::hook_input::PushFlags;
use crate::vars;

/// What of the user's `git push` the toggle's own pushes must repeat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushExtras {
    /// `-o` / `--push-option` values, in order.
    pub options: Vec<String>,
    /// `--signed` (`Some("")`) or `--signed=<value>`.
    pub signed: Option<String>,
    /// `-u` / `--set-upstream`.
    pub set_upstream: bool,
}

/// The flags of the `git push` running this hook.
pub fn of_this_push() -> PushFlags {
    let mut flags = from_proc().map(|(f, _)| f).unwrap_or_default();
    if let Some(dry_run) = vars::dry_run() {
        flags.dry_run = dry_run;
    }
    flags
}

/// The options of the `git push` running this hook that the toggle's pushes repeat.
pub fn extras_of_this_push() -> PushExtras {
    from_proc().map(|(_, e)| e).unwrap_or_default()
}

#[cfg(not(unix))]
fn from_proc() -> Option<(PushFlags, PushExtras)> {
    None
}

#[cfg(unix)]
fn from_proc() -> Option<(PushFlags, PushExtras)> {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..6 {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        // Each argument ends with a NUL, so there is no empty one after the last.
        let cmdline = cmdline.strip_suffix(&[0]).unwrap_or(&cmdline);
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if let Some(found) = parse_git_push(&args) {
            return Some(found);
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after ')'.
        let ppid: u32 = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        if ppid <= 1 {
            return None;
        }
        pid = ppid;
    }
    None
}

/// For the arguments of a `git … push …` process, its flags; `None` for any other process.
pub fn git_push_flags(args: &[String]) -> Option<PushFlags> {
    parse_git_push(args).map(|(flags, _)| flags)
}

/// Options whose value is the next word when not joined to them.
const TAKES_VALUE: [&str; 5] = ["-o", "--push-option", "--repo", "--receive-pack", "--exec"];

/// The flags and extras of a `git … push …` command line; `None` for any other process.
pub fn parse_git_push(args: &[String]) -> Option<(PushFlags, PushExtras)> {
    let program = args.first()?.rsplit('/').next()?;
    if program != "git" && program != "git-push" {
        return None;
    }
    let push_at = if program == "git-push" {
        0
    } else {
        args.iter().position(|a| a == "push")?
    };
    let mut flags = PushFlags::default();
    let mut extras = PushExtras::default();
    let mut options_done = false;
    let mut words = 0;
    let mut rest = args[push_at + 1..].iter();
    while let Some(arg) = rest.next() {
        if options_done || !arg.starts_with('-') {
            // The first word is the repository, the others refspecs.
            words += 1;
            flags.refspecs |= words > 1 && arg.contains(':');
            flags.force |= arg.starts_with('+');
            continue;
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        if TAKES_VALUE.contains(&arg.as_str()) {
            let value = rest.next();
            if arg == "-o" || arg == "--push-option" {
                extras.options.extend(value.cloned());
            }
            continue;
        }
        let (name, value) = arg
            .split_once('=')
            .map_or((arg.as_str(), None), |(n, v)| (n, Some(v)));
        match name {
            "--dry-run" => flags.dry_run = true,
            "--atomic" => flags.atomic = true,
            "--no-atomic" => flags.atomic = false,
            "--force" | "--force-with-lease" | "--mirror" => flags.force = true,
            "--push-option" => extras.options.extend(value.map(str::to_string)),
            "--signed" => extras.signed = Some(value.unwrap_or("").to_string()),
            "--no-signed" => extras.signed = None,
            "--set-upstream" => extras.set_upstream = true,
            long if long.starts_with("--") => {}
            _ => short_options(&arg[1..], &mut flags, &mut extras),
        }
    }
    Some((flags, extras))
}

/// A cluster of short options (`-qfu`); `-o` takes the rest of the word as its value.
fn short_options(cluster: &str, flags: &mut PushFlags, extras: &mut PushExtras) {
    for (at, c) in cluster.char_indices() {
        match c {
            'n' => flags.dry_run = true,
            'f' => flags.force = true,
            'u' => extras.set_upstream = true,
            'o' => {
                extras.options.push(cluster[at + 1..].to_string());
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(line: &str) -> Option<PushFlags> {
        let args: Vec<String> = line.split(' ').map(str::to_string).collect();
        git_push_flags(&args)
    }

    const DRY: PushFlags = PushFlags::DRY_RUN;
    const FORCE: PushFlags = PushFlags::FORCED;

    #[test]
    fn dry_run_and_force() {
        let refspec = |f: PushFlags| PushFlags {
            refspecs: true,
            ..f
        };
        let plain = PushFlags::default();
        assert_eq!(flags("git push --dry-run origin master"), Some(DRY));
        assert_eq!(
            flags("git push --dry-run origin master:master"),
            Some(refspec(DRY))
        );
        assert_eq!(flags("/usr/bin/git -c a=b push -qn origin"), Some(DRY));
        assert_eq!(flags("git push -o envguard.wipe origin"), Some(plain));
        assert_eq!(flags("git push -oenvguard.wipe origin"), Some(plain));
        assert_eq!(flags("git push origin -- -n:x"), Some(refspec(plain)));
        assert_eq!(flags("git push --force origin master"), Some(FORCE));
        assert_eq!(
            flags("git push -qf origin HEAD:master"),
            Some(refspec(FORCE))
        );
        assert_eq!(
            flags("git push --force-with-lease=master:abc origin"),
            Some(FORCE)
        );
        assert_eq!(flags("git push origin +master"), Some(FORCE));
        assert_eq!(flags("git push -o x origin a:b"), Some(refspec(plain)));
        assert_eq!(flags("git push origin"), Some(plain));
        assert_eq!(
            flags("git push origin master --force-if-includes"),
            Some(plain)
        );
        assert_eq!(flags("git fetch -n"), None);
        assert_eq!(flags("python3 pre-commit"), None);
    }

    #[test]
    fn extras_the_toggle_repeats() {
        let extras = |line: &str| {
            let args: Vec<String> = line.split(' ').map(str::to_string).collect();
            parse_git_push(&args).map(|(_, e)| e)
        };
        let found = extras("git push -u -o ci.skip --push-option=a=b -oz --signed=if-asked origin")
            .expect("a push");
        assert_eq!(found.options, ["ci.skip", "a=b", "z"]);
        assert_eq!(found.signed.as_deref(), Some("if-asked"));
        assert!(found.set_upstream);
        let found = extras("git push --signed --no-signed -qu origin").expect("a push");
        assert_eq!(found.signed, None);
        assert!(found.set_upstream);
        assert_eq!(extras("git push origin"), Some(PushExtras::default()));
    }
}
