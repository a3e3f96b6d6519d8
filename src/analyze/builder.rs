//! Which builder a platform picks for the app, from the files at its root, where that
//! decides whether an env can go stale.
//!
//! Kudu on Windows picks for the app folder
//! (projectkudu/kudu `SiteBuilderFactory.ResolveNonAspProject`): Node when the folder has
//! `package.json`, or `server.js`/`app.js` and none of IIS's start pages
//! (`NodeSiteEnabler`); else Python when it has requirements.txt and a `*.py` file, or a
//! runtime.txt that mentions "python" (`PythonSiteEnabler`). Only the Python builder makes
//! an env; a custom deployment command (`.deployment`'s `command`) replaces them all.

pub use crate::verdict::{DokkuBuilder, DotNet, Kudu, OtherBuilder};

/// IIS's start pages: with one of them, `server.js`/`app.js` do not make a Node site.
const IIS_START_PAGES: [&str; 8] = [
    "default.htm",
    "default.html",
    "default.asp",
    "index.htm",
    "index.html",
    "iisstart.htm",
    "default.aspx",
    "index.php",
];

/// The builder Kudu picks, when it is not Python.
pub fn not_python(names: &[String], runtime_txt: Option<&[u8]>) -> Option<OtherBuilder> {
    kudu_not_python(names, runtime_txt)
}

/// Kudu with `SCM_SCRIPT_GENERATOR_ARGS` runs KuduScript with them
/// (`CustomGeneratorCommandSiteBuilder`), before any look at the files: a Python deployment
/// script for `--python`, none that makes a Python env otherwise.
pub fn generator_not_python(args: &str) -> Option<OtherBuilder> {
    (!args.split_whitespace().any(|a| a == "--python")).then(|| OtherBuilder::GeneratorArgs {
        args: args.to_string(),
    })
}

/// MSBuild project files, as Kudu looks for them (`DeploymentHelper.ProjectFileLookup`,
/// matched with `EndsWith`, `OrdinalIgnoreCase`).
const MSBUILD_PROJECTS: [&str; 4] = [".csproj", ".vbproj", ".fsproj", ".xproj"];

/// Where Kudu on Windows builds .NET rather than looking for a Node or Python app
/// (projectkudu/kudu `SiteBuilderFactory.CreateBuilder` @7e7e310, after `COMMAND`): with a
/// `PROJECT` folder, an MSBuild project at its top (`ResolveProject`, `TopDirectoryOnly`);
/// without one, more than one solution anywhere in the repository (an ambiguity error), or
/// no solution and an MSBuild project anywhere (`ResolveProject`, `AllDirectories`: one is
/// built, more are an error). Paths under a `node_modules` folder are skipped
/// (`CachedVsProjectsFileFinder`). One solution decides by the projects in it, which
/// envguard does not read: then `None`, and the app is taken for Python. `top`: the names
/// at the app folder; `everywhere`: every file path of the repository (only read without a
/// `PROJECT`). A `PROJECT` that names a project file is built as .NET.
pub fn kudu_dotnet(
    project: Option<&str>,
    top: &[String],
    everywhere: impl FnOnce() -> Vec<String>,
) -> Option<OtherBuilder> {
    let ends = |name: &str, ext: &str| name.to_ascii_lowercase().ends_with(ext);
    let is_project = |name: &str| MSBUILD_PROJECTS.iter().any(|ext| ends(name, ext));
    let why = |what: DotNet| Some(OtherBuilder::DotNet(what));
    if let Some(project) = project {
        // `project` naming an MSBuild project file is built as it is
        // (`DeploymentHelper.IsMsBuildProject(targetPath)`).
        if is_project(project) {
            return why(DotNet::Named(project.to_string()));
        }
        return top
            .iter()
            .find(|n| is_project(n))
            .and_then(|p| why(DotNet::InAppFolder(p.clone())));
    }
    let paths: Vec<String> = everywhere()
        .into_iter()
        .filter(|p| !format!("/{p}").contains("/node_modules/"))
        .collect();
    let solutions: Vec<&String> = paths.iter().filter(|p| ends(p, ".sln")).collect();
    match solutions.as_slice() {
        [] => paths
            .iter()
            .find(|p| is_project(p))
            .and_then(|p| why(DotNet::Loose(p.clone()))),
        [_] => None,
        several => why(DotNet::Solutions(
            several.iter().map(|s| s.to_string()).collect(),
        )),
    }
}

