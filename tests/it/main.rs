//! envguard's integration tests, one binary with a module per area. They run the built
//! `envguard` binary against real git (temporary repositories, real commits, real pushes
//! into real bare remotes), real venvs and pip, and the platforms' own code where it runs
//! here; the shared fixture builder is `tests/support`.

// The product reads the environment and starts processes in named places only
// (clippy.toml); the tests start programs and read their tool variables everywhere.
#![allow(clippy::disallowed_methods)]

#[path = "../support/mod.rs"]
mod support;

mod acting;
mod beyond;
mod branches;
mod cache_keys;
mod canary;
mod canary_positions;
mod check;
mod client;
mod committed;
mod credentials;
mod deploy;
mod differential;
mod docs_lists;
mod dokku_branch;
mod gitsetups;
mod hardening;
mod heroku_runtime;
mod kudu_enablers;
mod kudu_files;
mod kudu_ini;
mod kudu_runtime;
mod kudulite_settings;
mod layering;
mod managers;
mod matrix;
mod piku;
mod pip_vcs;
mod platform;
mod properties;
mod prune;
mod prune_safety;
mod quickstart;
mod quiet;
mod remote;
mod scopes;
mod snapshots;
mod stand_ins;
mod status_truth;
mod unguarded;
