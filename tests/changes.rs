//! Every change reaches every reader exactly once: validators that move with
//! the bytes, ids that survive edits, renames and moves, and an order that
//! shows every article. The real daemon on 127.0.0.1:0, driven through its
//! inbox.

mod common;

use std::time::Duration;

use common::{ids, items, request, titles, Daemon, Dirs};

const BRIDGE: &str = "The river bridge reopens a week ahead of plan, the council said on Monday.";
const LIBRARY: &str = "From April the central library opens on Sundays between ten and four.";

fn note(date: &str, articles: &[(&str, &str)]) -> String {
    let mut s = format!("---\ntitle: Notes\ndate: {date}\n---\n");
    for (title, body) in articles {
        s.push_str(&format!("\n# {title}\n\n{body}\n"));
    }
    s
}

fn last_modified(r: &common::Response) -> std::time::SystemTime {
    let value = r.header("last-modified").expect("Last-Modified");
    httpdate::parse_http_date(value).expect("an HTTP date")
}

/// A client that revalidates with If-Modified-Since alone must get every
/// change: a back-dated bulletin, an edit, a retraction, deleting all.
#[test]
fn if_modified_since_clients_see_every_change() {
    let dirs = Dirs::new();
    dirs.drop_file(
        "notes.md",
        note("2024-03-05", &[("Bridge", BRIDGE)]).as_bytes(),
    );
    let d = Daemon::start(&dirs);
    d.wait_json("/feed.json", "first item", |f| items(f).len() == 1);
    // (step, the change, whether the index page changes too: it lists
    // titles and dates, so a body edit leaves it as it was)
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, bool);
    let steps: [Step; 4] = [
        (
            "back-dated bulletin",
            Box::new(|| {
                dirs.drop_file(
                    "2001-01-01-old.md",
                    note("2001-01-01", &[("Old news", LIBRARY)]).as_bytes(),
                )
            }),
            true,
        ),
        (
            "edit",
            Box::new(|| {
                dirs.drop_file(
                    "notes.md",
                    note(
                        "2024-03-05",
                        &[("Bridge", &BRIDGE.replace("week", "month"))],
                    )
                    .as_bytes(),
                )
            }),
            false,
        ),
        (
            "retraction",
            Box::new(|| std::fs::remove_file(dirs.inbox().join("2001-01-01-old.md")).expect("rm")),
            true,
        ),
        (
            "delete all",
            Box::new(|| std::fs::remove_file(dirs.inbox().join("notes.md")).expect("rm")),
            true,
        ),
    ];
    for (step, change, index_changes) in steps {
        let paths: &[&str] = if index_changes {
            &["/feed.rss", "/feed.atom", "/feed.json", "/"]
        } else {
            &["/feed.rss", "/feed.atom", "/feed.json"]
        };
        let before: Vec<common::Response> = paths.iter().map(|p| d.get(p)).collect();
        std::thread::sleep(Duration::from_millis(1100)); // HTTP dates have whole seconds
        change();
        for (path, old) in paths.iter().zip(&before) {
            let new = d.wait_for(path, step, |r| r.header("etag") != old.header("etag"));
            assert!(
                last_modified(&new) > last_modified(old),
                "{step}: {path} Last-Modified did not advance"
            );
            let lm = old.header("last-modified").expect("old Last-Modified");
            let r = request(d.addr, "GET", path, &[("if-modified-since", lm)]);
            assert_eq!(
                r.status, 200,
                "{step}: {path} If-Modified-Since with the old date"
            );
            let r = request(
                d.addr,
                "GET",
                path,
                &[(
                    "if-modified-since",
                    new.header("last-modified").expect("lm"),
                )],
            );
            assert_eq!(
                r.status, 304,
                "{step}: {path} If-Modified-Since with the new date"
            );
        }
    }
    for path in ["/feed.rss", "/feed.atom", "/feed.json"] {
        let empty = d.get(path);
        assert!(!empty.text().contains("1970"), "{path}: {}", empty.text());
        assert!(!empty.header("last-modified").expect("lm").contains("1970"));
    }
}

