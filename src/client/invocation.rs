//! How the `git push` that runs the hook was invoked. git does not tell a pre-push hook
//! whether the push is a dry run or forced, so envguard reads the command line of the
//! `git push` process above it (Linux `/proc`, a few levels up, for the hook shim and hook
//! managers in between). Elsewhere, or when no such process is found, it assumes a plain
//! push.

pub use crate::hook_input::PushFlags;
use crate::vars;

/// The flags of the `git push` running this hook.
pub fn of_this_push() -> PushFlags {
    let mut flags = from_proc().unwrap_or_default();
    if let Ok(v) = std::env::var(vars::DRY_RUN) {
        flags.dry_run = v == "1";
    }
    flags
}

#[cfg(not(unix))]
fn from_proc() -> Option<PushFlags> {
    None
}

#[cfg(unix)]
fn from_proc() -> Option<PushFlags> {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..6 {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        // Each argument ends with a NUL, so there is no empty one after the last.
        let cmdline = cmdline.strip_suffix(&[0]).unwrap_or(&cmdline);
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if let Some(flags) = git_push_flags(&args) {
            return Some(flags);
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
        // Options whose value is the next word.
        if ["-o", "--push-option", "--repo", "--receive-pack", "--exec"].contains(&arg.as_str()) {
            rest.next();
            continue;
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        match arg.split('=').next().unwrap_or(arg) {
            "--dry-run" => flags.dry_run = true,
            "--force" | "--force-with-lease" | "--mirror" => flags.force = true,
            long if long.starts_with("--") => {}
            _ => {
                // Short options; `-o` takes a value that may follow in the same word.
                for c in arg[1..].chars() {
                    match c {
                        'n' => flags.dry_run = true,
                        'f' => flags.force = true,
                        'o' => break,
                        _ => {}
                    }
                }
            }
        }
    }
    Some(flags)
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
}
