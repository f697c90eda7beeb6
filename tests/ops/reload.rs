//! SIGHUP re-reads the configuration: live settings apply at once with no
//! failed request; an invalid file keeps the old configuration and says
//! where it is wrong.

use std::time::Duration;

use crate::common::{items, titles, Daemon, Dirs};
use crate::{bulletin, write_atomically, Load, Notifications};

fn config_file(dirs: &Dirs) -> std::path::PathBuf {
    dirs.root.path().join("bulletind.toml")
}

#[test]
fn reload_applies_title_and_items_per_feed_with_no_failed_request() {
    let dirs = Dirs::new();
    let notes = Notifications::bind(&dirs);
    let file = config_file(&dirs);
    write_atomically(&file, "title = \"Before\"\nitems_per_feed = 5\n");
    dirs.drop_file("eight.md", &bulletin("Eight", 8));
    let d = Daemon::start_env(
        &dirs,
        &["--config", file.to_str().expect("utf-8")],
        &[("NOTIFY_SOCKET", &notes.env())],
    );
    let before = d.wait_json("/feed.json", "5 items titled Before", |f| {
        f["title"] == "Before" && items(f).len() == 5
    });
    let etag = d.get("/feed.json").header("etag").map(str::to_string);
    notes.wait_for(0, "READY=1", |m| m.contains("READY=1"));
    let from = notes.all().len();

    let load = Load::start(d.addr, "/feed.json", "/feed.rss");
    std::thread::sleep(Duration::from_millis(300));
    write_atomically(&file, "title = \"After\"\nitems_per_feed = 3\n");
    d.signal("HUP");
    let after = d.wait_json("/feed.json", "3 items titled After", |f| {
        f["title"] == "After" && items(f).len() == 3
    });
    std::thread::sleep(Duration::from_millis(300));
    let (answered, errors) = load.finish();

    assert!(
        errors.is_empty(),
        "{} failed requests: {errors:?}",
        errors.len()
    );
    assert!(
        answered > 20,
        "only {answered} requests answered under load"
    );
    assert_eq!(
        titles(&after)[..],
        titles(&before)[..3],
        "the newest three stay"
    );
    let rss = d.get("/feed.rss").text();
    assert!(rss.contains("<title>After</title>"), "{rss}");
    assert_eq!(rss.matches("<item>").count(), 3, "{rss}");
    assert_ne!(d.get("/feed.json").header("etag").map(str::to_string), etag);

    // systemd's reload protocol: RELOADING=1 with MONOTONIC_USEC, then READY=1.
    let (i, reloading) = notes.wait_for(from, "RELOADING=1", |m| m.contains("RELOADING=1"));
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    notes.wait_for(i + 1, "READY=1 after the reload", |m| m.contains("READY=1"));
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(log.contains("applied title, items_per_feed"), "{log}");
}

#[test]
fn an_invalid_reload_keeps_the_old_config_and_names_file_line_and_key() {
    let dirs = Dirs::new();
    let notes = Notifications::bind(&dirs);
    let file = config_file(&dirs);
    write_atomically(&file, "title = \"Kept\"\n");
    dirs.drop_file("a.md", &bulletin("A", 2));
    let d = Daemon::start_env(
        &dirs,
        &["--config", file.to_str().expect("utf-8")],
        &[("NOTIFY_SOCKET", &notes.env())],
    );
    d.wait_json("/feed.json", "title Kept", |f| {
        f["title"] == "Kept" && items(f).len() == 2
    });
    notes.wait_for(0, "READY=1", |m| m.contains("READY=1"));

    // A good key beside a bad one: nothing of the file applies.
    write_atomically(
        &file,
        "title = \"Broken\"\ntimezone = \"Mars/Olympus_Mons\"\n",
    );
    d.signal("HUP");
    let (failed_at, status) = notes.wait_for(0, "STATUS= with the reload failure", |m| {
        m.contains("STATUS=") && m.contains("RELOAD FAILED")
    });
    let where_ = format!("{}, line 2, key `timezone`", file.display());
    assert!(status.contains(&where_), "{status}");
    assert_eq!(d.json("/feed.json")["title"], "Kept");
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains(&where_) && log.contains("Mars/Olympus_Mons"),
        "{log}"
    );
    assert_eq!(d.get("/healthz").status, 200);

    // Mending the file mends the status.
    write_atomically(&file, "title = \"Mended\"\n");
    d.signal("HUP");
    d.wait_json("/feed.json", "title Mended", |f| f["title"] == "Mended");
    let (_, ready) = notes.wait_for(failed_at + 1, "READY=1 after the second reload", |m| {
        m.contains("READY=1")
    });
    assert!(
        ready.contains("STATUS=") && !ready.contains("RELOAD FAILED"),
        "{ready}"
    );
}

#[test]
fn settings_that_need_a_restart_are_named() {
    let dirs = Dirs::new();
    let d = Daemon::start_config(&dirs, "settle_ms = 500\n");
    d.wait_for("/healthz", "healthz", |r| r.status == 200);
    write_atomically(&config_file(&dirs), "settle_ms = 900\nmax_age = 7\n");
    d.signal("HUP");
    d.wait_for("/feed.json", "max-age=7", |r| {
        r.header("cache-control") == Some("public, max-age=7")
    });
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("only a restart applies them: settle_ms (500 -> 900)"),
        "{log}"
    );
}
