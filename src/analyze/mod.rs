//! One ref update (base -> tip) -> an [`Analysis`] with a [`Verdict`].
//!
//! The hot path compares only the ids of the watched paths (requirements closure, runtime
//! files, the env folder) between the base and tip trees: when none changed, the only other
//! thing that can matter is an `Env-Wipe` trailer, found with a byte scan of the pushed
//! commits' messages. Only when something changed are requirement sets compared and the
//! range walked to attribute each reason to the commit that introduced it.

//!
//! The module's parts: [`types`] (the analysis and its JSON), `tree` (reading a commit's
//! watched files through git2, following links, fetching what a partial clone lacks),
//! `analyzer` (the [`Analyzer`] and its hot path), `walk` (the range walk: trailers and
//! attribution), `compare` (requirement sets and runtimes -> reasons), `rules` (verdict
//! and trailer rules).

mod analyzer;
pub mod builder;
mod compare;
mod rules;
mod tree;
pub mod types;
mod walk;

pub use crate::verdict::{Reason, ReasonKind, SkippedReason, Verdict};
pub use analyzer::Analyzer;
pub use rules::ENV_REMOVED;
pub use tree::file_at;
pub use types::{Analysis, commit_label};

#[cfg(test)]
mod repo_tests;

#[cfg(test)]
mod tests {
    use super::rules::verdict_of;
    use super::*;
    use crate::platform::Platform;

    #[test]
    fn verdict_precedence() {
        let r = |kind| Reason::new(kind, "f", None, None);
        let on_kudu = |reasons: &[Reason]| verdict_of(reasons, Platform::KuduWindows, false);
        assert_eq!(on_kudu(&[]), Verdict::None);
        assert_eq!(on_kudu(&[r(ReasonKind::RequirementRemoved)]), Verdict::Wipe);
        assert_eq!(
            on_kudu(&[
                r(ReasonKind::RequirementRemoved),
                r(ReasonKind::RuntimeChanged)
            ]),
            Verdict::Rebuild
        );
        assert_eq!(
            on_kudu(&[r(ReasonKind::RuntimeChanged), r(ReasonKind::Forced)]),
            Verdict::Wipe
        );
        assert_eq!(
            verdict_of(&[r(ReasonKind::Forced)], Platform::Oryx, false),
            Verdict::None
        );
        let removed = [r(ReasonKind::RequirementRemoved)];
        assert_eq!(
            verdict_of(&removed, Platform::Heroku, true),
            Verdict::Rebuild
        );
        assert_eq!(verdict_of(&removed, Platform::Heroku, false), Verdict::Wipe);
    }
}