/// The builder KuduLite (App Service on Linux, without Oryx) picks, when it is not Python:
/// Node first, as on Windows but with Linux's case-sensitive names (Azure-App-Service/KuduLite
/// `SiteBuilderFactory.ResolveNonAspProject`, `NodeSiteEnabler` @3854066). A Node app gets
/// no Python env, so a removal needs nothing, and a wipe would leave the site with none.
/// Whether KuduLite takes the rest for Python depends on the site's
/// `WEBSITE_PYTHON_VERSION` (`PythonSiteEnabler`), which the client cannot see: a Python app
/// on a Python site is assumed.
pub fn kudulite_not_python(names: &[String]) -> Option<OtherBuilder> {
    let has = |name: &str| names.iter().any(|n| n == name);
    node_site(Kudu::KuduLite, &has)
}

/// Kudu's `NodeSiteEnabler.LooksLikeNode`, with `has` saying whether a file is at the app
/// root (without case on Windows, with it on Linux).
fn node_site(kudu: Kudu, has: &dyn Fn(&str) -> bool) -> Option<OtherBuilder> {
    let node = |file| Some(OtherBuilder::Node { kudu, file });
    if has("package.json") {
        return node("package.json");
    }
    let start = ["server.js", "app.js"].into_iter().find(|f| has(f));
    if let Some(start) = start
        && !IIS_START_PAGES.iter().any(|p| has(p))
    {
        return node(start);
    }
    None
}

fn kudu_not_python(names: &[String], runtime_txt: Option<&[u8]>) -> Option<OtherBuilder> {
    // Kudu's file checks run on Windows, whose file names ignore case.
    let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if let Some(node) = node_site(Kudu::Kudu, &has) {
        return Some(node);
    }
    if !has("requirements.txt") {
        return Some(OtherBuilder::NoRequirements);
    }
    let python_file = names
        .iter()
        .any(|n| n.len() > 3 && n.to_ascii_lowercase().ends_with(".py"));
    // `File.ReadAllText` (a byte order mark decides the encoding: UTF-16 is read) and
    // `IndexOf("python", OrdinalIgnoreCase)`.
    let runtime_says_python = runtime_txt.is_some_and(|bytes| {
        crate::deployment::decode_as_dotnet(bytes)
            .to_ascii_lowercase()
            .contains("python")
    });
    (!python_file && !runtime_says_python).then_some(OtherBuilder::NoPythonFile)
}

