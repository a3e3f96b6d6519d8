//! A commit's watched files read through git2: the watched paths of a commit, the tree
//! reader the requirements parser uses (noting objects a partial clone lacks), and
//! `file_at`, which follows symbolic links inside the repository as a checkout would.

use std::cell::OnceCell;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::rules::RuntimeFile;
use crate::Result;
use crate::requirements::{Closure, RequirementSet, TreeReader};

/// The watched paths of one commit.
pub(super) struct Watched {
    /// App root inside the repository, `""` for the repository root.
    pub(super) root: String,
    pub(super) requirements: Closure<Oid>,
    pub(super) runtime_txt: Option<Oid>,
    pub(super) python_version: Option<Oid>,
    /// The `<root>/<envDir>` entry (tree, or anything committed there).
    pub(super) env: Option<Oid>,
    /// Where the platform fails the build on a misspelled `.python-version`
    /// (heroku-buildpack-python, without runtime.txt): the first such name in the app root.
    pub(super) misspelled: Option<String>,
    pub(super) set: OnceCell<RequirementSet>,
}

impl Watched {
    pub(super) fn same(&self, other: &Watched) -> bool {
        self.root == other.root
            && self.runtime_txt == other.runtime_txt
            && self.python_version == other.python_version
            && self.env == other.env
            && self.misspelled == other.misspelled
            && self.requirements.same_files(&other.requirements)
    }

    pub(super) fn runtime_id(&self, file: RuntimeFile) -> Option<Oid> {
        match file {
            RuntimeFile::Txt => self.runtime_txt,
            RuntimeFile::PythonVersion => self.python_version,
        }
    }

    pub(super) fn set(&self) -> &RequirementSet {
        self.set
            .get_or_init(|| RequirementSet::from_closure(&self.requirements))
    }
}

/// A commit's tree as seen by the requirements reader. Objects a partial clone lacks are
/// noted (as revisions git can fetch) instead of being read as absent.
pub(super) struct GitTree<'r> {
    pub(super) repo: &'r Repository,
    pub(super) tree: git2::Tree<'r>,
    pub(super) missing: std::cell::RefCell<Vec<String>>,
    /// The platform's file system ignores case (Windows): an `-r More.txt` finds
    /// `more.txt`, as pip there does.
    pub(super) ignore_case: bool,
}

impl TreeReader for GitTree<'_> {
    type Id = Oid;

    fn lookup(&self, path: &str) -> Result<Option<Oid>, crate::Invalid> {
        let path = &spelled(self.repo, &self.tree, path, self.ignore_case);
        let found = file_at(self.repo, &self.tree, path);
        if matches!(found, Ok(None))
            && let Err(e) = self.tree.get_path(Path::new(path))
            && is_missing_object(&e)
        {
            self.missing
                .borrow_mut()
                .push(format!("{}:{path}", self.tree.id()));
        }
        found
    }

    fn read(&self, id: &Oid) -> Option<Vec<u8>> {
        match self.repo.find_blob(*id) {
            Ok(blob) => Some(blob.content().to_vec()),
            Err(e) => {
                if is_missing_object(&e) {
                    self.missing.borrow_mut().push(id.to_string());
                }
                None
            }
        }
    }
}

/// Whether a git2 error is an object the repository does not have (in a partial clone: one
/// its promisor remote has).
pub(super) fn is_missing_object(e: &git2::Error) -> bool {
    e.code() == git2::ErrorCode::NotFound && e.class() == git2::ErrorClass::Odb
}

/// Rounds of fetching per commit: each may reveal a further include.
pub(super) const FETCH_ROUNDS: usize = 8;

/// Symbolic links followed in a row before giving up (as a loop).
pub(super) const MAX_LINKS: usize = 8;

/// `path` as the tree spells it, on a platform whose file system ignores case (Windows:
/// Kudu finds `Requirements.txt`, `Runtime.txt`, `.Deployment` and a `project = Src/Web`
/// for the folder `src/web`): each part of `path` the tree lacks as written is the entry
/// whose name is the same without case. Parts after one that matches nothing stay as
/// written; without `ignore_case`, `path` is returned as it is.
pub fn spelled(repo: &Repository, tree: &git2::Tree, path: &str, ignore_case: bool) -> String {
    // A NUL stands in no tree entry's name (and git2 cannot look one up).
    let path = &path.replace('\0', "\u{fffd}");
    if !ignore_case || path.is_empty() {
        return path.to_string();
    }
    let same = |a: &str, b: &str| a == b || a.to_lowercase() == b.to_lowercase();
    let mut spelled: Vec<String> = Vec::new();
    let mut folder = Some(tree.clone());
    for part in path.split('/') {
        let found = folder.as_ref().and_then(|t| {
            t.get_name(part)
                .or_else(|| t.iter().find(|e| e.name().is_ok_and(|n| same(n, part))))
                .map(|e| (e.name().unwrap_or(part).to_string(), e.id()))
        });
        match found {
            Some((name, id)) => {
                spelled.push(name);
                folder = repo.find_tree(id).ok();
            }
            None => {
                spelled.push(part.to_string());
                folder = None;
            }
        }
    }
    spelled.join("/")
}

/// The blob id of the file at `path` in `tree`, following symbolic links inside the
/// repository as a checkout would. `Ok(None)`: nothing there; `Err`: something that is not
/// a file (a folder, a submodule, a link leading out of the repository or nowhere).
pub fn file_at(
    repo: &Repository,
    tree: &git2::Tree,
    path: &str,
) -> Result<Option<Oid>, crate::Invalid> {
    let mut path = path.to_string();
    for _ in 0..=MAX_LINKS {
        let Ok(entry) = tree.get_path(Path::new(&path)) else {
            return Ok(None);
        };
        match entry.filemode() {
            0o100644 | 0o100755 | 0o100664 => return Ok(Some(entry.id())),
            0o120000 => {
                let blob =
                    repo.find_blob(entry.id())
                        .map_err(|e| crate::Invalid::UnreadableLink {
                            message: e.message().to_string(),
                        })?;
                let target = String::from_utf8_lossy(blob.content()).into_owned();
                path = crate::paths::resolve_relative(&path, &target).map_err(|_| {
                    crate::Invalid::LinkOutside {
                        target: target.clone(),
                    }
                })?;
                if tree.get_path(Path::new(&path)).is_err() {
                    return Err(crate::Invalid::DanglingLink { target });
                }
            }
            0o160000 => return Err(crate::Invalid::Submodule),
            _ if entry.kind() == Some(ObjectType::Tree) => {
                return Err(crate::Invalid::Folder);
            }
            mode => return Err(crate::Invalid::NotRegular { mode }),
        }
    }
    Err(crate::Invalid::LinkChain { max: MAX_LINKS })
}
