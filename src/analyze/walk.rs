//! The walk of a pushed range: `Env-Wipe` trailers and the commit that introduced each
//! reason.

use git2::{Oid, Sort};

use super::Analyzer;
use super::types::{Analysis, Reason};
use crate::trailers::{self, EnvWipe};
use crate::{FileError, Result};

impl<'r> Analyzer<'r> {
    /// Walks `base..tip` newest first: reads `Env-Wipe` trailers and, when `attribute`,
    /// names the commit that introduced each reason.
    pub(super) fn walk(
        &mut self,
        base: Oid,
        tip: &git2::Commit,
        attribute: bool,
        analysis: &mut Analysis,
    ) -> Result<Vec<(Oid, EnvWipe)>> {
        let mut marks = Vec::new();
        let mut pending = if attribute { analysis.reasons.len() } else { 0 };
        for commit in self.range(base, tip)? {
            if trailers::may_have_env_wipe(commit.message_raw_bytes()) {
                match trailers::env_wipe(commit.message_raw_bytes()) {
                    Ok(Some(mark)) => marks.push((commit.id(), mark)),
                    Ok(None) => {}
                    Err(e) => analysis.warnings.push(FileError::new(
                        &format!("commit {}", commit.id()),
                        None,
                        e.to_string(),
                    )),
                }
            }
            if pending == 0 {
                continue;
            }
            let introduced = self.introduced_by(&commit)?;
            for reason in analysis.reasons.iter_mut().filter(|r| r.commit.is_none()) {
                if introduced.iter().any(|i| i.same_change(reason)) {
                    reason.commit = Some(commit.id());
                    pending -= 1;
                }
            }
        }
        // A change that no single step shows (it came in and went out again through
        // different parents of merges, say) is the tip's.
        for reason in analysis.reasons.iter_mut().filter(|r| r.commit.is_none()) {
            reason.commit = Some(tip.id());
        }
        Ok(marks)
    }

    /// The reasons a commit introduced: what differs from its parent, or for a merge, what
    /// differs from every parent (a change one side already had came from that side).
    pub(super) fn introduced_by(&mut self, commit: &git2::Commit) -> Result<Vec<Reason>> {
        let after = self.watched(commit)?;
        let mut introduced: Option<Vec<Reason>> = None;
        for parent in commit.parents() {
            let before = self.watched(&parent)?;
            let reasons = if parent.tree_id() == commit.tree_id() || before.same(&after) {
                Vec::new()
            } else {
                self.compare(&before, &after).reasons
            };
            introduced = Some(match introduced {
                None => reasons,
                Some(so_far) => so_far
                    .into_iter()
                    .filter(|r| reasons.iter().any(|o| o.same_change(r)))
                    .collect(),
            });
            if introduced.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        Ok(introduced.unwrap_or_default())
    }

    /// The commits of `base..tip`, newest first (topological order). A push is nearly always
    /// a straight line of commits on top of what the remote has: that is followed directly,
    /// reading each commit once. Anything else (a merge, a base that is not an ancestor, as
    /// after `commit --amend` and a forced push) goes through a full revision walk; the
    /// straight walk gives up on such a base once it is a day older than the base, so it
    /// never crawls far into old history.
    pub(super) fn range(&self, base: Oid, tip: &git2::Commit<'r>) -> Result<Vec<git2::Commit<'r>>> {
        const CLOCK_SKEW_SECONDS: i64 = 86_400;
        let base_time = self.repo.find_commit(base)?.time().seconds();
        let mut line = Vec::new();
        let mut current = tip.clone();
        while current.id() != base {
            if current.parent_count() != 1
                || current.time().seconds() < base_time - CLOCK_SKEW_SECONDS
            {
                return self.revwalk_range(base, tip.id());
            }
            let parent = current.parent(0)?;
            line.push(current);
            current = parent;
        }
        Ok(line)
    }

    pub(super) fn revwalk_range(&self, base: Oid, tip: Oid) -> Result<Vec<git2::Commit<'r>>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(tip)?;
        walk.hide(base)?;
        walk.map(|oid| Ok(self.repo.find_commit(oid?)?)).collect()
    }
}
