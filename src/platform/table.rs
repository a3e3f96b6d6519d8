//! The one table: every fact of every platform, one exhaustive match arm per platform,
//! each naming its sources.

use super::{
    BuilderPick, DeployRefs, Facts, HEROKU_BRANCHES, HEROKU_GIT_HOSTS, Mode, Os, Platform, Purge,
    Rebuild, Remedy, RuntimeRule, ScriptKind, ServerEnv, SiteEnv, UrlClue,
};

impl Platform {
    /// The facts of the platform: the one table.
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per platform: every fact of every platform in one table"
    )]
    pub fn facts(self) -> Facts {
        match self {
            // projectkudu/KuduScript lib/templates/deploy.batch.python.template;
            // projectkudu/kudu Kudu.Core/Scripts/select_python_version.py,
            // Kudu.Core/Deployment/DeploymentManager.cs (deployment_branch).
            // The builder: projectkudu/kudu Kudu.Core/Deployment/Generator/SiteBuilderFactory.cs
            // (ResolveNonAspProject: Node before Python), NodeSiteEnabler.cs,
            // PythonSiteEnabler.cs.
            Platform::KuduWindows => Facts {
                name: "kudu-windows",
                url_names_it: None,
                runtime_rule: RuntimeRule::KuduPrefix,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Windows,
                site_api: true,
                site_env: SiteEnv::EnvDirInApp,
                remote_prunable: true,
                default_mode: Mode::Toggle,
                remedy: Remedy::Toggle,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: Some(ScriptKind::Batch),
                builder_pick: Some(BuilderPick::Kudu),
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // Azure-App-Service/KuduLite SiteBuilderFactory.cs (ENABLE_ORYX_BUILD not
            // true-like; ResolveNonAspProject: Node before Python);
            // projectkudu/KuduScript lib/templates/deploy.bash.python.template.
            Platform::KuduLinux => Facts {
                name: "kudu-linux",
                url_names_it: None,
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Linux,
                site_api: true,
                site_env: SiteEnv::KuduScriptAntenv,
                remote_prunable: true,
                default_mode: Mode::RemoteWipe,
                remedy: Remedy::RemoteWipe,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: Some(ScriptKind::Bash),
                builder_pick: Some(BuilderPick::KuduLite),
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // microsoft/Oryx src/BuildScriptGenerator/Python (compressed virtualenv built in a
            // temp dir); KuduLite AppServiceOryxArguments.cs.
            Platform::Oryx => Facts {
                name: "oryx",
                url_names_it: None,
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::Always,
                os: Os::Linux,
                site_api: true,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::Nothing,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: Some(
                    "Oryx builds antenv in a new temporary folder and ships it compressed",
                ),
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // KuduLite BuildFlagsHelper.cs (BUILD_FLAGS=Off, case-sensitive);
            // AppServiceOryxArguments.cs (antenv3.6, antenv2.7); Oryx
            // PythonBashBuildSnippet.sh.tpl (`python -m venv` without --clear).
            Platform::OryxInPlace => Facts {
                name: "oryx-in-place",
                url_names_it: None,
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Linux,
                site_api: true,
                site_env: SiteEnv::OryxRepositoryAndApp,
                remote_prunable: false,
                default_mode: Mode::RemoteWipe,
                remedy: Remedy::RemoteWipe,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // Oryx BaseBashBuildScript.sh.tpl (rsync -rcE --links without --delete); the
            // startup script extracts output only with CompressDestinationDir="true".
            Platform::OryxCopied => Facts {
                name: "oryx-copied",
                url_names_it: None,
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Linux,
                site_api: true,
                site_env: SiteEnv::AntenvInApp,
                remote_prunable: false,
                default_mode: Mode::RemoteWipe,
                remedy: Remedy::RemoteWipe,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // KuduLite SiteBuilderFactory.cs: BasicBuilder when SCM_DO_BUILD_DURING_DEPLOYMENT
            // is set and not true-like.
            Platform::KuduLinuxNoBuild => Facts {
                name: "kudu-linux-no-build",
                url_names_it: None,
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::Never,
                os: Os::Linux,
                site_api: true,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::NoBuild,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // projectkudu/kudu SiteBuilderFactory.cs @7e7e310 L72-76: BasicBuilder when
            // SCM_DO_BUILD_DURING_DEPLOYMENT is set and not true-like (after COMMAND and
            // SCM_SCRIPT_GENERATOR_ARGS): no deploy.cmd, runtime.txt not read.
            Platform::KuduWindowsNoBuild => Facts {
                name: "kudu-windows-no-build",
                os: Os::Windows,
                ..Platform::KuduLinuxNoBuild.facts()
            },
            // git's githooks(5) post-receive; go-gitea/gitea modules/repository/hooks.go;
            // gitaly internal/gitaly/hook/custom.go.
            Platform::SelfHosted => Facts {
                name: "self-hosted",
                url_names_it: None,
                runtime_rule: RuntimeRule::AnyRuntimeFile,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Linux,
                site_api: false,
                site_env: SiteEnv::EnvDirInApp,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::ServerHook,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::RepositoryHead,
                owns_post_receive: false,
                deploy_script: Some(ScriptKind::Bash),
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // heroku/heroku-buildpack-python lib/cache.sh, lib/python_version.sh @b4e7e72.
            // Deploy refs: Heroku Dev Center "Deploying with Git" (main or master; the
            // receiver is closed source). The URL: Heroku's git host, git.heroku.com.
            Platform::Heroku => Facts {
                name: "heroku",
                url_names_it: Some(UrlClue::Hosts(&HEROKU_GIT_HOSTS)),
                runtime_rule: RuntimeRule::RuntimeTxtFirst,
                rebuild: Rebuild::OnRequirementsBytes,
                os: Os::Linux,
                site_api: false,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::PurgeCache(Purge::Heroku),
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::Branches(&HEROKU_BRANCHES),
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &PACKAGE_MANAGER_FILES,
                caches_install_layer: false,
            },
            // dokku/dokku plugins/builder-herokuish (the Heroku buildpack's cache);
            // plugins/repo (repo:purge-cache). Deploy refs: dokku/dokku plugins/git/functions
            // @33896f5 L79-93 (`refs/heads/${DOKKU_DEPLOY_BRANCH}`; with no deploy-branch set,
            // "Set ${deploy_branch} as deploy-branch" and deploy the branch pushed).
            Platform::Dokku => Facts {
                name: "dokku",
                url_names_it: Some(UrlClue::User("dokku")),
                runtime_rule: RuntimeRule::RuntimeTxtFirst,
                rebuild: Rebuild::OnRequirementsBytes,
                os: Os::Linux,
                site_api: false,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::PurgeCache(Purge::Dokku),
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeployBranchElseFirstPushed,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: Some(BuilderPick::Dokku),
                fresh_because: None,
                cache_key_files: &PACKAGE_MANAGER_FILES,
                caches_install_layer: false,
            },
            // heroku/buildpacks-python src/layers/pip_dependencies.rs (an uncached layer);
            // dokku/dokku plugins/builder-pack (the same buildpacks through `pack`).
            Platform::HerokuCnb => fresh_build(
                "heroku-cnb",
                "the Python buildpack's venv layer is not cached between builds",
            ),
            // railwayapp/railpack core/providers/python/python.go (`python -m venv /app/.venv` in
            // the image's install step).
            // railwayapp/railpack core/providers/python/python.go @b5e8058: `python -m venv`
            // and `pip install -r requirements.txt` in an install step whose inputs are only
            // the dependency files (`copyInstallFiles`), so BuildKit reuses that layer while
            // they are unchanged.
            Platform::Railpack => Facts {
                caches_install_layer: true,
                ..fresh_build(
                    "railpack",
                    "Railpack makes the venv in the image's install step on every build",
                )
            },
            // railwayapp/nixpacks src/providers/python.rs (`python -m venv --copies /opt/venv`
            // in the install phase).
            Platform::Nixpacks => fresh_build(
                "nixpacks",
                "Nixpacks makes the venv in the image's install phase on every build",
            ),
            // GoogleCloudPlatform/buildpacks pkg/python/python.go (prepareDependenciesLayer:
            // the layer's key hashes the requirements files the buildpack is given — the root
            // requirements.txt — with the Python version and the installer; 24 h expiry).
            Platform::GoogleBuildpacks => Facts {
                name: "google-buildpacks",
                url_names_it: None,
                runtime_rule: RuntimeRule::PythonVersionFile,
                rebuild: Rebuild::OnRequirementsBytes,
                os: Os::Linux,
                site_api: false,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::ChangeRootRequirements,
                server_env: ServerEnv::FolderInTarget,
                deploy_refs: DeployRefs::DeploymentBranch,
                owns_post_receive: false,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
            // piku/piku piku.py @ca90545: deploy_python (venv created only when bin/activate
            // is missing; PYTHON_VERSION read only then), cmd_git_hook (every pushed ref,
            // L1773-1784), cmd_git_receive_pack (its own post-receive). The URL: piku's
            // README ("Using piku": `git remote add piku piku@yourserver:appname`).
            Platform::Piku => Facts {
                name: "piku",
                url_names_it: Some(UrlClue::User("piku")),
                runtime_rule: RuntimeRule::SiteSetting,
                rebuild: Rebuild::OnRuntimeChange,
                os: Os::Linux,
                site_api: false,
                site_env: SiteEnv::None,
                remote_prunable: false,
                default_mode: Mode::Warn,
                remedy: Remedy::ServerHook,
                server_env: ServerEnv::PikuVenv,
                deploy_refs: DeployRefs::Every,
                owns_post_receive: true,
                deploy_script: None,
                builder_pick: None,
                fresh_because: None,
                cache_key_files: &[],
                caches_install_layer: false,
            },
        }
    }
}

/// The files by which Heroku's Python buildpack picks the package manager; the cache is
/// discarded when the package manager changes or Pipfile.lock's sha does
/// (heroku-buildpack-python `lib/package_manager.sh`, `lib/cache.sh` `cache::restore`).
const PACKAGE_MANAGER_FILES: [&str; 3] = ["Pipfile.lock", "poetry.lock", "uv.lock"];

/// The facts of a platform that builds the env fresh on every deployment.
fn fresh_build(name: &'static str, why: &'static str) -> Facts {
    Facts {
        name,
        url_names_it: None,
        runtime_rule: RuntimeRule::SiteSetting,
        rebuild: Rebuild::Always,
        os: Os::Linux,
        site_api: false,
        site_env: SiteEnv::None,
        remote_prunable: false,
        default_mode: Mode::Warn,
        remedy: Remedy::Nothing,
        server_env: ServerEnv::FolderInTarget,
        deploy_refs: DeployRefs::DeploymentBranch,
        owns_post_receive: false,
        deploy_script: None,
        builder_pick: None,
        fresh_because: Some(why),
        cache_key_files: &[],
        caches_install_layer: false,
    }
}
