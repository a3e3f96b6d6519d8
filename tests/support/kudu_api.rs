//! A local stand-in for the endpoints of Kudu's REST API that envguard uses, served on
//! 127.0.0.1 by the test itself, all with HTTP basic auth, acting on a real directory standing
//! in for the site's `site` folder (the parent of `wwwroot`):
//! - `DELETE /api/vfs/<path>/?recursive=true` (`If-Match` required for files; 200, 404,
//!   409);
//! - `GET /api/vfs/<path>/` (a folder's listing, each entry with the platform's `path`) and
//!   `GET /api/vfs/<file>` (its bytes);
//! - `POST /api/command` (`rmdir /s /q <dir>` on Windows, `rm -rf -- "<dir>"` on Linux, where a single-quoted dir deletes nothing;
//!   always 200 with `{Output, Error, ExitCode}`);
//! - `GET /api/settings` (the app settings);
//! - `GET /api/deployments/<id>`, `.../log` and its details, from what the local deployment
//!   (`kudu-deploy.sh`) recorded in `site/deployments/<id>/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;

/// How the stand-in answers.
#[derive(Clone)]
pub struct ApiSettings {
    pub user: String,
    pub password: String,
    /// The directory the site's `site/wwwroot` maps to.
    pub wwwroot: PathBuf,
    /// Answer every VFS delete with this status (a locked folder: 409).
    pub vfs_refuses: Option<u16>,
    /// Answer this many requests with 503 before serving.
    pub transient_failures: usize,
    /// Read requests but never answer.
    pub hang: bool,
    /// The command API's delete fails as on a locked file, deleting nothing.
    pub command_fails: bool,
    /// The site runs Linux (paths under `/home`, bash in the command API).
    pub linux: bool,
    /// A VFS delete deletes, then is answered 502, as App Service's front end does after
    /// about 230 s.
    pub gateway_timeout_after_delete: bool,
    /// The app settings `GET /api/settings` returns.
    pub app_settings: Vec<(String, String)>,
    /// Answer the home folder's listing with this status and body instead of Kudu's JSON
    /// (a front end's HTML page, a 404): no evidence of any platform.
    pub listing_answer: Option<(u16, &'static str)>,
}

impl ApiSettings {
    pub fn new(wwwroot: &Path) -> ApiSettings {
        ApiSettings {
            user: "$site".to_string(),
            password: "s3cret-Pa55".to_string(),
            wwwroot: wwwroot.to_path_buf(),
            vfs_refuses: None,
            transient_failures: 0,
            hang: false,
            command_fails: false,
            linux: false,
            gateway_timeout_after_delete: false,
            app_settings: Vec::new(),
            listing_answer: None,
        }
    }

    /// The `site` folder on disk.
    fn site_dir(&self) -> PathBuf {
        self.wwwroot
            .parent()
            .map_or_else(|| self.wwwroot.clone(), Path::to_path_buf)
    }

    /// A path of the site's home as the platform writes it.
    fn home_path(&self, relative: &str) -> String {
        if self.linux {
            format!("/home/{relative}")
        } else {
            format!("D:\\home\\{}", relative.replace('/', "\\"))
        }
    }
}

/// One request the stand-in saw: method, path with query, and its answer's status.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// For deletes: whether something was deleted.
    pub deleted: bool,
    /// The request's body, as text (what a command API request would run).
    pub body: String,
}

