//! Operations, end to end: the real daemon under the conditions systemd
//! creates (a notify socket, a watchdog, inherited sockets, SIGHUP, the
//! journal's pipes), `check-config`, and the install steps of the README
//! rendered into a temporary root.

#[path = "../common/mod.rs"]
mod common;

mod check_config;
mod install;
mod lifecycle;
mod reload;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{Dirs, PATIENCE};

/// Messages received on a `$NOTIFY_SOCKET`, with when they came.
pub struct Notifications {
    path: PathBuf,
    seen: Arc<Mutex<Vec<(Instant, String)>>>,
    stop: Arc<AtomicBool>,
}

impl Notifications {
    /// Binds a notify socket in `dirs` and records what arrives.
    pub fn bind(dirs: &Dirs) -> Notifications {
        let path = dirs.root.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).expect("bind notify socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (into, done) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while !done.load(Ordering::Relaxed) {
                if let Ok(n) = socket.recv(&mut buf) {
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    into.lock().expect("lock").push((Instant::now(), text));
                }
            }
        });
        Notifications { path, seen, stop }
    }

    /// The value for `NOTIFY_SOCKET`.
    pub fn env(&self) -> String {
        self.path.to_str().expect("utf-8 path").to_string()
    }

    /// Everything received so far.
    pub fn all(&self) -> Vec<(Instant, String)> {
        self.seen.lock().expect("lock").clone()
    }

    /// Waits (bounded) for a message after the first `after` ones that
    /// satisfies `ok`; returns its index and text.
    pub fn wait_for(&self, after: usize, what: &str, ok: impl Fn(&str) -> bool) -> (usize, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let all = self.all();
            if let Some((i, (_, m))) = all.iter().enumerate().skip(after).find(|(_, (_, m))| ok(m))
            {
                return (i, m.clone());
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {:?}",
                all.iter().map(|(_, m)| m).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// `command` run as `sh -c 'PRELUDE exec "$0" "$@"' PROGRAM ARGS...`, so
/// that PRELUDE's assignments can name the daemon's own PID (`$$`), as
/// systemd's `WATCHDOG_PID` and `LISTEN_PID` do.
pub fn through_shell(command: &Command, prelude: &str, dirs: &Dirs) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("{prelude} exec \"$0\" \"$@\""))
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dirs.log())
        .expect("log file");
    sh.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(log);
    sh
}

/// Writes `text` to `path` atomically (temporary file, then rename), as
/// configuration management does.
pub fn write_atomically(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// A Markdown bulletin with `n` articles.
pub fn bulletin(stem: &str, n: usize) -> Vec<u8> {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "# {stem} article {i}\n\nBody of article {i} of {stem}, long enough to be a real paragraph.\n\n"
        ));
    }
    text.into_bytes()
}

/// Clients polling the daemon while something happens; each counts its
/// answers and keeps its errors.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<(u64, Vec<String>)>>,
}

impl Load {
    /// One client on fresh connections and one on a keep-alive connection.
    pub fn start(addr: SocketAddr, fresh: &'static str, kept: &'static str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = vec![
            spawn_poller(Arc::clone(&stop), move || fresh_get(addr, fresh)),
            {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || keep_alive_poll(addr, kept, &stop))
            },
        ];
        Load { stop, threads }
    }

    /// Stops the clients: (answers, errors).
    pub fn finish(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut total = (0, Vec::new());
        for t in self.threads {
            let (n, errors) = t.join().expect("poller");
            total.0 += n;
            total.1.extend(errors);
        }
        total
    }
}

fn spawn_poller(
    stop: Arc<AtomicBool>,
    get: impl Fn() -> Result<u16, String> + Send + 'static,
) -> JoinHandle<(u64, Vec<String>)> {
    std::thread::spawn(move || {
        let (mut n, mut errors) = (0, Vec::new());
        while !stop.load(Ordering::Relaxed) {
            match get() {
                Ok(200) => n += 1,
                Ok(status) => errors.push(format!("status {status}")),
                Err(e) => errors.push(e),
            }
        }
        (n, errors)
    })
}

/// One `GET` on a fresh connection; its status.
fn fresh_get(addr: SocketAddr, path: &str) -> Result<u16, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read: {e}"))?;
    status_of(&raw)
}

fn status_of(head: &[u8]) -> Result<u16, String> {
    String::from_utf8_lossy(head)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {} bytes", head.len()))
}

/// `GET`s on one keep-alive connection (reconnecting only when the server
/// closed it between requests, which is allowed).
fn keep_alive_poll(addr: SocketAddr, path: &str, stop: &AtomicBool) -> (u64, Vec<String>) {
    let (mut n, mut errors) = (0, Vec::new());
    let mut conn: Option<BufReader<TcpStream>> = None;
    while !stop.load(Ordering::Relaxed) {
        let reader = match &mut conn {
            Some(r) => r,
            None => match TcpStream::connect(addr) {
                Ok(s) => {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    conn.insert(BufReader::new(s))
                }
                Err(e) => {
                    errors.push(format!("connect: {e}"));
                    continue;
                }
            },
        };
        match keep_alive_get(reader, path) {
            Ok(Some(200)) => n += 1,
            Ok(Some(status)) => errors.push(format!("status {status}")),
            Ok(None) => conn = None,
            Err(e) => {
                errors.push(e);
                conn = None;
            }
        }
    }
    (n, errors)
}

/// One request on an open connection; `None` if it was closed before
/// any byte of an answer.
fn keep_alive_get(reader: &mut BufReader<TcpStream>, path: &str) -> Result<Option<u16>, String> {
    write!(reader.get_mut(), "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n")
        .map_err(|e| format!("send: {e}"))?;
    let mut status_line = String::new();
    match reader.read_line(&mut status_line) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(format!("read: {e}")),
    }
    let status = status_of(status_line.as_bytes())?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("read head: {e}"))?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| "bad length".to_string())?;
            }
        }
    }
    let mut body = vec![0u8; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| format!("read body: {e}"))?;
    Ok(Some(status))
}
