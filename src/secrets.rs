//! The secret values envguard learns while it runs (a `${VAR}` expanded from the
//! environment, a credential helper's password), each with how output shows it instead.
//! Registered where they are read; [`crate::output::secret::scrub`] replaces them in every
//! line that leaves the process.

use std::sync::{Mutex, PoisonError};

/// What the scrub replaces besides URL user information: (value, shown as).
static KNOWN: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Values shorter than this are not registered: masking every `1` or `ab` in the output
/// would say nothing and hide everything.
const SHORTEST: usize = 4;

fn remember(value: &str, shown: String) {
    if value.len() < SHORTEST {
        return;
    }
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    if !known.iter().any(|(v, _)| v == value) {
        known.push((value.to_string(), shown));
        // Longest first, so a value that contains another is replaced whole.
        known.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    }
}

/// A `${NAME}` expansion made from the environment: its value is shown as `${NAME}`.
pub fn register_expansion(name: &str, value: &str) {
    remember(value, format!("${{{name}}}"));
}

/// A secret envguard was given (a password from `git credential fill`): shown as `***`.
pub fn register_secret(value: &str) {
    remember(value, "***".to_string());
    // As it appears inside a URL, percent-encoded.
    let encoded = crate::url::encode_segment(value);
    if encoded != value {
        remember(&encoded, "***".to_string());
    }
}

/// `text` with every registered value replaced by how it is shown.
pub fn replace_known(mut text: String) -> String {
    let known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    for (value, shown) in known.iter() {
        if text.contains(value.as_str()) {
            text = text.replace(value.as_str(), shown);
        }
    }
    text
}
