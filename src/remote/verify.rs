//! What the platform really did with a deployment, read from Kudu's deployment API
//! (`GET /api/deployments/<commit>`, its log and the log's details) instead of assumed: did
//! it succeed, and did its script create a new virtual environment or reuse the old one.

use super::kudu::Client;
use crate::Result;

/// Kudu's status of a finished, successful deployment.
const SUCCESS: i64 = 4;

pub use crate::output::{DeploymentReport, EnvOutcome};

/// The env outcome of a deployment log's lines.
pub fn env_outcome<S: AsRef<str>>(lines: &[S]) -> EnvOutcome {
    let has = |needle: &str| {
        lines
            .iter()
            .any(|l| l.as_ref().to_ascii_lowercase().contains(needle))
    };
    // KuduScript's Python deployment says `Creating python-3.6 virtual environment.` when it
    // makes a new one. Oryx says `Creating virtual environment...` on every build, also
    // when it runs `python -m venv` over an antenv it keeps: no proof of a new env.
    if has("deleting incompatible virtual environment")
        || lines.iter().any(|l| {
            let l = l.as_ref().to_ascii_lowercase();
            l.contains("creating python-") && l.contains("virtual environment")
        })
        || has("a fresh virtual environment")
    {
        EnvOutcome::Created
    } else if has("found compatible virtual environment") {
        EnvOutcome::Reused
    } else {
        EnvOutcome::Unknown
    }
}

/// The deployment of `commit` on the site at `base`; `None` when the API knows none.
pub fn deployment(client: &Client, base: &str, commit: &str) -> Result<Option<DeploymentReport>> {
    let Some(status) = client.get(base, &format!("api/deployments/{commit}"))? else {
        return Ok(None);
    };
    let status: serde_json::Value = serde_json::from_str(&status).unwrap_or_default();
    let succeeded = status.get("status").and_then(serde_json::Value::as_i64) == Some(SUCCESS);
    let mut lines = Vec::new();
    let log = client
        .get(base, &format!("api/deployments/{commit}/log"))?
        .unwrap_or_default();
    for entry in entries(&log) {
        if let Some(message) = entry.get("message").and_then(|m| m.as_str()) {
            lines.push(message.to_string());
        }
        // Details live on the same site; a link elsewhere is not followed.
        let details = entry
            .get("details_url")
            .and_then(|u| u.as_str())
            .and_then(|u| u.strip_prefix(base))
            .map(|path| path.trim_start_matches('/').to_string());
        if let Some(path) = details {
            let text = client.get(base, &path)?.unwrap_or_default();
            lines.extend(
                entries(&text)
                    .iter()
                    .filter_map(|e| e.get("message")?.as_str().map(str::to_string)),
            );
        }
    }
    Ok(Some(DeploymentReport {
        succeeded,
        env: env_outcome(&lines),
    }))
}

fn entries(json: &str) -> Vec<serde_json::Value> {
    match serde_json::from_str(json) {
        Ok(serde_json::Value::Array(entries)) => entries,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_outcome_from_kudus_own_lines() {
        let created = [
            "Detected python-3.4",
            "Deleting incompatible virtual environment.",
            "Creating python-3.4 virtual environment.",
        ];
        assert_eq!(env_outcome(&created), EnvOutcome::Created);
        let reused = [
            "Detected python-3.6",
            "Found compatible virtual environment.",
        ];
        assert_eq!(env_outcome(&reused), EnvOutcome::Reused);
        // Oryx says this on every build, also over an antenv it keeps.
        let oryx = [
            "Python Version: /opt/python/3.11/bin/python3",
            "Creating virtual environment...",
        ];
        assert_eq!(env_outcome(&oryx), EnvOutcome::Unknown);
        assert_eq!(
            env_outcome(&["Creating python-3.6 virtual environment."]),
            EnvOutcome::Created
        );
        assert_eq!(
            env_outcome(&["Pip install requirements."]),
            EnvOutcome::Unknown
        );
        let report = DeploymentReport {
            succeeded: false,
            env: EnvOutcome::Created,
        };
        let said = crate::output::Deployments(vec![("abc1234".into(), Some(report))]);
        assert!(
            said.to_string()
                .starts_with("warning: the deployment of abc1234 failed")
        );
    }
}