/// Restarting with nothing changed keeps bytes, ETags and Last-Modified.
#[test]
fn validators_survive_a_restart() {
    let dirs = Dirs::new();
    dirs.drop_file(
        "notes.md",
        note("2024-03-05", &[("Bridge", BRIDGE), ("Library", LIBRARY)]).as_bytes(),
    );
    let base = ["--base-url", "http://feeds.test/"];
    let paths = ["/feed.rss", "/feed.atom", "/feed.json", "/"];
    let first: Vec<(Option<String>, Option<String>, Vec<u8>)> = {
        let d = Daemon::start_with(&dirs, &base);
        d.wait_json("/feed.json", "two items", |f| items(f).len() == 2);
        let page = items(&d.json("/feed.json"))[0]["url"]
            .as_str()
            .expect("url")
            .to_string();
        let mut got: Vec<_> = paths
            .iter()
            .map(|p| {
                let r = d.get(p);
                (
                    r.header("etag").map(str::to_string),
                    r.header("last-modified").map(str::to_string),
                    r.body,
                )
            })
            .collect();
        let page = d.get(&page["http://feeds.test".len()..]);
        got.push((
            page.header("etag").map(str::to_string),
            page.header("last-modified").map(str::to_string),
            page.body,
        ));
        assert!(d.stop().0.success());
        got
    };
    std::thread::sleep(Duration::from_millis(1100));
    let d = Daemon::start_with(&dirs, &base);
    let page = items(&d.json("/feed.json"))[0]["url"]
        .as_str()
        .expect("url")
        .to_string();
    let page_path = page["http://feeds.test".len()..].to_string();
    for (path, (etag, lm, body)) in paths.iter().chain([&page_path.as_str()]).zip(&first) {
        let r = d.get(path);
        assert_eq!(r.header("etag").map(str::to_string), *etag, "{path}");
        assert_eq!(r.header("last-modified").map(str::to_string), *lm, "{path}");
        assert_eq!(&r.body, body, "{path}");
    }
}

fn id_of(feed: &serde_json::Value, title: &str) -> String {
    items(feed)
        .iter()
        .find(|i| i["title"] == title)
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("{title} not in {:?}", titles(feed)))
        .to_string()
}

/// Titles appear once, in the JSON Feed and in Atom, and ids are unique.
fn assert_one_entry_each(d: &Daemon) {
    let feed = d.json("/feed.json");
    let mut t = titles(&feed);
    t.sort();
    let before = t.len();
    t.dedup();
    assert_eq!(t.len(), before, "a title shows twice: {:?}", titles(&feed));
    let atom = d.get("/feed.atom").text();
    for title in titles(&feed) {
        assert_eq!(
            atom.matches(&format!("<title>{title}</title>")).count(),
            1,
            "{title} in Atom"
        );
    }
    let mut all = ids(&feed);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), items(&feed).len(), "duplicate ids");
}

#[test]
fn ids_survive_typo_fixes_renames_moves_and_channel_renames() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    dirs.drop_file(
        "city/a.md",
        note(
            "2024-03-05",
            &[("Brdige works finish", BRIDGE), ("Library", LIBRARY)],
        )
        .as_bytes(),
    );
    dirs.drop_file(
        "city/b.md",
        note(
            "2024-03-05",
            &[(
                "Tram consultation",
                "Residents may comment on the tram route until May, the council said.",
            )],
        )
        .as_bytes(),
    );
    let feed = d.wait_json("/city/feed.json", "three items", |f| items(f).len() == 3);
    let (bridge, library, tram) = (
        id_of(&feed, "Brdige works finish"),
        id_of(&feed, "Library"),
        id_of(&feed, "Tram consultation"),
    );

    // A headline typo fixed.
    dirs.drop_file(
        "city/a.md",
        note(
            "2024-03-05",
            &[("Bridge works finish", BRIDGE), ("Library", LIBRARY)],
        )
        .as_bytes(),
    );
    let feed = d.wait_json("/city/feed.json", "typo fixed", |f| {
        titles(f).contains(&"Bridge works finish".to_string())
    });
    assert_eq!(id_of(&feed, "Bridge works finish"), bridge);
    assert_one_entry_each(&d);

    // The file renamed.
    std::fs::rename(
        dirs.inbox().join("city/a.md"),
        dirs.inbox().join("city/renamed.md"),
    )
    .expect("mv");
    std::thread::sleep(Duration::from_millis(1200)); // past the settle interval a removal waits
    let feed = d.json("/city/feed.json");
    assert_eq!(items(&feed).len(), 3, "{:?}", titles(&feed));
    assert_eq!(id_of(&feed, "Bridge works finish"), bridge);
    assert_one_entry_each(&d);

    // An article moved to the other bulletin (new place first, then the old).
    dirs.drop_file(
        "city/b.md",
        note(
            "2024-03-05",
            &[
                (
                    "Tram consultation",
                    "Residents may comment on the tram route until May, the council said.",
                ),
                ("Library", LIBRARY),
            ],
        )
        .as_bytes(),
    );
    dirs.drop_file(
        "city/renamed.md",
        note("2024-03-05", &[("Bridge works finish", BRIDGE)]).as_bytes(),
    );
    d.wait_for("/city/feed.json", "move", |r| {
        r.text().matches("Library").count() == 1
    });
    std::thread::sleep(Duration::from_millis(300));
    let feed = d.json("/city/feed.json");
    assert_eq!(items(&feed).len(), 3, "{:?}", titles(&feed));
    assert_eq!(id_of(&feed, "Library"), library);
    assert_one_entry_each(&d);

    // The channel folder renamed.
    std::fs::rename(dirs.inbox().join("city"), dirs.inbox().join("town")).expect("mv channel");
    let feed = d.wait_json("/town/feed.json", "renamed channel", |f| {
        items(f).len() == 3
    });
    assert_eq!(id_of(&feed, "Bridge works finish"), bridge);
    assert_eq!(id_of(&feed, "Library"), library);
    assert_eq!(id_of(&feed, "Tram consultation"), tram);
    d.wait_for("/city/feed.json", "old channel gone", |r| r.status == 410);
    assert!(
        !d.get("/").text().contains("/city/"),
        "the index still lists the old channel"
    );
    assert_one_entry_each(&d);
}

