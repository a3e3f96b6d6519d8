//! Parsing what git gives a hook into [`RefUpdate`] values: the pre-push stdin
//! (`<local-ref> <local-oid> <remote-ref> <remote-oid>`), the post-receive stdin
//! (`<old> <new> <ref>`), and the `PRE_COMMIT_*` variables of the pre-commit framework.
//! Zero ids (all `0`, 40 or 64 of them) mean "no such ref": a new ref or a deletion.

use git2::{ObjectFormat, Oid};

/// One ref a push updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref being pushed (`refs/heads/x`, `HEAD`, or an id); `None` for a deletion.
    pub local_ref: Option<String>,
    /// The remote ref (`refs/heads/master`).
    pub remote_ref: String,
    /// What the remote has now; `None`: the ref is new there.
    pub old: Option<Oid>,
    /// What it will have; `None`: the ref is deleted.
    pub new: Option<Oid>,
}

impl RefUpdate {
    /// The branch name when the remote ref is a branch.
    pub fn branch(&self) -> Option<&str> {
        self.remote_ref.strip_prefix("refs/heads/")
    }
}

/// What matters of the `git push` command line that runs the hook (git does not pass it;
/// the client reads it where it can).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushFlags {
    /// `--dry-run` / `-n`.
    pub dry_run: bool,
    /// `--force` / `-f`, `--force-with-lease`, `--mirror`, or a `+refspec`.
    pub force: bool,
    /// A command-line refspec names its destination (`src:dst`). git maps any other push
    /// (no refspec, or `src` alone) through `remote.<name>.push`, whose `+` forces it.
    pub refspecs: bool,
    /// `--atomic`: every ref of the push lands, or none.
    pub atomic: bool,
}

impl PushFlags {
    /// A plain push.
    pub const PLAIN: PushFlags = PushFlags {
        dry_run: false,
        force: false,
        refspecs: false,
        atomic: false,
    };
    /// `git push --dry-run`.
    pub const DRY_RUN: PushFlags = PushFlags {
        dry_run: true,
        ..PushFlags::PLAIN
    };
    /// `git push --force`.
    pub const FORCED: PushFlags = PushFlags {
        force: true,
        ..PushFlags::PLAIN
    };
}

/// A malformed hook input line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A field where git writes an object id holds something else.
    #[error("'{text}' is not an object id")]
    NotAnObjectId { text: String },
    /// A line of the hook's input that is not `hook`'s format.
    #[error("unexpected {hook} line '{line}'")]
    UnexpectedLine { hook: &'static str, line: String },
}

/// A full object id as git writes it in a hook's input (all zeros: none). A short or
/// overlong one is no id git writes.
fn parse_id(text: &str, format: ObjectFormat) -> Result<Option<Oid>, InputError> {
    let length = match format {
        ObjectFormat::Sha256 => 64,
        _ => 40,
    };
    let not_an_id = || InputError::NotAnObjectId {
        text: text.to_string(),
    };
    if text.len() != length {
        return Err(not_an_id());
    }
    if text.bytes().all(|b| b == b'0') {
        return Ok(None);
    }
    Oid::from_str_ext(text, format)
        .map(Some)
        .map_err(|_| not_an_id())
}

/// Parses git's pre-push stdin. Empty input (nothing to push) gives no updates.
pub fn parse_pre_push(input: &str, format: ObjectFormat) -> Result<Vec<RefUpdate>, InputError> {
    let mut updates = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(InputError::UnexpectedLine {
                hook: "pre-push",
                line: line.to_string(),
            });
        };
        let new = parse_id(local_oid, format)?;
        updates.push(RefUpdate {
            local_ref: (new.is_some() && local_ref != "(delete)").then(|| local_ref.to_string()),
            remote_ref: remote_ref.to_string(),
            old: parse_id(remote_oid, format)?,
            new,
        });
    }
    Ok(updates)
}

/// Parses git's post-receive (or pre-receive) stdin.
pub fn parse_receive(input: &str, format: ObjectFormat) -> Result<Vec<RefUpdate>, InputError> {
    let mut updates = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, refname] = fields[..] else {
            return Err(InputError::UnexpectedLine {
                hook: "post-receive",
                line: line.to_string(),
            });
        };
        updates.push(RefUpdate {
            local_ref: None,
            remote_ref: refname.to_string(),
            old: parse_id(old, format)?,
            new: parse_id(new, format)?,
        });
    }
    Ok(updates)
}

