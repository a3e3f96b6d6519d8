//! Which pushed refs Dokku deploys, against Dokku's own git plugin (dokku/dokku
//! `plugins/git/functions` `cmd-git-hook` @33896f5, in ../shared/thirdparty/dokku, sourced
//! with stand-ins for Dokku's core helpers: the plugin-property store is a folder, the build
//! prints the revision it would deploy). Over generated push sequences of branches and tags,
//! with and without a deploy branch set: every ref Dokku deploys is one envguard checks
//! (without `envguard.branch`, every branch and tag), and once `envguard.branch` names
//! Dokku's deploy branch, envguard checks exactly the refs Dokku deploys.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::support::{Gen, thirdparty};

use envguard::config::Config;
use envguard::platform::Platform;

const SCENARIOS: usize = 200;

const REFS: &[&str] = &[
    "refs/heads/master",
    "refs/heads/main",
    "refs/heads/feature",
    "refs/heads/release/1",
    "refs/tags/v1",
    "refs/tags/main",
];

/// Dokku's core helpers, stood in for: the property store is `$PROPS`, one file a property.
fn stand_ins(dir: &Path) {
    let git = thirdparty("dokku/plugins/git/internal-functions");
    for folder in [
        "core/common",
        "avail/config",
        "avail/git",
        "plugins/enabled/git",
        "props",
    ] {
        std::fs::create_dir_all(dir.join(folder)).expect("mkdir");
    }
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).expect("write");
    write("core/common/functions", "");
    write("core/common/archive-functions", "");
    write(
        "core/common/property-functions",
        "fn-plugin-property-get() { local f=\"$PROPS/$1.$2.$3\"; if [[ -f \"$f\" ]]; then cat \"$f\"; else echo \"${4:-}\"; fi; }\n\
         fn-plugin-property-write() { printf '%s' \"$4\" > \"$PROPS/$1.$2.$3\"; }\n",
    );
    write("avail/config/functions", "");
    std::fs::copy(&git, dir.join("avail/git/internal-functions")).expect("internal-functions");
    // The git plugin's own receive-branch trigger: the only one, so cmd-git-hook decides.
    write("plugins/enabled/git/receive-branch", "");
    write(
        "push.sh",
        "export PLUGIN_CORE_AVAILABLE_PATH=\"$1/core\" PLUGIN_AVAILABLE_PATH=\"$1/avail\" \
         PLUGIN_PATH=\"$1/plugins\" PROPS=\"$1/props\"\n\
         source \"$2\"\n\
         plugn() { :; }\n\
         is_valid_app_name() { :; }\n\
         git_receive_app() { echo \"DEPLOY $2\"; }\n\
         cmd-git-hook shop\n",
    );
}

/// One push to Dokku: the indexes (into `refs`) of the refs it deploys.
fn dokku_push(dir: &Path, functions: &Path, refs: &[&str]) -> BTreeSet<usize> {
    let input: String = refs
        .iter()
        .enumerate()
        .map(|(i, r)| format!("0000000 rev{i} {r}\n"))
        .collect();
    let mut child = Command::new("bash")
        .arg(dir.join("push.sh"))
        .arg(dir)
        .arg(functions)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("bash");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("input");
    }
    let out = child.wait_with_output().expect("dokku's hook");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("DEPLOY rev")?.parse().ok())
        .collect()
}

/// The deploy branch Dokku recorded, if any.
fn recorded(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join("props/git.shop.deploy-branch")).ok()
}

/// envguard's deploy refs on Dokku: `envguard.branch` set to `named`, or not set.
fn envguard(named: Option<&str>) -> Config {
    let mut config = Config::default();
    if let Some(branch) = named {
        config.branches = vec![branch.to_string()];
        config.branches_set = true;
    }
    config.settle_branches(Platform::Dokku, None);
    config
}

#[test]
#[ignore = "needs ../shared/thirdparty/dokku (the platforms' own code; .ci/run runs it)"]
fn dokku_deploys_only_refs_envguard_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    stand_ins(dir.path());
    let functions = thirdparty("dokku/plugins/git/functions");
    let mut g = Gen::seeded(0x646f_6b6b);
    let mut wrong = Vec::new();
    let (mut deployed_total, mut named_pushes) = (0, 0);
    for scenario in 0..SCENARIOS {
        let _ = std::fs::remove_dir_all(dir.path().join("props"));
        std::fs::create_dir_all(dir.path().join("props")).expect("props");
        if g.chance(20) {
            let branch = g.pick(&["main", "feature", "master"]);
            std::fs::write(dir.path().join("props/git.shop.deploy-branch"), branch)
                .expect("deploy-branch");
        }
        for _ in 0..=g.below(3) {
            let refs: Vec<&str> = (0..=g.below(3)).map(|_| g.pick(REFS)).collect();
            let before = recorded(dir.path());
            let deployed = dokku_push(dir.path(), &functions, &refs);
            deployed_total += deployed.len();
            let unknown = envguard(None);
            for &i in &deployed {
                if !unknown.is_deploy_branch(refs[i]) {
                    wrong.push(format!(
                        "scenario {scenario}: Dokku deployed {} of {refs:?}, unchecked without \
                         envguard.branch",
                        refs[i]
                    ));
                }
            }
            if let Some(branch) = before {
                named_pushes += 1;
                let named = envguard(Some(&branch));
                for (i, r) in refs.iter().enumerate() {
                    if named.is_deploy_branch(r) != deployed.contains(&i) {
                        wrong.push(format!(
                            "scenario {scenario}: deploy-branch {branch}, push {refs:?}: Dokku \
                             deploys {r}: {}, envguard checks it: {}",
                            deployed.contains(&i),
                            named.is_deploy_branch(r)
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        deployed_total > 100 && named_pushes > 100,
        "{deployed_total} deployed, {named_pushes} pushes with a deploy branch"
    );
}
