//! End to end: the real daemon on 127.0.0.1:0 with temporary folders,
//! driven through its inbox and its HTTP interface.

mod common;

use std::time::{Duration, Instant};

use common::{items, request, titles, Daemon, Dirs, PATIENCE};

fn expected_sample() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/jianghai-page.expected.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("expected file")).expect("expected JSON")
}

const MD_NOTE: &str = "---\ntitle: Council notes\ndate: 2024-03-05\nsection: Council\nauthors: [Ann Lee]\n---\n\n# Library opens on Sundays\n\nFrom April the central library opens on Sundays.\n\n# Bridge works finish early\n\nThe river bridge reopens a week ahead of plan.\n";

#[test]
fn sample_page_gives_six_articles_in_all_three_formats() {
    let dirs = Dirs::new();
    dirs.drop_file("2022-12-09-jianghai-page.txt", &common::sample_page());
    let d = Daemon::start(&dirs);
    let expected = expected_sample();
    let want: Vec<String> = expected["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| a["title"].as_str().expect("title").to_string())
        .collect();
    let feed = d.wait_json("/feed.json", "six items", |f| items(f).len() == 6);
    let mut got = titles(&feed);
    got.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");

    // Reporters and correspondents are credited, not part of the body.
    let first = items(&feed)
        .into_iter()
        .find(|i| i["title"] == want[0].as_str())
        .expect("first article");
    // The reporter writes; the correspondents are credited with their role.
    let names = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&first["authors"]), ["陈婵"]);
    let others = &first["_bulletind"]["contributors"];
    for name in ["黄雅玲", "林瑞瑾"] {
        assert!(
            names(others).iter().any(|n| n == name),
            "{name} missing from {others}"
        );
    }
    assert!(others
        .as_array()
        .expect("contributors")
        .iter()
        .all(|c| c["role"] == "correspondent"));
    let html = first["content_html"].as_str().expect("content_html");
    assert!(
        html.contains("领导带头 先学一步 深学一层"),
        "subheading missing"
    );
    assert!(
        !html.contains("□江门日报记者"),
        "credit prefix leaked into the body"
    );
    assert!(first["date_published"]
        .as_str()
        .expect("date")
        .starts_with("2022-12-09T"));
    // The permalink opens.
    let url = first["url"].as_str().expect("url");
    let path = &url[url.find("/items/").expect("permalink path")..];
    let page = d.get(path);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(want[0].as_str()));

    let rss = d.get("/feed.rss");
    assert_eq!(rss.status, 200);
    assert!(rss
        .header("content-type")
        .expect("type")
        .starts_with("application/rss+xml"));
    assert_eq!(rss.text().matches("<item>").count(), 6);
    assert!(rss.text().contains("isPermaLink=\"false\""));
    let atom = d.get("/feed.atom");
    assert!(atom
        .header("content-type")
        .expect("type")
        .starts_with("application/atom+xml"));
    assert_eq!(atom.text().matches("<entry").count(), 6);
    for t in &want {
        assert!(
            rss.text().contains(t.as_str()) && atom.text().contains(t.as_str()),
            "{t}"
        );
    }
    // The feeds are mirrored into the feeds folder (once the queue is idle).
    let served = d.get("/feed.json").body;
    common::wait_until("the mirrored feed.json", || {
        std::fs::read(dirs.feeds().join("feed.json")).is_ok_and(|m| m == served)
    });
}

#[test]
fn markdown_in_a_channel_shows_in_channel_and_main_feeds() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    dirs.drop_file("council/2024-03-05-notes.md", MD_NOTE.as_bytes());
    let channel = d.wait_json("/council/feed.json", "two items", |f| items(f).len() == 2);
    let main = d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
    let ids = |f: &serde_json::Value| {
        let mut v: Vec<String> = items(f)
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&channel), ids(&main));
    assert!(titles(&channel).contains(&"Library opens on Sundays".to_string()));
    assert_eq!(d.get("/council/feed.rss").status, 200);
    assert_eq!(d.get("/council/feed.atom").status, 200);
    assert_eq!(d.get("/nochannel/feed.rss").status, 404);
    assert!(
        d.get("/").text().contains("council"),
        "index lists the channel"
    );
}

