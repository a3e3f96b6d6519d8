//! Checks and joins of relative `/`-separated paths: paths inside a commit (app root,
//! includes) and paths inside a site or deployment (env folder, site path). Pure string
//! work; nothing here touches the filesystem.

/// Why a relative path cannot be resolved inside its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Outside {
    #[error("is an absolute path")]
    Absolute,
    #[error("leads outside the repository")]
    ClimbsOut,
}

/// Whether a `/` or `\\` separated path has a `..` step.
pub fn climbs_out(path: &str) -> bool {
    path.split(['/', '\\']).any(|step| step == "..")
}

/// Whether a path stays inside the folder it is relative to: not empty, not absolute (no
/// leading separator, no drive), no `..` step.
pub fn is_relative_inside(path: &str) -> bool {
    !path.is_empty() && !path.starts_with(['/', '\\']) && !path.contains(':') && !climbs_out(path)
}

/// A folder as written by a user (`./app/`, `app\web`, `.`) in the `a/b` form, `""` for
/// the root.
pub fn clean_dir(path: &str) -> String {
    // As Kudu resolves `project` (SiteBuilderFactory: `Path.GetFullPath(Path.Combine(repo,
    // project.TrimStart('/', '\\')))`): empty and `.` parts dropped, `..` taking the part
    // before it. A NUL, which no folder name holds, stays a name that matches nothing.
    let path = path.trim().replace('\\', "/").replace('\0', "\u{fffd}");
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// `root/name`, or `name` at the root.
pub fn join(root: &str, name: &str) -> String {
    if root.is_empty() {
        name.to_string()
    } else {
        format!("{root}/{name}")
    }
}

/// `target` (`/` or `\\` separated) relative to the folder of the repository path `from`.
pub fn resolve_relative(from: &str, target: &str) -> Result<String, Outside> {
    let target_slashed = target.replace('\\', "/").replace('\0', "\u{fffd}");
    if target_slashed.starts_with('/') || target_slashed.get(1..2) == Some(":") {
        return Err(Outside::Absolute);
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target_slashed.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(Outside::ClimbsOut);
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err(Outside::ClimbsOut);
    }
    Ok(parts.join("/"))
}

/// Whether an executable file named `program` is in a folder of `PATH` (Python's
/// `shutil.which`, as piku.py asks it).
pub fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    crate::vars::path().is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_and_outside() {
        assert!(is_relative_inside("env"));
        assert!(is_relative_inside("a/b"));
        for bad in ["", "/abs", "\\x", "C:\\x", "../up", "a/../../b"] {
            assert!(!is_relative_inside(bad), "{bad}");
        }
        assert_eq!(clean_dir("./app/"), "app");
        assert_eq!(clean_dir("."), "");
        assert_eq!(clean_dir("src\\web"), "src/web");
        // As Kudu's Path.GetFullPath resolves them.
        assert_eq!(clean_dir("src//web"), "src/web");
        assert_eq!(clean_dir("./src/./web"), "src/web");
        assert_eq!(clean_dir("a/../b"), "b");
        assert_eq!(clean_dir("a/.."), "");
        assert_eq!(clean_dir("../x"), "../x");
        assert_eq!(clean_dir("a\0"), "a\u{fffd}");
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(
            resolve_relative("app/requirements.txt", "base.txt").as_deref(),
            Ok("app/base.txt")
        );
        assert_eq!(
            resolve_relative("app/r.txt", "../x.txt").as_deref(),
            Ok("x.txt")
        );
        assert_eq!(
            resolve_relative("r.txt", "../x.txt"),
            Err(Outside::ClimbsOut)
        );
        assert_eq!(resolve_relative("r.txt", "/etc/x"), Err(Outside::Absolute));
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("r", "a"), "r/a");
    }
}
