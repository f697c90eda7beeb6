//! The inbox publishes only what was meant: links, FIFOs and unreadable
//! files are never read, slow writers are never read half-way, channel
//! folders come and go cleanly, a crash during quarantine loses nothing, and
//! a failing ingest thread is loud. The real daemon on 127.0.0.1:0.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::{is_root, items, titles, wait_until, Daemon, Dirs, PATIENCE};

const NOTE: &str = "---\ntitle: Notes\ndate: 2024-03-05\n---\n\n# Library opens on Sundays\n\nFrom April the central library opens on Sundays.\n";

fn note(title: &str) -> String {
    format!("---\ntitle: Notes\ndate: 2024-03-05\n---\n\n# {title}\n\nA paragraph about {title}, long enough to be a body.\n")
}

#[test]
fn links_fifos_and_unreadable_files_are_never_read() {
    let dirs = Dirs::new();
    let secret = dirs.root.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:SECRET-LINE\n").expect("write secret");
    // As root every file is readable: run the daemon as nobody then.
    let uid = is_root().then_some(65534);
    if uid.is_some() {
        let status = std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(dirs.root.path())
            .status()
            .expect("chown");
        assert!(status.success());
        std::fs::set_permissions(dirs.root.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let d = Daemon::spawn(&dirs, &[], &[], uid);
    std::os::unix::fs::symlink(&secret, dirs.inbox().join("passwd.txt")).expect("symlink");
    let fifo = dirs.inbox().join("pipe.md");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o666),
    )
    .expect("mkfifo");
    // Locked before it enters the inbox, so it is never readable there.
    let staged = dirs.root.path().join("locked.md");
    std::fs::write(&staged, note("Locked away")).expect("write");
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let locked = dirs.inbox().join("locked.md");
    std::fs::rename(&staged, &locked).expect("mv in");
    dirs.drop_file("after.md", note("After the bad ones").as_bytes());
    let feed = d.wait_json("/feed.json", "the good file", |f| {
        titles(f).contains(&"After the bad ones".to_string())
    });
    assert_eq!(titles(&feed), ["After the bad ones"]);
    for path in ["/feed.json", "/feed.rss", "/feed.atom", "/"] {
        assert!(
            !d.get(path).text().contains("SECRET-LINE"),
            "{path} published the link's target"
        );
    }
    assert!(
        fifo.exists() && locked.exists(),
        "nothing is moved or deleted"
    );
    // The permission fixed: the file is read now.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).expect("chmod 644");
    d.wait_json("/feed.json", "the fixed file", |f| {
        titles(f).contains(&"Locked away".to_string())
    });
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("passwd.txt"), "the link is logged:\n{log}");
    assert!(
        log.contains("symbolic link") && log.contains("FIFO"),
        "kinds are named:\n{log}"
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("locked.md") && l.contains("not ingested"))
            .count(),
        1,
        "an unreadable file is logged once:\n{log}"
    );
}