#[test]
fn edits_keep_ids_and_deletes_retract() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    dirs.drop_file("notes.md", MD_NOTE.as_bytes());
    let before = d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
    let find = |f: &serde_json::Value, t: &str| {
        items(f)
            .into_iter()
            .find(|i| i["title"] == t)
            .unwrap_or_else(|| panic!("{t} missing"))
    };
    let bridge = find(&before, "Bridge works finish early");

    let edited = MD_NOTE.replace("a week ahead of plan", "ten days ahead of plan");
    dirs.drop_file("notes.md", edited.as_bytes());
    let after = d.wait_json("/feed.json", "edited body", |f| {
        items(f).iter().any(|i| {
            i["content_html"]
                .as_str()
                .unwrap_or_default()
                .contains("ten days")
        })
    });
    let bridge2 = find(&after, "Bridge works finish early");
    assert_eq!(bridge["id"], bridge2["id"], "an edit keeps the id");
    assert_eq!(bridge["date_published"], bridge2["date_published"]);
    assert_ne!(
        bridge["date_modified"], bridge2["date_modified"],
        "an edit bumps updated"
    );
    let library = find(&before, "Library opens on Sundays");
    assert_eq!(
        library,
        find(&after, "Library opens on Sundays"),
        "untouched article unchanged"
    );

    std::fs::remove_file(dirs.inbox().join("notes.md")).expect("delete");
    d.wait_json("/feed.json", "retraction", |f| items(f).is_empty());
}

#[test]
fn unchanged_redrop_changes_nothing() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    dirs.drop_file("a/notes.md", MD_NOTE.as_bytes());
    d.wait_json("/a/feed.json", "two items", |f| items(f).len() == 2);
    let before = d.get("/a/feed.json");
    // Same bytes again, then a change in another channel as a barrier: the
    // ingest task is sequential, so once the barrier shows, the re-drop is done.
    dirs.drop_file("a/notes.md", MD_NOTE.as_bytes());
    dirs.drop_file("b/other.md", b"# Barrier\n\nDone.\n");
    d.wait_json("/b/feed.json", "barrier", |f| items(f).len() == 1);
    let after = d.get("/a/feed.json");
    assert_eq!(before.header("etag"), after.header("etag"));
    assert_eq!(before.body, after.body);
}

#[test]
fn conditional_get_answers_304() {
    let dirs = Dirs::new();
    dirs.drop_file("notes.md", MD_NOTE.as_bytes());
    let d = Daemon::start(&dirs);
    d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
    for path in ["/feed.rss", "/feed.atom", "/feed.json"] {
        let full = d.get(path);
        let etag = full.header("etag").expect("etag").to_string();
        assert!(etag.starts_with('"'), "strong ETag: {etag}");
        let lm = full
            .header("last-modified")
            .expect("last-modified")
            .to_string();
        let weak = format!("W/{etag}");
        let list = format!("\"nope\", {etag}");
        for (name, value, want) in [
            ("if-none-match", etag.as_str(), 304),
            ("if-none-match", weak.as_str(), 304),
            ("if-none-match", list.as_str(), 304),
            ("if-none-match", "*", 304),
            ("if-none-match", "\"nope\"", 200),
            ("if-modified-since", lm.as_str(), 304),
            ("if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT", 200),
        ] {
            let r = request(d.addr, "GET", path, &[(name, value)]);
            assert_eq!(r.status, want, "{path} {name}: {value}");
            if want == 304 {
                assert!(r.body.is_empty());
                assert_eq!(r.header("etag"), Some(etag.as_str()));
            }
        }
        // If-None-Match wins over If-Modified-Since.
        let r = request(
            d.addr,
            "GET",
            path,
            &[("if-none-match", "\"nope\""), ("if-modified-since", &lm)],
        );
        assert_eq!(r.status, 200);
        let head = request(d.addr, "HEAD", path, &[]);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        assert_eq!(
            head.header("content-length"),
            Some(full.body.len().to_string().as_str())
        );
    }
}

