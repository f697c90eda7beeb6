//! Shared helpers for the end-to-end tests: run the real `bulletind`
//! binary on `127.0.0.1:0` with temporary folders, and a tiny HTTP/1.1
//! client over loopback.

#![allow(dead_code)] // each test crate uses a different subset

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Upper bound for anything a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The repository's sample page.
pub fn sample_page() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox/2022-12-09-jianghai-page.txt"))
        .expect("sample page")
}

/// Temporary inbox, state, feeds and quarantine folders.
pub struct Dirs {
    pub root: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("inbox")).expect("mkdir inbox");
        Dirs { root }
    }
    pub fn inbox(&self) -> PathBuf {
        self.root.path().join("inbox")
    }
    pub fn state(&self) -> PathBuf {
        self.root.path().join("state")
    }
    pub fn feeds(&self) -> PathBuf {
        self.root.path().join("feeds")
    }
    pub fn quarantine(&self) -> PathBuf {
        self.root.path().join("quarantine")
    }
    pub fn log(&self) -> PathBuf {
        self.root.path().join("daemon.log")
    }
    /// Writes a file into the inbox the way careful tools do: into a staging
    /// folder beside it, then renamed into place.
    pub fn drop_file(&self, rel: &str, bytes: &[u8]) {
        let staging = self.root.path().join("staging");
        std::fs::create_dir_all(&staging).expect("mkdir staging");
        let tmp = staging.join(rel.replace('/', "_"));
        std::fs::write(&tmp, bytes).expect("write staging");
        let target = self.inbox().join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir channel");
        std::fs::rename(&tmp, &target).expect("rename into inbox");
    }
}

/// A running daemon; stopped with SIGTERM when dropped.
pub struct Daemon {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Daemon {
    pub fn start(dirs: &Dirs) -> Daemon {
        Self::start_with(dirs, &[])
    }

    pub fn start_with(dirs: &Dirs, extra: &[&str]) -> Daemon {
        Self::start_env(dirs, extra, &[])
    }

    /// Starts with a configuration file holding `toml`.
    pub fn start_config(dirs: &Dirs, toml: &str) -> Daemon {
        let file = dirs.root.path().join("bulletind.toml");
        std::fs::write(&file, toml).expect("write config");
        let file = file.to_str().expect("utf-8 path").to_string();
        Self::start_with(dirs, &["--config", &file])
    }

    pub fn start_env(dirs: &Dirs, extra: &[&str], env: &[(&str, &str)]) -> Daemon {
        Self::spawn(dirs, extra, env, None)
    }

    /// Starts the daemon, as user `uid` (and its group) when given.
    pub fn spawn(dirs: &Dirs, extra: &[&str], env: &[(&str, &str)], uid: Option<u32>) -> Daemon {
        let mut command = Self::command(dirs, extra, env);
        if let Some(uid) = uid {
            use std::os::unix::process::CommandExt;
            command.uid(uid).gid(uid);
        }
        Self::launch(command)
    }

    /// The command [`Daemon::spawn`] runs: `bulletind serve` on the temporary
    /// folders and a free port, debug logs appended to `dirs.log()`.
    pub fn command(dirs: &Dirs, extra: &[&str], env: &[(&str, &str)]) -> Command {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dirs.log())
            .expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_bulletind"));
        command
            .arg("serve")
            .arg("--inbox")
            .arg(dirs.inbox())
            .arg("--state-dir")
            .arg(dirs.state())
            .arg("--feeds-dir")
            .arg(dirs.feeds())
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("BULLETIND_LOG", "debug,html5ever=info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        command
    }

    /// Runs `command` (made by [`Daemon::command`]) and waits for its
    /// `listening on` line.
    pub fn launch(mut command: Command) -> Daemon {
        let mut child = command.spawn().expect("spawn bulletind");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        lines.read_line(&mut first).expect("read listening line");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|s| s.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .expect("address");
        // Keep draining stdout so the daemon never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink);
        });
        Daemon { child, addr }
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub fn stop(mut self) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        let status = self.terminate();
        (status, started.elapsed())
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return self.child.wait().expect("wait after kill");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, path: &str) -> Response {
        request(self.addr, "GET", path, &[])
    }

    /// Polls `path` until `ok` holds for the response (bounded by PATIENCE).
    pub fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let r = self.get(path);
            if ok(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} on {path}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Sends a signal to the daemon.
    pub fn signal(&self, name: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status();
    }

    /// Waits (bounded) for the daemon to exit on its own.
    pub fn wait_exit(mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "daemon still running after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The value of metric `name` (with its labels, as `/metrics` writes
    /// them) in `/metrics`.
    pub fn metric(&self, name: &str) -> Option<u64> {
        self.get("/metrics")
            .text()
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
    }

    pub fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"))
    }

    /// Polls `path` until `ok` holds for its JSON body (bounded by PATIENCE).
    pub fn wait_json(
        &self,
        path: &str,
        what: &str,
        ok: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let r = self.get(path);
            if r.status == 200 {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&r.body) {
                    if ok(&v) {
                        return v;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} on {path}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// Ids of a JSON Feed's items, in order.
pub fn ids(feed: &serde_json::Value) -> Vec<String> {
    items(feed)
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Polls until `ok` holds (bounded by PATIENCE).
pub fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Whether the tests run as root (who reads any file whatever its mode).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Titles of a JSON Feed's items, in order.
pub fn titles(feed: &serde_json::Value) -> Vec<String> {
    items(feed)
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Items of a JSON Feed.
pub fn items(feed: &serde_json::Value) -> Vec<serde_json::Value> {
    feed["items"].as_array().cloned().unwrap_or_default()
}

/// An HTTP response as read off the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a fresh connection (`Connection: close`), read to EOF.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    request_body(addr, method, path, headers, &[])
}

/// [`request`] with a body (give its `Content-Length` in `headers`).
pub fn request_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    sent: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).expect("send");
    stream.write_all(sent).expect("send body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut map = BTreeMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            map.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    if map.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    }
    Response {
        status,
        headers: map,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}