/// The ref update described by the pre-commit framework's `PRE_COMMIT_*` variables, when
/// envguard runs as a pre-commit `pre-push` stage hook (pre-commit consumes git's stdin).
pub fn from_pre_commit_env(
    get: impl Fn(&str) -> Option<String>,
    format: ObjectFormat,
) -> Result<Option<RefUpdate>, InputError> {
    let Some(to) = get("PRE_COMMIT_TO_REF").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let from = get("PRE_COMMIT_FROM_REF").unwrap_or_default();
    let remote_branch = get("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default();
    let local_branch = get("PRE_COMMIT_LOCAL_BRANCH").filter(|v| !v.is_empty());
    let old = if from.is_empty() {
        None
    } else {
        parse_id(&from, format)?
    };
    Ok(Some(RefUpdate {
        local_ref: local_branch,
        remote_ref: remote_branch,
        old,
        new: parse_id(&to, format)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn update_new_branch_and_deletion() {
        let input = format!(
            "refs/heads/master {B} refs/heads/master {A}\n\
             refs/heads/topic {B} refs/heads/topic {Z}\n\
             (delete) {Z} refs/heads/old {A}\n\
             refs/tags/v1 {A} refs/tags/v1 {Z}\n"
        );
        let updates = parse_pre_push(&input, ObjectFormat::Sha1).unwrap();
        assert_eq!(updates.len(), 4);
        assert_eq!(updates[0].branch(), Some("master"));
        assert!(updates[0].old.is_some() && updates[0].new.is_some());
        assert_eq!(updates[1].old, None);
        assert_eq!(updates[2].new, None);
        assert_eq!(updates[2].local_ref, None);
        assert_eq!(updates[3].branch(), None);
    }

    #[test]
    fn empty_input_and_bad_lines() {
        assert!(parse_pre_push("", ObjectFormat::Sha1).unwrap().is_empty());
        assert!(parse_pre_push("garbage\n", ObjectFormat::Sha1).is_err());
        assert!(parse_pre_push(&format!("a xyz b {A}"), ObjectFormat::Sha1).is_err());
        // Only full ids, as git writes them: a short one, or 80 zeros, is none.
        for id in ["5fbc6f3ee4b3".to_string(), "0".repeat(80), format!("{A}0")] {
            assert_eq!(
                parse_receive(&format!("{id} {A} refs/heads/master\n"), ObjectFormat::Sha1),
                Err(InputError::NotAnObjectId { text: id.clone() }),
                "{id}"
            );
        }
    }

    #[test]
    fn sha256_zero_ids() {
        let z = "0".repeat(64);
        let c = "ab".repeat(32);
        let updates = parse_pre_push(
            &format!("refs/heads/master {c} refs/heads/master {z}\n"),
            ObjectFormat::Sha256,
        )
        .unwrap();
        assert_eq!(updates[0].old, None);
        assert_eq!(updates[0].new.map(|o| o.to_string()), Some(c));
    }

    #[test]
    fn receive_lines() {
        let updates =
            parse_receive(&format!("{A} {B} refs/heads/master\n"), ObjectFormat::Sha1).unwrap();
        assert_eq!(updates[0].remote_ref, "refs/heads/master");
        assert_eq!(updates[0].old.map(|o| o.to_string()).as_deref(), Some(A));
    }

    #[test]
    fn pre_commit_variables() {
        let env = |name: &str| match name {
            "PRE_COMMIT_FROM_REF" => Some(A.to_string()),
            "PRE_COMMIT_TO_REF" => Some(B.to_string()),
            "PRE_COMMIT_REMOTE_BRANCH" => Some("refs/heads/master".to_string()),
            "PRE_COMMIT_LOCAL_BRANCH" => Some("refs/heads/master".to_string()),
            _ => None,
        };
        let update = from_pre_commit_env(env, ObjectFormat::Sha1)
            .unwrap()
            .unwrap();
        assert_eq!(update.branch(), Some("master"));
        assert_eq!(update.new.map(|o| o.to_string()).as_deref(), Some(B));
        assert!(
            from_pre_commit_env(|_| None, ObjectFormat::Sha1)
                .unwrap()
                .is_none()
        );
    }
}