#[test]
fn etags_survive_a_restart() {
    let dirs = Dirs::new();
    dirs.drop_file("2022-12-09-jianghai-page.txt", &common::sample_page());
    dirs.drop_file("ch/notes.md", MD_NOTE.as_bytes());
    let paths = [
        "/feed.rss",
        "/feed.atom",
        "/feed.json",
        "/ch/feed.json",
        "/",
    ];
    // Port 0 gives a new port each start; a real deployment keeps its URL.
    let base = ["--base-url", "http://feeds.test/"];
    let first: Vec<(Option<String>, Vec<u8>)> = {
        let d = Daemon::start_with(&dirs, &base);
        d.wait_json("/feed.json", "eight items", |f| items(f).len() == 8);
        let got = paths
            .iter()
            .map(|p| {
                let r = d.get(p);
                (r.header("etag").map(str::to_string), r.body)
            })
            .collect();
        let (status, took) = d.stop();
        assert!(status.success(), "exit status {status:?}");
        assert!(took < Duration::from_secs(10), "stopped in {took:?}");
        got
    };
    let d = Daemon::start_with(&dirs, &base);
    for (path, (etag, body)) in paths.iter().zip(&first) {
        let r = d.get(path);
        assert_eq!(r.header("etag").map(str::to_string), *etag, "{path}");
        assert_eq!(&r.body, body, "{path}");
    }
}

#[test]
fn bad_files_are_quarantined_and_serving_goes_on() {
    let dirs = Dirs::new();
    dirs.drop_file("good.md", MD_NOTE.as_bytes());
    let d = Daemon::start(&dirs);
    d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
    dirs.drop_file("empty.txt", b"");
    dirs.drop_file(
        "blob.txt",
        &[0u8, 159, 146, 150, 0, 0, 1, 2, 3, 255, 0, 0, 0, 7],
    );
    dirs.drop_file("broken.json", b"[{\"title\": \"x\",\n  oops]");
    let deadline = Instant::now() + PATIENCE;
    for name in ["empty.txt", "blob.txt", "broken.json"] {
        // The sidecar is written first, then the file moved: wait for both.
        let sidecar = dirs.quarantine().join(format!("{name}.reason.txt"));
        while !(sidecar.exists() && dirs.quarantine().join(name).exists()) {
            assert!(
                Instant::now() < deadline,
                "{name} was not quarantined with its sidecar"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        assert!(!dirs.inbox().join(name).exists(), "{name} left the inbox");
    }
    let reason =
        std::fs::read_to_string(dirs.quarantine().join("broken.json.reason.txt")).expect("sidecar");
    assert!(
        reason.contains("line 2"),
        "JSON error names the line: {reason}"
    );
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("empty.txt") && log.contains("empty"),
        "log names the file and reason"
    );
    let feed = d.json("/feed.json");
    assert_eq!(items(&feed).len(), 2, "published items are kept");
    assert_eq!(d.get("/healthz").text().trim(), "ok");
    let metrics = d.get("/metrics").text();
    assert!(
        metrics.contains("bulletind_bulletins_quarantined_total 3"),
        "{metrics}"
    );
    assert!(metrics.contains("bulletind_items 2"), "{metrics}");
}

#[test]
fn files_present_at_start_and_removed_while_down() {
    let dirs = Dirs::new();
    dirs.drop_file("notes.md", MD_NOTE.as_bytes());
    dirs.drop_file(".hidden.md", MD_NOTE.as_bytes());
    dirs.drop_file("draft.md.tmp", MD_NOTE.as_bytes());
    {
        let d = Daemon::start(&dirs);
        d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
        let (status, _) = d.stop();
        assert!(status.success());
    }
    std::fs::remove_file(dirs.inbox().join("notes.md")).expect("delete");
    let d = Daemon::start(&dirs);
    d.wait_json("/feed.json", "retracted while down", |f| {
        items(f).is_empty()
    });
    assert!(dirs.inbox().join(".hidden.md").exists() && dirs.inbox().join("draft.md.tmp").exists());
}

#[test]
fn parse_subcommand_previews_and_rejects() {
    let dirs = Dirs::new();
    let page = dirs.root.path().join("page.txt");
    std::fs::write(&page, common::sample_page()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulletind"))
        .arg("parse")
        .arg(&page)
        .output()
        .expect("run parse");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let feed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON Feed");
    assert_eq!(items(&feed).len(), 6);

    let empty = dirs.root.path().join("empty.txt");
    std::fs::write(&empty, "").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulletind"))
        .arg("parse")
        .arg(&empty)
        .output()
        .expect("run parse");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("empty.txt") && err.contains("empty"), "{err}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulletind"))
        .args(["parse", "--explain"])
        .arg(&page)
        .output()
        .expect("run parse --explain");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("credit") && text.contains("subheading"),
        "{text}"
    );
}