#[test]
fn a_writer_pausing_three_settle_intervals_is_never_read_half_way() {
    let dirs = Dirs::new();
    let d = Daemon::start_config(&dirs, "settle_ms = 200\n");
    std::fs::create_dir_all(dirs.inbox().join("slow")).expect("mkdir");
    dirs.drop_file("slow/marker.md", note("Marker").as_bytes());
    d.wait_json("/slow/feed.json", "marker", |f| items(f).len() == 1);
    let path = dirs.inbox().join("slow/page.md");
    let mut file = std::fs::File::create(&path).expect("create");
    let whole = "---\ntitle: Slow\ndate: 2024-03-05\n---\n\n# First slow story\n\nIts only paragraph.\n\n# Second slow story\n\nIts paragraph, the last one.\n";
    let (head, tail) = whole.split_at(whole.find("# Second").expect("split"));
    file.write_all(head.as_bytes()).expect("write head");
    file.sync_all().expect("sync");
    let until = Instant::now() + Duration::from_millis(600);
    while Instant::now() < until {
        let feed = d.json("/slow/feed.json");
        assert_eq!(
            titles(&feed),
            ["Marker"],
            "a half-written file was published"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    file.write_all(tail.as_bytes()).expect("write tail");
    drop(file);
    let feed = d.wait_json("/slow/feed.json", "the whole file", |f| items(f).len() == 3);
    assert!(titles(&feed).contains(&"Second slow story".to_string()));
}

#[test]
fn a_channel_folder_with_a_dot_moved_away_is_gone_and_odd_folders_are_refused() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    dirs.drop_file("a.b/x.md", note("Dotted channel story").as_bytes());
    d.wait_json("/a.b/feed.json", "dotted channel", |f| items(f).len() == 1);
    assert!(d.get("/").text().contains("a.b"));
    std::fs::create_dir_all(dirs.inbox().join("a..b")).expect("mkdir");
    std::fs::write(dirs.inbox().join("a..b/y.md"), note("Unreachable")).expect("write");
    std::fs::create_dir_all(dirs.inbox().join("a.b/deeper")).expect("mkdir");
    std::fs::write(dirs.inbox().join("a.b/deeper/z.md"), note("Too deep")).expect("write");
    std::fs::rename(
        dirs.inbox().join("a.b"),
        dirs.root.path().join("moved-away"),
    )
    .expect("mv");
    d.wait_for("/a.b/feed.json", "retracted channel", |r| r.status == 410);
    wait_until("the main feed to drop it", || {
        items(&d.json("/feed.json")).is_empty()
    });
    assert!(
        !d.get("/").text().contains("a.b"),
        "the index still lists it"
    );
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("a..b") && log.contains("no URL can carry"),
        "{log}"
    );
    assert!(
        log.contains("deeper") && log.contains("folders inside a channel folder"),
        "{log}"
    );
}

#[test]
fn a_crash_between_the_quarantine_record_and_the_move_loses_nothing() {
    let dirs = Dirs::new();
    dirs.drop_file("notes.md", NOTE.as_bytes());
    {
        let d = Daemon::start_env(
            &dirs,
            &[],
            &[("BULLETIND_TEST_EXIT_BEFORE_QUARANTINE_MOVE", "notes.md")],
        );
        d.wait_json("/feed.json", "published", |f| items(f).len() == 1);
        // The file turns bad: recorded as rejected, then the process dies.
        dirs.drop_file("notes.md", b"");
        let status = d.wait_exit(PATIENCE);
        assert!(!status.success(), "the hook aborts the process");
    }
    assert!(
        dirs.inbox().join("notes.md").exists(),
        "killed before the move"
    );
    let d = Daemon::start(&dirs);
    wait_until("the move to finish", || {
        dirs.quarantine().join("notes.md").exists()
    });
    assert!(dirs.quarantine().join("notes.md.reason.txt").exists());
    std::thread::sleep(Duration::from_millis(1200)); // past a removal's grace
    let feed = d.json("/feed.json");
    assert_eq!(
        titles(&feed),
        ["Library opens on Sundays"],
        "published items are kept"
    );
}

#[test]
fn an_ingest_failure_is_loud_and_ends_the_process() {
    let dirs = Dirs::new();
    let d = Daemon::start_env(&dirs, &[], &[("BULLETIND_TEST_PANIC_ON", "boom.md")]);
    dirs.drop_file("boom.md", NOTE.as_bytes());
    d.wait_for("/healthz", "unhealthy", |r| r.status == 503);
    let status = d.wait_exit(PATIENCE);
    assert_eq!(status.code(), Some(1));
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("ingest thread panicked"), "{log}");
}

#[test]
fn sigterm_right_after_start_is_a_clean_stop() {
    let dirs = Dirs::new();
    for n in 0..50 {
        dirs.drop_file(&format!("n{n}.md"), note(&format!("Story {n}")).as_bytes());
    }
    let d = Daemon::start(&dirs);
    d.signal("TERM");
    let status = d.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_missing_inbox_is_created_and_said() {
    let dirs = Dirs::new();
    std::fs::remove_dir(dirs.inbox()).expect("rmdir");
    let d = Daemon::start(&dirs);
    assert_eq!(d.get("/healthz").status, 200);
    assert!(dirs.inbox().is_dir());
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("did not exist"), "{log}");
}