/// The running stand-in; stops when dropped.
pub struct KuduApi {
    pub url: String,
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    /// The connections a `hang` stand-in holds open, shut down when it stops.
    hanging: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl KuduApi {
    pub fn start(settings: ApiSettings) -> KuduApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let url = format!("http://{addr}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let hanging = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(settings.transient_failures));
        let thread = {
            let (seen, stop, hanging) = (seen.clone(), stop.clone(), hanging.clone());
            std::thread::spawn(move || {
                // A blocking accept: `Drop` sets `stop`, then connects once to wake it.
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, hanging, failures, settings) = (
                        seen.clone(),
                        hanging.clone(),
                        failures.clone(),
                        settings.clone(),
                    );
                    std::thread::spawn(move || {
                        serve(stream, &settings, &seen, &hanging, &failures)
                    });
                }
            })
        };
        KuduApi {
            url,
            addr,
            seen,
            stop,
            hanging,
            thread: Some(thread),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many requests deleted something.
    pub fn deletions(&self) -> usize {
        self.seen().iter().filter(|s| s.deleted).count()
    }
}

impl Drop for KuduApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(hanging) = self.hanging.lock() {
            for stream in hanging.iter() {
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        }
        // The shutdown connection wakes the accept loop, which then sees `stop`. Should it
        // fail, the thread is left blocked in accept rather than the test hanging on it.
        let woke = TcpStream::connect(self.addr).is_ok();
        if let Some(t) = self.thread.take()
            && woke
        {
            let _ = t.join();
        }
    }
}

/// Points envguard in `repo` at the API at `url` (`envguard.scmUrl`), with the credentials
/// `user`/`password` kept by git's `store` helper.
pub fn use_api(repo: &super::Repo, url: &str, user: &str, password: &str) {
    let store = repo.scratch("secrets").join("credentials");
    let host = url.trim_start_matches("http://");
    std::fs::write(
        &store,
        format!("http://{}:{password}@{host}\n", user.replace('$', "%24")),
    )
    .expect("credentials");
    repo.git(&["config", "envguard.scmUrl", url]);
    repo.git(&[
        "config",
        "credential.helper",
        &format!("store --file={}", store.display()),
    ]);
}

/// An address on 127.0.0.1 where nothing listens.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn serve(
    mut stream: TcpStream,
    settings: &ApiSettings,
    seen: &Mutex<Vec<Seen>>,
    hanging: &Mutex<Vec<TcpStream>>,
    failures: &AtomicUsize,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&stream) else {
        return;
    };
    if settings.hang {
        // Never answer: hold the connection until the client gives up and closes it, or the
        // stand-in stops and shuts it down (bounded by the read timeout either way).
        if let (Ok(held), Ok(mut list)) = (stream.try_clone(), hanging.lock()) {
            list.push(held);
        }
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let mut buf = [0u8; 512];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        return;
    }
    let (status, body, deleted) = if failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        (503, "Service Unavailable".to_string(), false)
    } else if !authorized(&request, settings) {
        (401, "Unauthorized".to_string(), false)
    } else {
        match route(&request, settings) {
            // The front end gave up, but the delete went through.
            (200, _, true) if settings.gateway_timeout_after_delete => {
                (502, "Bad Gateway".to_string(), true)
            }
            answer => answer,
        }
    };
    if let Ok(mut s) = seen.lock() {
        s.push(Seen {
            method: request.method.clone(),
            path: request.target.clone(),
            status,
            deleted,
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
    }
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Other",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n",
        body.len()
    );
    if status == 401 {
        head.push_str("WWW-Authenticate: Basic realm=\"site\"\r\n");
    }
    let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
}

fn authorized(request: &Request, settings: &ApiSettings) -> bool {
    let Some(encoded) = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{}:{}", settings.user, settings.password).as_bytes()
}

/// A site path (`site/wwwroot/...`, `/` or `\` separated, percent-encoded) on disk.
fn on_disk(settings: &ApiSettings, site_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(site_path)
        .decode_utf8_lossy()
        .into_owned()
        .replace('\\', "/");
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == ".." || *p == ".") {
        return None;
    }
    match parts.as_slice() {
        ["site", rest @ ..] => {
            let mut path = settings.site_dir();
            path.extend(rest);
            Some(path)
        }
        _ => None,
    }
}

