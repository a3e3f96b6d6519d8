//! piku's rules, from piku's own code (piku/piku `piku.py` @ca90545): where an app's
//! repository, checkout and venv are, and which way it installs Python dependencies.

use std::path::{Path, PathBuf};

/// One app on a piku server: piku's root and the app's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PikuApp {
    pub root: PathBuf,
    pub name: String,
}

impl PikuApp {
    /// The app whose bare repository is `git_dir` (real path): the repository is
    /// `<root>/repos/<app>` (`cmd_git_receive_pack`; piku writes `PIKU_ROOT` only into its
    /// own hook line, so the path is the truth). Outside a `repos` folder: `$PIKU_ROOT`, else
    /// `~/.piku`.
    pub fn of_repository(git_dir: &Path) -> Option<PikuApp> {
        let name = git_dir
            .file_name()?
            .to_str()?
            .trim_end_matches(".git")
            .to_string();
        let parent = git_dir.parent()?;
        let root = if parent.file_name().is_some_and(|n| n == "repos") {
            parent.parent()?.to_path_buf()
        } else {
            crate::vars::piku_root().or_else(|| crate::vars::home().map(|h| h.join(".piku")))?
        };
        Some(PikuApp { root, name })
    }

    /// The app's venv, `<root>/envs/<app>` (`deploy_python`: `virtualenv_path`), beside its
    /// `ENV`, `LIVE_ENV` and `SCALING`.
    pub fn venv(&self) -> PathBuf {
        self.root.join("envs").join(&self.name)
    }

    /// The app's checkout, `<root>/apps/<app>`, reset to each deployed ref (`do_deploy`:
    /// `git fetch`, `git reset --hard {newrev}`): its HEAD is what the venv was built from.
    pub fn checkout(&self) -> PathBuf {
        self.root.join("apps").join(&self.name)
    }
}

/// How piku installs a Python app's dependencies (`do_deploy`, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonPath {
    /// requirements.txt: pip into the venv, only when requirements.txt is newer than the
    /// venv (`deploy_python`).
    Pip,
    /// pyproject.toml with `poetry` on the PATH: `poetry install`, which removes nothing,
    /// only when pyproject.toml is newer than the venv (`deploy_python_with_poetry`).
    Poetry,
    /// pyproject.toml with `uv` on the PATH: `uv sync`, exact, on every deployment.
    Uv,
    /// Neither: piku takes it for no Python app.
    NotPython,
}

impl PythonPath {
    /// The path for an app with these root files, `on_path` saying whether a program is on
    /// the PATH (piku's `which`).
    pub fn of(
        has_requirements: bool,
        has_pyproject: bool,
        on_path: impl Fn(&str) -> bool,
    ) -> PythonPath {
        match (has_requirements, has_pyproject) {
            (true, _) => PythonPath::Pip,
            (false, true) if on_path("poetry") => PythonPath::Poetry,
            (false, true) if on_path("uv") => PythonPath::Uv,
            _ => PythonPath::NotPython,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_folders_follow_its_repository() {
        let app = PikuApp::of_repository(Path::new("/srv/piku/repos/shop")).expect("app");
        assert_eq!(app.venv(), Path::new("/srv/piku/envs/shop"));
        assert_eq!(app.checkout(), Path::new("/srv/piku/apps/shop"));
    }

    #[test]
    fn requirements_txt_goes_first_then_poetry_then_uv() {
        let both = |p: &str| p == "poetry" || p == "uv";
        assert_eq!(PythonPath::of(true, true, both), PythonPath::Pip);
        assert_eq!(PythonPath::of(false, true, both), PythonPath::Poetry);
        assert_eq!(PythonPath::of(false, true, |p| p == "uv"), PythonPath::Uv);
        assert_eq!(
            PythonPath::of(false, true, |_| false),
            PythonPath::NotPython
        );
        assert_eq!(PythonPath::of(false, false, both), PythonPath::NotPython);
    }
}
