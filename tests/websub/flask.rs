//! The `flask-websub` package's subscriber (PyPI) against the daemon: it
//! discovers the hub from the feed's `Link` header, subscribes, confirms
//! the verification and receives a pushed update. Runs where a Python with
//! `flask_websub` is found (`BULLETIND_TEST_PYTHON`, else `python3`);
//! elsewhere it says so on stderr and passes, since the subscriber written
//! in these tests covers the same ground.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::common::{Dirs, PATIENCE};

fn python() -> Option<String> {
    let python = std::env::var("BULLETIND_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import flask_websub"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

#[test]
fn flask_websub_subscriber_discovers_subscribes_and_is_notified() {
    let Some(python) = python() else {
        eprintln!(
            "SKIP: no Python with flask_websub (pip install flask-websub; BULLETIND_TEST_PYTHON)"
        );
        return;
    };
    let dirs = Dirs::new();
    let d = super::start(&dirs, "");
    let topic = super::topic(&d, "/feed.json");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/websub/flask_subscriber.py"
    );
    let mut child = Command::new(python)
        .args([script, &topic, &dirs.root.path().display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the flask-websub subscriber");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = |what: &str| -> String {
        let line = lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("flask-websub: no line ({what})"));
        assert!(
            line.starts_with(what),
            "flask-websub said {line:?}, expected {what}"
        );
        line
    };
    let found = next("discovered");
    assert_eq!(
        found,
        format!("discovered http://{}/websub {topic}", d.addr)
    );
    next("subscribed subscribe");
    super::wait_active(&d, "/feed.json", 1);
    let dropped = Instant::now();
    super::drop_note(&dirs, "flask");
    let got = next("notified");
    let took = dropped.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert!(got.ends_with("WebSub note flask"), "{got}");
    assert!(
        took < Duration::from_secs(1),
        "notified {took:?} after the drop"
    );
}
