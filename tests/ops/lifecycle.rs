//! Under systemd: the watchdog stops vouching for a wedged daemon, an
//! inherited socket is served instead of `--listen`, and logs written to a
//! pipe carry no colour.

use std::io::Read;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use crate::common::{sample_page, Daemon, Dirs, PATIENCE};
use crate::{bulletin, through_shell, Notifications};

/// Pings in the window `[from, to)`.
fn pings(notes: &Notifications, from: Instant, to: Instant) -> usize {
    notes
        .all()
        .iter()
        .filter(|(at, m)| *at >= from && *at < to && m.contains("WATCHDOG=1"))
        .count()
}

#[test]
fn watchdog_pings_stop_when_the_ingest_thread_is_wedged() {
    let dirs = Dirs::new();
    let notes = Notifications::bind(&dirs);
    let env = [
        ("NOTIFY_SOCKET", notes.env()),
        ("WATCHDOG_USEC", "400000".to_string()),
        // A debug-build hook: ingesting this file sleeps for an hour.
        ("BULLETIND_TEST_STALL_ON", "wedge.md".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let command = Daemon::command(&dirs, &[], &env);
    let d = Daemon::launch(through_shell(&command, "WATCHDOG_PID=$$", &dirs));
    notes.wait_for(0, "READY=1", |m| m.contains("READY=1"));

    // Healthy and idle: pinged at least every 200 ms (half the interval).
    std::thread::sleep(Duration::from_millis(1000));
    let now = Instant::now();
    let healthy = pings(&notes, now - Duration::from_millis(800), now);
    assert!(healthy >= 4, "only {healthy} pings in 800 ms while healthy");

    dirs.drop_file("wedge.md", &bulletin("Wedge", 1));
    let (_, status) = notes.wait_for(0, "STATUS= naming the stuck file", |m| {
        m.contains("UNHEALTHY") && m.contains("wedge.md")
    });
    assert!(status.contains("ingest thread stuck"), "{status}");
    let silent_from = Instant::now();
    std::thread::sleep(Duration::from_millis(1200));
    let wedged = pings(&notes, silent_from, Instant::now());
    assert_eq!(
        wedged, 0,
        "{wedged} pings while the ingest thread was wedged"
    );
    // HTTP still answers (systemd, not the daemon, decides to restart).
    assert_eq!(d.get("/healthz").status, 200);
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("not pinging the systemd watchdog"), "{log}");
}

#[test]
fn an_inherited_socket_is_served_instead_of_listen() {
    let dirs = Dirs::new();
    dirs.drop_file("page.txt", &sample_page());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let inherited = listener.local_addr().expect("addr");
    let fd = listener.as_raw_fd();
    let command = Daemon::command(
        &dirs,
        &[],
        &[("LISTEN_FDNAMES", "http"), ("LISTEN_FDS", "1")],
    );
    let mut command = through_shell(&command, "LISTEN_PID=$$", &dirs);
    // SAFETY: between fork and exec only async-signal-safe calls: dup2
    // onto descriptor 3, where socket activation passes the first socket,
    // and clear close-on-exec (dup2 leaves it set when fd already is 3).
    unsafe {
        command.pre_exec(move || {
            let mut three = OwnedFd::from_raw_fd(3);
            let mut result = Ok(());
            if fd != 3 {
                result = rustix::io::dup2(rustix::fd::BorrowedFd::borrow_raw(fd), &mut three);
            }
            let result =
                result.and_then(|()| rustix::io::fcntl_setfd(&three, rustix::io::FdFlags::empty()));
            std::mem::forget(three);
            result.map_err(std::io::Error::from)
        });
    }
    let d = Daemon::launch(command);
    drop(listener);
    assert_eq!(d.addr, inherited, "the daemon bound its own port");
    assert_eq!(d.get("/healthz").status, 200);
    d.wait_json("/feed.json", "the sample's items", |f| {
        f["items"].as_array().is_some_and(|a| a.len() == 6)
    });
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("socket activation: serving 1 inherited socket"),
        "{log}"
    );
}

#[test]
fn logs_on_a_pipe_have_no_colour_and_name_each_file() {
    let dirs = Dirs::new();
    let mut command = Daemon::command(
        &dirs,
        &[],
        &[("TERM", "xterm-256color"), ("BULLETIND_LOG", "info,[{=bad")],
    );
    command.stderr(std::process::Stdio::piped());
    let mut d = Daemon::launch(command);
    let mut stderr = d.child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all);
        all
    });
    dirs.drop_file("good.md", &bulletin("Good", 1));
    dirs.drop_file("bad.txt", b"\x00\x01\x02binary\xff\xfe");
    let deadline = Instant::now() + PATIENCE;
    while std::fs::read_dir(dirs.quarantine()).map_or(0, |r| r.count()) == 0 {
        assert!(Instant::now() < deadline, "bad.txt never quarantined");
        std::thread::sleep(Duration::from_millis(20));
    }
    d.wait_json("/feed.json", "the good item", |f| {
        f["items"].as_array().is_some_and(|a| a.len() == 1)
    });
    let (status, _) = d.stop();
    assert!(status.success());
    let text = String::from_utf8(reader.join().expect("reader")).expect("utf-8 log");
    assert!(
        !text.contains('\u{1b}'),
        "ANSI escape in piped stderr:\n{text}"
    );
    let good = dirs.inbox().join("good.md");
    let bad = dirs.inbox().join("bad.txt");
    assert!(
        text.lines()
            .any(|l| l.contains("ingested") && l.contains(&*good.to_string_lossy())),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("rejected") && l.contains(&*bad.to_string_lossy())),
        "{text}"
    );
    // The bad filter is reported, and logging goes on at the default level.
    assert!(
        text.lines()
            .any(|l| l.contains("WARN") && l.contains("BULLETIND_LOG ignored")),
        "{text}"
    );
    assert!(!text.contains("DEBUG"), "{text}");
}

#[test]
fn on_the_journal_stream_lines_carry_a_priority_and_no_timestamp() {
    let dirs = Dirs::new();
    // Pretend the log file is journald's stream: JOURNAL_STREAM names its
    // device and inode, as systemd does for a service's stderr.
    std::fs::write(dirs.log(), b"").expect("log file");
    let stat = rustix::fs::stat(dirs.log()).expect("stat");
    let stream = format!("{}:{}", stat.st_dev, stat.st_ino);
    let d = Daemon::start_env(
        &dirs,
        &[],
        &[("JOURNAL_STREAM", &stream), ("BULLETIND_LOG", "info")],
    );
    dirs.drop_file("bad.txt", b"\x00\x01binary");
    let deadline = Instant::now() + PATIENCE;
    while !std::fs::read_to_string(dirs.log())
        .expect("log")
        .contains("rejected")
    {
        assert!(Instant::now() < deadline, "bad.txt never rejected");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, _) = d.stop();
    assert!(status.success());
    let text = std::fs::read_to_string(dirs.log()).expect("log");
    for line in text.lines() {
        assert!(
            line.starts_with("<3>") || line.starts_with("<4>") || line.starts_with("<6>"),
            "no priority prefix: {line:?}"
        );
        assert!(
            !line.contains("Z "),
            "a timestamp under the journal: {line:?}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("<3>") && l.contains("rejected")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("<6>") && l.contains("serving")),
        "{text}"
    );
}