/// The builder Dokku picks, when it builds the env fresh.
/// `None` for herokuish (the Heroku buildpack's cache keeps the env), Dokku's default.
///
/// dokku/dokku `plugins/git/functions` `git_trigger_build` takes the first builder a
/// `builder-detect` trigger prints (the plugins in name order; herokuish when none does):
/// `builder-dockerfile` (a Dockerfile, unless herokuish or pack detect), `builder-herokuish`
/// (`.buildpacks`, or `.env` with BUILDPACK_URL), `builder-lambda` (lambda.yml),
/// `builder-nixpacks` (nixpacks.toml), `builder-pack` (project.toml), `builder-railpack`
/// (railpack.json). A builder chosen by `dokku builder:set` or an app's BUILDPACK_URL
/// setting is not in the files; the sentence says so.
pub fn dokku_fresh(names: &[String], dotenv: Option<&[u8]>) -> Option<OtherBuilder> {
    let has = |name: &str| names.iter().any(|n| n == name);
    let herokuish = has(".buildpacks")
        || dotenv.is_some_and(|text| String::from_utf8_lossy(text).contains("BUILDPACK_URL"));
    if herokuish {
        return None;
    }
    if has("Dockerfile") && !has("project.toml") {
        return Some(OtherBuilder::Dokku(DokkuBuilder::Dockerfile));
    }
    [
        DokkuBuilder::Lambda,
        DokkuBuilder::Nixpacks,
        DokkuBuilder::Pack,
        DokkuBuilder::Railpack,
    ]
    .into_iter()
    .find(|builder| has(builder.file()))
    .map(OtherBuilder::Dokku)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn node_before_python_as_kudu_picks() {
        let python = names(&["requirements.txt", "app.py"]);
        assert_eq!(not_python(&python, None), None);
        let with_package = names(&["requirements.txt", "app.py", "Package.json"]);
        assert_eq!(
            not_python(&with_package, None),
            Some(OtherBuilder::Node {
                kudu: Kudu::Kudu,
                file: "package.json"
            })
        );
        let server_js = names(&["requirements.txt", "app.py", "server.js"]);
        assert!(not_python(&server_js, None).is_some());
        // An IIS start page makes server.js no Node site.
        let with_page = names(&["requirements.txt", "app.py", "server.js", "index.html"]);
        assert_eq!(not_python(&with_page, None), None);
        // Python needs a .py at the root, or runtime.txt saying python.
        let no_py = names(&["requirements.txt", "runtime.txt"]);
        assert_eq!(not_python(&no_py, Some(b"python-3.6")), None);
        assert_eq!(
            not_python(&no_py, Some(b"3.6")),
            Some(OtherBuilder::NoPythonFile)
        );
        assert_eq!(
            not_python(&names(&["app.py"]), None),
            Some(OtherBuilder::NoRequirements)
        );
        // Any file name, also one whose last three bytes split a character.
        let odd = names(&["requirements.txt", "\u{e9}\u{20ac}a"]);
        assert!(not_python(&odd, None).is_some());
        // runtime.txt as .NET reads it: UTF-16 with its byte order mark says python too.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("python-3.6".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(not_python(&no_py, Some(&utf16)), None);
    }

    #[test]
    fn kudulite_picks_node_first_with_case() {
        let python = names(&["requirements.txt", "app.py"]);
        assert_eq!(kudulite_not_python(&python), None);
        let with_package = names(&["requirements.txt", "app.py", "package.json"]);
        assert_eq!(
            kudulite_not_python(&with_package),
            Some(OtherBuilder::Node {
                kudu: Kudu::KuduLite,
                file: "package.json"
            })
        );
        // Linux names keep their case: Package.json is no package.json there.
        let other_case = names(&["requirements.txt", "app.py", "Package.json"]);
        assert_eq!(kudulite_not_python(&other_case), None);
        let with_page = names(&["requirements.txt", "app.js", "index.html"]);
        assert_eq!(kudulite_not_python(&with_page), None);
    }

    #[test]
    fn dokku_picks_as_its_builder_detect_triggers_do() {
        assert_eq!(dokku_fresh(&names(&["requirements.txt"]), None), None);
        let pack = names(&["requirements.txt", "project.toml"]);
        let dokku = |builder| Some(OtherBuilder::Dokku(builder));
        assert_eq!(dokku_fresh(&pack, None), dokku(DokkuBuilder::Pack));
        // herokuish detects before pack, and a Dockerfile defers to both.
        let buildpacks = names(&["project.toml", ".buildpacks", "Dockerfile"]);
        assert_eq!(dokku_fresh(&buildpacks, None), None);
        let with_env = names(&["Dockerfile", ".env"]);
        assert_eq!(dokku_fresh(&with_env, Some(b"BUILDPACK_URL=x\n")), None);
        assert_eq!(
            dokku_fresh(&with_env, Some(b"A=1\n")),
            dokku(DokkuBuilder::Dockerfile)
        );
        let docker_pack = names(&["Dockerfile", "project.toml"]);
        assert_eq!(dokku_fresh(&docker_pack, None), dokku(DokkuBuilder::Pack));
        for (file, builder) in [
            ("nixpacks.toml", DokkuBuilder::Nixpacks),
            ("railpack.json", DokkuBuilder::Railpack),
            ("lambda.yml", DokkuBuilder::Lambda),
        ] {
            let found = dokku_fresh(&names(&["requirements.txt", file]), None);
            assert_eq!(found, dokku(builder), "{file}");
        }
    }
}