#[test]
fn an_unwritable_quarantine_folder_stops_the_start() {
    let dirs = Dirs::new();
    let not_a_folder = dirs.root.path().join("quarantine");
    std::fs::write(&not_a_folder, "a file where the folder should be").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulletind"))
        .arg("serve")
        .arg("--inbox")
        .arg(dirs.inbox())
        .arg("--state-dir")
        .arg(dirs.state())
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("quarantine"), "{err}");
}

#[test]
fn shutdown_is_bounded_even_when_ingest_is_stuck() {
    let dirs = Dirs::new();
    let d = Daemon::start_env(&dirs, &[], &[("BULLETIND_TEST_STALL_ON", "stuck.md")]);
    assert_eq!(
        d.get("/healthz").status,
        200,
        "serving, so the inbox is watched"
    );
    dirs.drop_file("stuck.md", NOTE.as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    let (status, took) = d.stop();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // The ingest thread really was stuck: the stop waited for it, then gave up.
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("ingest task still busy"), "{log}");
}

/// Regression: the start-up scan listed a channel folder before watching
/// it, so files renamed into it in between were never seen (found as 12 of
/// 600 bulletins missing when files were dropped right after start).
#[test]
fn files_landing_in_new_channel_folders_during_start_up_all_arrive() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    const CHANNELS: usize = 10;
    const FILES: usize = 300;
    for f in 0..FILES {
        dirs.drop_file(
            &format!("c{}/n{f:03}.md", f % CHANNELS),
            note(&format!("Story {f}")).as_bytes(),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let total: usize = (0..CHANNELS)
            .map(|c| {
                let r = d.get(&format!("/c{c}/feed.json"));
                serde_json::from_slice::<serde_json::Value>(&r.body)
                    .map(|f| items(&f).len())
                    .unwrap_or(0)
            })
            .sum();
        if total == FILES {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{total} of {FILES} bulletins arrived"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A start-up scan queues many bulletins at once, and the ingest thread
/// reads and parses them ahead, in parallel: every good one is published
/// once (a file the scan and the watcher both report is not ingested
/// twice), and every bad one in the run is quarantined, named in the log.
#[test]
fn a_run_of_queued_bulletins_is_parsed_ahead_and_each_judged_alone() {
    let dirs = Dirs::new();
    const FILES: usize = 60;
    let bad = [7, 30, 59];
    for n in 0..FILES {
        let name = format!("c{}/n{n:02}.md", n % 3);
        if n == 7 {
            dirs.drop_file(&name, &[0u8, 159, 146, 150, 0, 1, 2, 3].repeat(64));
        } else if bad.contains(&n) {
            dirs.drop_file(&name, b"");
        } else {
            dirs.drop_file(&name, note(&format!("Story {n}")).as_bytes());
        }
    }
    let d = Daemon::start_env(&dirs, &[], &[("BULLETIND_LOG", "bulletind=debug")]);
    let good = (FILES - bad.len()) as u64;
    wait_until("every good bulletin published", || {
        d.metric("bulletind_items_added_total") == Some(good)
    });
    wait_until("every bad one quarantined", || {
        bad.iter().all(|n| {
            dirs.quarantine()
                .join(format!("c{}/n{n:02}.md", n % 3))
                .exists()
        })
    });
    assert_eq!(d.metric("bulletind_bulletins_ingested_total"), Some(good));
    assert_eq!(d.metric("bulletind_bulletins_quarantined_total"), Some(3));
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("read ahead"),
        "the run was not read ahead: {log}"
    );
    for n in bad {
        assert!(
            log.contains(&format!("n{n:02}.md")),
            "n{n:02}.md not named: {log}"
        );
    }
    let mut want: Vec<String> = (0..FILES)
        .filter(|n| n % 3 == 1 && !bad.contains(n))
        .map(|n| format!("Story {n}"))
        .collect();
    want.sort();
    let feed = d.wait_json("/c1/feed.json", "channel c1", |f| {
        items(f).len() == want.len()
    });
    let mut got = titles(&feed);
    got.sort();
    assert_eq!(got, want);
}