/// The command API running an env's pip: `<env>/bin/python -m pip uninstall --yes NAMES`
/// in `dir`, done with this machine's pip for that env's Python.
fn pip_uninstall(
    settings: &ApiSettings,
    dir: &str,
    python: &str,
    names: &str,
) -> (u16, String, bool) {
    let reply = |code: i32, output: &str, error: &str| {
        serde_json::json!({"Output": output, "Error": error, "ExitCode": code}).to_string()
    };
    let Some(python) = on_disk(settings, &format!("{dir}/{}", python.replace('\\', "/"))) else {
        return (200, reply(1, "", "no such python"), false);
    };
    let out = std::process::Command::new("python3")
        .args(["-m", "pip", "--python"])
        .arg(&python)
        .args(["uninstall", "--yes", "--quiet"])
        // .NET splits the arguments at spaces, double quotes grouping and dropped.
        .args(names.split_whitespace().map(|n| n.trim_matches('"')))
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output();
    match out {
        Ok(o) => (
            200,
            reply(
                o.status.code().unwrap_or(1),
                &String::from_utf8_lossy(&o.stdout),
                &String::from_utf8_lossy(&o.stderr),
            ),
            o.status.success(),
        ),
        Err(e) => (200, reply(1, "", &e.to_string()), false),
    }
}

/// A VFS listing of a folder of the home (`""`: the home itself, holding `site`).
fn listing(settings: &ApiSettings, relative: &str, disk: &Path) -> String {
    let names: Vec<String> = if relative.is_empty() {
        vec!["site".to_string()]
    } else {
        let mut names: Vec<String> = std::fs::read_dir(disk)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let entries: Vec<serde_json::Value> = names
        .iter()
        .map(|name| {
            let child = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            serde_json::json!({"name": name, "path": settings.home_path(&child)})
        })
        .collect();
    serde_json::Value::from(entries).to_string()
}

/// `GET /api/deployments/<id>[/log[/details]]` from `site/deployments/<id>/` (what the local
/// deployment recorded: `status.json`, `log.txt`).
fn deployments(settings: &ApiSettings, rest: &str, base: &str) -> (u16, String, bool) {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let Some(id) = parts
        .first()
        .filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return (404, "{}".into(), false);
    };
    let dir = settings.site_dir().join("deployments").join(id);
    let Ok(status) = std::fs::read_to_string(dir.join("status.json")) else {
        return (404, "{}".into(), false);
    };
    let log = std::fs::read_to_string(dir.join("log.txt")).unwrap_or_default();
    let entry = |message: &str, details: Option<String>| {
        serde_json::json!({"log_time": "2026-11-29T00:00:00Z", "id": "1", "message": message,
            "type": 0, "details_url": details})
    };
    match parts.as_slice() {
        [_] => (200, status, false),
        [_, "log"] => {
            let details = format!("{base}/api/deployments/{id}/log/details");
            let entries = vec![
                entry("Updating branch 'master'.", None),
                entry("Running deployment command...", Some(details)),
            ];
            (200, serde_json::Value::from(entries).to_string(), false)
        }
        [_, "log", "details"] => {
            let entries: Vec<serde_json::Value> = log.lines().map(|l| entry(l, None)).collect();
            (200, serde_json::Value::from(entries).to_string(), false)
        }
        _ => (404, "{}".into(), false),
    }
}

/// `GET /api/deployments`: every recorded deployment, newest first, the newest that
/// succeeded (status 4) marked `active`, as Kudu lists them.
fn deployment_list(settings: &ApiSettings) -> String {
    let mut found: Vec<(std::time::SystemTime, serde_json::Value)> =
        std::fs::read_dir(settings.site_dir().join("deployments"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let path = e.path().join("status.json");
                let time = std::fs::metadata(&path).ok()?.modified().ok()?;
                let value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
                Some((time, value))
            })
            .collect();
    found.sort_by_key(|b| std::cmp::Reverse(b.0));
    let mut active_given = false;
    let list: Vec<serde_json::Value> = found
        .into_iter()
        .map(|(_, mut value)| {
            let active = !active_given && value["status"] == 4;
            active_given |= active;
            value["active"] = serde_json::Value::from(active);
            value
        })
        .collect();
    serde_json::Value::from(list).to_string()
}