#[test]
fn tells_systemd_when_ready_reloading_and_stopping() {
    use std::os::unix::net::UnixDatagram;
    let dirs = Dirs::new();
    let socket_path = dirs.root.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).expect("bind notify socket");
    socket.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let notify_env = socket_path.to_str().expect("utf-8 path").to_string();
    let d = Daemon::start_env(&dirs, &[], &[("NOTIFY_SOCKET", notify_env.as_str())]);
    let mut buf = [0u8; 512];
    // The next message that is not just a STATUS= update.
    let mut next = || loop {
        let n = socket.recv(&mut buf).expect("notify message");
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        if !message.lines().all(|l| l.starts_with("STATUS=")) {
            return message;
        }
    };
    assert!(next().contains("READY=1"));
    let _ = std::process::Command::new("kill")
        .args(["-HUP", &d.child.id().to_string()])
        .status();
    assert!(next().contains("RELOADING=1"));
    assert!(next().contains("READY=1"));
    assert_eq!(d.get("/healthz").status, 200, "still serving after reload");
    let (status, _) = d.stop();
    assert!(status.success());
    assert!(next().contains("STOPPING=1"));
}

#[test]
fn json_items_keep_their_ids_and_hostile_markup_stays_inert() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    let items_json = r#"[
      {"id": "n-1", "title": "Water <script>alert(1)</script> notice", "authors": ["Ann Lee"],
       "date": "2024-05-01T09:30:00+08:00",
       "content_html": "<p>Pipes <b>fixed</b>.</p><script>alert(2)</script><img src=x onerror=alert(3)>"},
      {"id": "n-2", "title": "Road ]]> closure", "content_text": "First paragraph.\n\nSecond & last."}
    ]"#;
    dirs.drop_file("2024-05-01-notices.json", items_json.as_bytes());
    let feed = d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
    let water = items(&feed)
        .into_iter()
        .find(|i| i["title"].as_str().unwrap_or_default().starts_with("Water"))
        .expect("water item");
    assert_eq!(water["date_published"], "2024-05-01T09:30:00+08:00");
    let html = water["content_html"].as_str().expect("html");
    assert!(html.contains("<b>fixed</b>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("onerror"),
        "{html}"
    );
    for path in ["/feed.rss", "/feed.atom"] {
        let body = d.get(path).text();
        assert!(!body.contains("<script>"), "{path} carries live markup");
        assert!(
            body.contains("&lt;script&gt;") || body.contains("&amp;lt;script"),
            "{path}: title text lost"
        );
    }
    // Ids follow the source's own ids: re-titling keeps them.
    let before: Vec<String> = items(&feed).iter().map(|i| i["id"].to_string()).collect();
    dirs.drop_file(
        "2024-05-01-notices.json",
        items_json
            .replace("Road ]]> closure", "Road closure")
            .as_bytes(),
    );
    let after = d.wait_json("/feed.json", "new title", |f| {
        titles(f).iter().any(|t| t == "Road closure")
    });
    let mut after_ids: Vec<String> = items(&after).iter().map(|i| i["id"].to_string()).collect();
    let mut before = before;
    before.sort();
    after_ids.sort();
    assert_eq!(before, after_ids);
}
