//! The retry policy of the site API: how long one request may take, how often a transient
//! failure (connection refused or reset, 429, 5xx) is tried again, and the pause between
//! tries.

use std::time::Duration;

use crate::Result;
use crate::config::Config;
use crate::error::site::SiteError;

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The limit for one request, start to end.
    pub timeout: Duration,
    /// Tries per request for transient failures.
    pub attempts: u32,
    /// The first pause between tries; it doubles each time.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Duration::from_secs(240),
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// Why one try failed.
pub enum Failure {
    /// Worth another try.
    Transient(String),
    /// Final.
    Fatal(Box<SiteError>),
}

impl RetryPolicy {
    /// The policy of `envguard.remoteTimeout` and `envguard.remoteAttempts`.
    pub fn from_config(config: &Config) -> RetryPolicy {
        RetryPolicy {
            timeout: Duration::from_secs(config.remote_timeout),
            attempts: config.remote_attempts,
            ..RetryPolicy::default()
        }
    }

    /// Runs `once` until it succeeds, fails for good, or the tries are used up. `what`
    /// names the request in messages.
    pub fn run<T>(&self, what: &str, mut once: impl FnMut() -> Result<T, Failure>) -> Result<T> {
        let mut pause = self.backoff;
        let attempts = self.attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            match once() {
                Ok(answer) => return Ok(answer),
                Err(Failure::Fatal(error)) => return Err(crate::Error::Site(error)),
                Err(Failure::Transient(message)) => {
                    log::debug!("{what}: {message} (try {attempt} of {attempts})");
                    last = message;
                }
            }
            if attempt < attempts {
                std::thread::sleep(pause);
                pause = pause.saturating_mul(2);
            }
        }
        Err(SiteError::GaveUp {
            what: what.to_string(),
            last,
            attempts,
            checking: false,
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_failures_are_retried_up_to_the_limit() {
        let policy = RetryPolicy {
            attempts: 3,
            backoff: Duration::ZERO,
            ..RetryPolicy::default()
        };
        let mut tries = 0;
        let result: Result<()> = policy.run("GET x", || {
            tries += 1;
            Err(Failure::Transient("HTTP 502".into()))
        });
        assert_eq!(tries, 3);
        assert!(matches!(
            result,
            Err(crate::Error::Site(e)) if matches!(&*e, SiteError::GaveUp { attempts: 3, last, .. } if last == "HTTP 502")
        ));
        let mut tries = 0;
        let result = policy.run("GET x", || {
            tries += 1;
            if tries < 2 {
                Err(Failure::Transient("reset".into()))
            } else {
                Ok(7)
            }
        });
        assert_eq!(result.unwrap(), 7);
        let mut tries = 0;
        let result: Result<()> = policy.run("GET x", || {
            tries += 1;
            Err(Failure::Fatal(Box::new(SiteError::HostNotFound {
                url: "x".into(),
            })))
        });
        assert_eq!(tries, 1);
        assert!(matches!(
            result,
            Err(crate::Error::Site(e)) if matches!(*e, SiteError::HostNotFound { .. })
        ));
    }
}