fn route(request: &Request, settings: &ApiSettings) -> (u16, String, bool) {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    if path == "/api/vfs/" && request.method == "GET" {
        if let Some((status, body)) = settings.listing_answer {
            return (status, body.to_string(), false);
        }
        return (200, listing(settings, "", &settings.site_dir()), false);
    }
    if path == "/api/settings" && request.method == "GET" {
        let map: serde_json::Map<String, serde_json::Value> = settings
            .app_settings
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
            .collect();
        return (200, serde_json::Value::from(map).to_string(), false);
    }
    if (path == "/api/deployments" || path == "/api/deployments/") && request.method == "GET" {
        return (200, deployment_list(settings), false);
    }
    if let Some(rest) = path.strip_prefix("/api/deployments/")
        && request.method == "GET"
    {
        let host = request.header("host").unwrap_or("127.0.0.1");
        return deployments(settings, rest, &format!("http://{host}"));
    }
    if let Some(vfs) = path.strip_prefix("/api/vfs/") {
        let Some(disk) = on_disk(settings, vfs) else {
            return (404, "{}".into(), false);
        };
        return match request.method.as_str() {
            "GET" if disk.is_dir() => {
                let relative = percent_encoding::percent_decode_str(vfs.trim_end_matches('/'))
                    .decode_utf8_lossy()
                    .into_owned();
                (200, listing(settings, &relative, &disk), false)
            }
            "GET" if disk.is_file() && !vfs.ends_with('/') => (
                200,
                std::fs::read_to_string(&disk).unwrap_or_default(),
                false,
            ),
            "GET" => (404, "{}".into(), false),
            "DELETE" => {
                // Kudu asks for If-Match on files only.
                if request.header("if-match").is_none() && disk.is_file() {
                    return (412, "If-Match header required".into(), false);
                }
                if let Some(status) = settings.vfs_refuses {
                    return (status, "The process cannot access the file".into(), false);
                }
                if std::fs::symlink_metadata(&disk).is_err() {
                    return (404, "{}".into(), false);
                }
                let recursive = query.split('&').any(|q| q == "recursive=true");
                let result = if disk.is_dir() && recursive {
                    std::fs::remove_dir_all(&disk)
                } else if disk.is_dir() {
                    std::fs::remove_dir(&disk)
                } else {
                    std::fs::remove_file(&disk)
                };
                match result {
                    Ok(()) => (200, String::new(), true),
                    Err(e) => (409, e.to_string(), false),
                }
            }
            _ => (405, "{}".into(), false),
        };
    }
    if path == "/api/command" && request.method == "POST" {
        let Ok(body) = serde_json::from_slice::<serde_json::Value>(&request.body) else {
            return (400, "bad json".into(), false);
        };
        let command = body["command"].as_str().unwrap_or("");
        let dir = body["dir"].as_str().unwrap_or("");
        let reply = |code: i32, error: &str| {
            serde_json::json!({"Output": "", "Error": error, "ExitCode": code}).to_string()
        };
        if let Some((python, names)) = command.split_once(" -m pip uninstall --yes ") {
            return pip_uninstall(settings, dir, python, names);
        }
        let deletes = if settings.linux {
            command.strip_prefix("rm -rf -- ")
        } else {
            command.strip_prefix("rmdir /s /q ")
        };
        let Some(name) = deletes else {
            // cmd's rmdir under bash, or rm under cmd: what the wrong shell says.
            let error = if settings.linux {
                "bash: rmdir: /s: No such file or directory"
            } else {
                "'rm' is not recognized as an internal or external command"
            };
            return (200, reply(1, error), false);
        };
        // KuduLite hands the command to bash as .NET process arguments, where only double
        // quotes group: a single-quoted name reaches `rm -rf` with its quotes, names nothing,
        // and rm exits 0 having deleted nothing.
        if settings.linux && name.starts_with('\'') {
            return (200, reply(0, ""), false);
        }
        let name = name.trim_matches('"');
        if settings.command_fails {
            return (
                200,
                reply(
                    32,
                    "The process cannot access the file because it is being used by another process.",
                ),
                false,
            );
        }
        let Some(disk) = on_disk(settings, &format!("{dir}/{name}")) else {
            return (
                200,
                reply(2, "The system cannot find the path specified."),
                false,
            );
        };
        return match std::fs::remove_dir_all(&disk) {
            Ok(()) => (200, reply(0, ""), true),
            Err(_) => (
                200,
                reply(2, "The system cannot find the file specified."),
                false,
            ),
        };
    }
    (404, "{}".into(), false)
}