#[test]
fn a_json_item_keeps_its_id_between_files() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    let item = |title: &str| {
        format!(
            r#"[{{"id": "n-1", "title": "{title}", "content_text": "Pipes fixed on the east side of town."}}]"#
        )
    };
    dirs.drop_file("one.json", item("Water notice").as_bytes());
    let id = id_of(
        &d.wait_json("/feed.json", "item", |f| items(f).len() == 1),
        "Water notice",
    );
    dirs.drop_file("two.json", item("Water notice, updated").as_bytes());
    std::fs::remove_file(dirs.inbox().join("one.json")).expect("rm");
    let feed = d.wait_json("/feed.json", "moved", |f| {
        titles(f) == ["Water notice, updated"]
    });
    assert_eq!(id_of(&feed, "Water notice, updated"), id);
}

#[test]
fn with_on_delete_keep_a_rename_publishes_one_copy() {
    let dirs = Dirs::new();
    let d = Daemon::start_config(&dirs, "on_delete = \"keep\"\n");
    dirs.drop_file("a.md", note("2024-03-05", &[("Bridge", BRIDGE)]).as_bytes());
    let id = id_of(
        &d.wait_json("/feed.json", "item", |f| items(f).len() == 1),
        "Bridge",
    );
    // Not a rename the watcher can pair: out of the inbox, then a copy in.
    std::fs::rename(dirs.inbox().join("a.md"), dirs.root.path().join("a.md")).expect("mv out");
    std::thread::sleep(Duration::from_millis(1200));
    dirs.drop_file("b.md", note("2024-03-05", &[("Bridge", BRIDGE)]).as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    let feed = d.json("/feed.json");
    assert_eq!(ids(&feed), [id]);
}

#[test]
fn a_bulletin_arriving_later_the_same_day_is_shown_first() {
    let dirs = Dirs::new();
    let d = Daemon::start_config(&dirs, "items_per_feed = 2\n");
    dirs.drop_file(
        "zz.md",
        note(
            "2024-03-05",
            &[("Early one", BRIDGE), ("Early two", LIBRARY)],
        )
        .as_bytes(),
    );
    d.wait_json("/feed.json", "early", |f| items(f).len() == 2);
    dirs.drop_file(
        "aa.md",
        note(
            "2024-03-05",
            &[
                (
                    "Late one",
                    "The late edition carries a story about the harbour works.",
                ),
                (
                    "Late two",
                    "And another about the market hall opening hours in spring.",
                ),
            ],
        )
        .as_bytes(),
    );
    let feed = d.wait_json("/feed.json", "late", |f| {
        titles(f).contains(&"Late one".to_string())
    });
    assert_eq!(titles(&feed), ["Late one", "Late two"]);
}

#[test]
fn permalinks_answer_while_published_then_410_and_404_for_strangers() {
    let dirs = Dirs::new();
    let d = Daemon::start_config(&dirs, "items_per_feed = 1\n");
    dirs.drop_file(
        "old.md",
        note("2024-03-01", &[("Old story", BRIDGE)]).as_bytes(),
    );
    let old_url = items(&d.wait_json("/feed.json", "old", |f| items(f).len() == 1))[0]["url"]
        .as_str()
        .expect("url")
        .to_string();
    let old_path = &old_url[old_url.find("/items/").expect("path")..];
    dirs.drop_file(
        "new.md",
        note("2024-03-05", &[("New story", LIBRARY)]).as_bytes(),
    );
    d.wait_json("/feed.json", "new", |f| titles(f) == ["New story"]);
    let page = d.get(old_path);
    assert_eq!(
        page.status, 200,
        "out of every feed window but still published"
    );
    assert!(page.text().contains("Old story"));
    assert!(page
        .header("content-type")
        .expect("type")
        .starts_with("text/html"));
    std::fs::remove_file(dirs.inbox().join("old.md")).expect("rm");
    d.wait_for(old_path, "retraction", |r| r.status == 410);
    assert_eq!(d.get("/items/0000000000000000.html").status, 404);
    let legacy = d.get(old_path.trim_end_matches(".html"));
    assert_eq!(legacy.status, 301);
}
