//! What subscribers see: channels as publications (configuration and
//! `channel.toml`, changed live), the OPML list, the whole history through
//! RFC 5005 archive documents and JSON Feed `next_url`, author roles that
//! agree across formats, dates as printed, and CORS for browser-based
//! readers. The real daemon on 127.0.0.1:0, driven through its inbox.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{items, request, wait_until, Daemon, Dirs};
use quick_xml::events::Event;

/// An English note in Markdown with `n` articles.
fn note(date: &str, author: &str, titles: &[String]) -> String {
    let mut s = format!("---\ntitle: Notes\ndate: {date}\nauthor: {author}\n---\n");
    for title in titles {
        s.push_str(&format!(
            "\n# {title}\n\nThe council met on Monday and agreed on {title}, the clerk said afterwards.\n"
        ));
    }
    s
}

/// A JSON bulletin of items `first..first+count`, each with its own id.
fn numbered(first: usize, count: usize, date: &str) -> String {
    let items: Vec<serde_json::Value> = (first..first + count)
        .map(|n| {
            serde_json::json!({
                "id": format!("story-{n}"),
                "title": format!("Story number {n}"),
                "date": date,
                "content_text": format!("Body of story {n}, which says something about the town."),
            })
        })
        .collect();
    serde_json::json!({ "items": items }).to_string()
}

/// The path of an absolute URL on the daemon.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or("/".to_string(), |i| rest[i..].to_string())
}

/// Elements of an XML document: (name, attributes, text), in order.
fn elements(xml: &str) -> Vec<(String, BTreeMap<String, String>, String)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<(String, BTreeMap<String, String>, String)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value))
                                .expect("value")
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs, String::new()));
                if is_start {
                    open.push(out.len() - 1);
                }
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].2.push_str(&t.decode().expect("text"));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    let name = r.decode().expect("ref");
                    let c = match &*name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        _ => "'",
                    };
                    out[i].2.push_str(c);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// The first `<link rel=REL>`'s href among `elements`.
fn link(elements: &[(String, BTreeMap<String, String>, String)], rel: &str) -> Option<String> {
    elements
        .iter()
        .find(|(name, attrs, _)| {
            (name == "link" || name == "atom:link")
                && attrs.get("rel").map(String::as_str) == Some(rel)
        })
        .and_then(|(_, attrs, _)| attrs.get("href").cloned())
}

#[test]
fn channels_are_publications_from_the_config_and_their_channel_toml() {
    let dirs = Dirs::new();
    dirs.drop_file(
        "city/2024-03-05-council.md",
        note("2024-03-05", "Ann Lee", &["the budget".into()]).as_bytes(),
    );
    dirs.drop_file(
        "sport/2024-03-05-match.md",
        note("2024-03-05", "Bo Chan", &["the match".into()]).as_bytes(),
    );
    dirs.drop_file(
        "sport/channel.toml",
        b"title = \"Sports Page\"\nlanguage = \"en-GB\"\nicon = \"https://gazette.example/sport.png\"\n",
    );
    let d = Daemon::start_config(
        &dirs,
        r#"
title = "Gazette"
description = "All the news"
language = "en"
icon = "https://gazette.example/icon.png"

[channels.city]
title = "City Desk"
description = "Council and courts"
homepage = "https://gazette.example/city/"
"#,
    );
    let city = d.wait_json("/city/feed.json", "the city item", |f| items(f).len() == 1);
    assert_eq!(city["title"], "City Desk");
    assert_eq!(city["description"], "Council and courts");
    assert_eq!(city["home_page_url"], "https://gazette.example/city/");
    assert_eq!(
        city["icon"], "https://gazette.example/icon.png",
        "inherited"
    );
    assert_eq!(city["favicon"], "https://gazette.example/icon.png");
    assert_eq!(city["language"], "en");
    assert_eq!(city["authors"][0]["name"], "Gazette");
    let atom = d.get("/city/feed.atom").text();
    let parsed = elements(&atom);
    let text_of = |name: &str| {
        parsed
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, t)| t.clone())
    };
    assert_eq!(text_of("title").as_deref(), Some("City Desk"));
    assert_eq!(text_of("subtitle").as_deref(), Some("Council and courts"));
    assert_eq!(
        text_of("icon").as_deref(),
        Some("https://gazette.example/icon.png")
    );
    assert_eq!(
        link(&parsed, "alternate").as_deref(),
        Some("https://gazette.example/city/")
    );
    let rss = d.get("/city/feed.rss").text();
    assert!(rss.contains("<title>City Desk</title>"), "{rss}");
    assert!(
        rss.contains("<link>https://gazette.example/city/</link>"),
        "{rss}"
    );
    assert!(
        rss.contains("<image><url>https://gazette.example/icon.png</url>"),
        "{rss}"
    );

    // The channel's own file wins over the configuration, key by key.
    let sport = d.wait_json("/sport/feed.json", "the sport item", |f| {
        items(f).len() == 1
    });
    assert_eq!(sport["title"], "Sports Page");
    assert_eq!(sport["language"], "en-GB");
    assert_eq!(sport["icon"], "https://gazette.example/sport.png");
    assert_eq!(
        sport["description"], "All the news",
        "from the main channel"
    );
    let page = path_of(items(&sport)[0]["url"].as_str().expect("url"));
    assert!(d.get(&page).text().contains("Sports Page"));

    // A live change of it, then a bad one, then none.
    dirs.drop_file("sport/channel.toml", b"title = \"Sport\"\n");
    d.wait_json("/sport/feed.json", "the new title", |f| {
        f["title"] == "Sport"
    });
    d.wait_for(&page, "the page with the new title", |r| {
        r.text().contains("Sport") && !r.text().contains("Sports Page")
    });
    assert_eq!(
        d.json("/sport/feed.json")["language"],
        "en",
        "back to the site's"
    );
    dirs.drop_file(
        "sport/channel.toml",
        b"title = \"Sport\"\nmascot = \"a fox\"\n",
    );
    wait_until("the bad settings file in quarantine", || {
        dirs.quarantine().join("sport/channel.toml").is_file()
    });
    assert!(!dirs.inbox().join("sport/channel.toml").exists());
    assert_eq!(d.json("/sport/feed.json")["title"], "Sport", "kept");
    let log = std::fs::read_to_string(dirs.log()).expect("log");
    assert!(
        log.contains("channel.toml") && log.contains("line 2") && log.contains("mascot"),
        "the error names the file, line and key"
    );
    dirs.drop_file("sport/channel.toml", b"title = \"Sport pages\"\n");
    d.wait_json("/sport/feed.json", "the mended file", |f| {
        f["title"] == "Sport pages"
    });
    std::fs::remove_file(dirs.inbox().join("sport/channel.toml")).expect("rm");
    d.wait_json("/sport/feed.json", "the configured title", |f| {
        f["title"] == "Gazette — sport"
    });

    // Every channel is in the OPML list with its three feeds.
    let opml = d.get("/opml.xml");
    assert_eq!(opml.status, 200);
    assert!(opml
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/x-opml")));
    let outlines = elements(&opml.text());
    assert!(outlines
        .iter()
        .any(|(n, a, _)| n == "opml" && a["version"] == "2.0"));
    let feeds: BTreeSet<String> = outlines
        .iter()
        .filter_map(|(n, a, _)| (n == "outline").then(|| a.get("xmlUrl").cloned()).flatten())
        .map(|url| path_of(&url))
        .collect();
    let want: BTreeSet<String> = ["", "city/", "sport/"]
        .iter()
        .flat_map(|c| ["rss", "atom", "json"].map(|f| format!("/{c}feed.{f}")))
        .collect();
    assert_eq!(feeds, want);
    let titled: Vec<&str> = outlines
        .iter()
        .filter(|(n, a, _)| n == "outline" && !a.contains_key("xmlUrl"))
        .map(|(_, a, _)| a["text"].as_str())
        .collect();
    assert_eq!(titled, ["Gazette", "City Desk", "Gazette — sport"]);
    assert!(d.get("/").text().contains("opml.xml"), "the index links it");
}

/// Follows `prev-archive` from the current Atom feed; returns each
/// archive document's entry ids, oldest document last.
fn walk_atom(d: &Daemon, feed: &str) -> Vec<(String, Vec<String>)> {
    let current = elements(&d.get(feed).text());
    let mut next = link(&current, "prev-archive");
    let mut seen = Vec::new();
    while let Some(url) = next {
        let path = path_of(&url);
        assert!(seen.iter().all(|(p, _)| *p != path), "{path} reached twice");
        let r = d.get(&path);
        assert_eq!(r.status, 200, "{path}");
        let doc = elements(&r.text());
        assert!(
            doc.iter().any(|(n, _, _)| n == "fh:archive"),
            "{path} is marked an archive"
        );
        assert_eq!(
            link(&doc, "current").map(|u| path_of(&u)).as_deref(),
            Some(feed)
        );
        let ids = doc
            .windows(2)
            .filter(|w| w[0].0 == "entry" && w[1].0 == "title")
            .count();
        let ids_in: Vec<String> = doc
            .iter()
            .scan(false, |in_entry, (n, _, t)| {
                if n == "entry" {
                    *in_entry = true;
                }
                Some((*in_entry && n == "id").then(|| t.clone()))
            })
            .flatten()
            .collect();
        assert_eq!(ids, ids_in.len(), "one id per entry in {path}");
        next = link(&doc, "prev-archive");
        seen.push((path, ids_in));
    }
    seen
}

/// Follows `next_url` from the current JSON Feed; returns the ids of the
/// archive documents' items.
fn walk_json(d: &Daemon, feed: &str) -> Vec<String> {
    let current = d.json(feed);
    let mut urls = vec![current["feed_url"].as_str().expect("feed_url").to_string()];
    let mut next = current["next_url"].as_str().map(str::to_string);
    let mut ids = Vec::new();
    while let Some(url) = next {
        assert!(!urls.contains(&url), "next_url {url} repeats");
        let doc = d.json(&path_of(&url));
        assert_eq!(doc["feed_url"], url.as_str());
        ids.extend(common::ids(&doc));
        urls.push(url);
        next = doc["next_url"].as_str().map(str::to_string);
    }
    ids
}

#[test]
fn the_whole_history_is_paged_each_article_in_exactly_one_archive() {
    let dirs = Dirs::new();
    for file in 0..10 {
        dirs.drop_file(
            &format!("big/part-{file:02}.json"),
            numbered(file * 50, 50, "2024-03-05T10:00:00+00:00").as_bytes(),
        );
    }
    let d = Daemon::start(&dirs);
    d.wait_for("/metrics", "500 items", |r| {
        r.text().contains("bulletind_items 500")
    });
    // The archive is written after the change is published: wait for the
    // chain to reach the oldest document.
    d.wait_json("/big/feed.json", "the archive linked", |f| {
        f["next_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/big/archive/9.json"))
    });
    let atom = walk_atom(&d, "/big/feed.atom");
    assert_eq!(atom.len(), 10, "500 articles in documents of 50");
    let mut all: Vec<String> = atom.iter().flat_map(|(_, ids)| ids.clone()).collect();
    assert_eq!(all.len(), 500);
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        500,
        "each article in exactly one archive document"
    );
    let mut json = walk_json(&d, "/big/feed.json");
    assert_eq!(json.len(), 500);
    json.sort();
    assert_eq!(json, all, "JSON Feed and Atom page the same articles");
    // The archive of all channels holds them too.
    let mut everything: Vec<String> = walk_atom(&d, "/feed.atom")
        .into_iter()
        .flat_map(|(_, ids)| ids)
        .collect();
    everything.sort();
    assert_eq!(everything, all);

    // Full documents are immutable; newer articles leave them as they are,
    // even back-dated ones, which go into the newest document.
    let before: Vec<common::Response> = (0..9)
        .map(|k| d.get(&format!("/big/archive/{k}.atom")))
        .collect();
    for r in &before[..9] {
        assert!(r
            .header("cache-control")
            .is_some_and(|c| c.contains("immutable")));
    }
    let open = d.get("/big/archive/9.atom");
    assert!(!open
        .header("cache-control")
        .unwrap_or_default()
        .contains("immutable"));
    dirs.drop_file(
        "big/old.json",
        numbered(500, 60, "1999-01-01T10:00:00+00:00").as_bytes(),
    );
    d.wait_json("/big/feed.json", "the new archive linked", |f| {
        f["next_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/big/archive/11.json"))
    });
    for (k, old) in before.iter().enumerate() {
        let now = d.get(&format!("/big/archive/{k}.atom"));
        assert_eq!(now.body, old.body, "archive {k} kept its bytes");
        assert_eq!(
            now.header("etag"),
            old.header("etag"),
            "archive {k} kept its ETag"
        );
    }
    let newest = d.json("/big/archive/11.json");
    assert_eq!(items(&newest).len(), 10, "560 = 11 full documents and 10");
    assert!(common::titles(&newest).iter().all(|t| {
        t.trim_start_matches("Story number ")
            .parse::<usize>()
            .is_ok_and(|n| n >= 550)
    }));
}

/// Names in an element list: the `name` children of each `wrapper`.
fn people(doc: &[(String, BTreeMap<String, String>, String)], wrapper: &str) -> Vec<String> {
    doc.windows(2)
        .filter(|w| w[0].0 == wrapper && w[1].0 == "name")
        .map(|w| w[1].2.clone())
        .collect()
}

#[test]
fn author_roles_agree_across_the_three_formats() {
    let dirs = Dirs::new();
    dirs.drop_file("2022-12-09-jianghai-page.txt", &common::sample_page());
    let d = Daemon::start_config(&dirs, "language = \"zh-CN\"\n");
    let feed = d.wait_json("/feed.json", "the sample page", |f| items(f).len() == 6);
    let atom = d.get("/feed.atom").text();
    let rss = d.get("/feed.rss").text();
    let atom_entries: Vec<&str> = atom.split("<entry>").skip(1).collect();
    let rss_items: Vec<&str> = rss.split("<item>").skip(1).collect();
    let mut roles = BTreeSet::new();
    for (i, item) in items(&feed).iter().enumerate() {
        let writers: Vec<String> = item["authors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p["name"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let others: Vec<(String, String)> = item["_bulletind"]["contributors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap_or_default().to_string(),
                            p["role"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        roles.extend(others.iter().map(|(_, r)| r.clone()));
        let entry = elements(&format!(
            "<entry>{}</entry>",
            atom_entries[i].split("</entry>").next().unwrap_or_default()
        ));
        assert_eq!(
            people(&entry, "author"),
            writers,
            "Atom authors of item {i}"
        );
        let names: Vec<String> = others.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(
            people(&entry, "contributor"),
            names,
            "Atom contributors of item {i}"
        );
        let rss_item = elements(&format!(
            "<item xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"c\">{}</item>",
            rss_items[i].split("</item>").next().unwrap_or_default()
        ));
        let of = |tag: &str| -> Vec<String> {
            rss_item
                .iter()
                .filter(|(n, _, _)| n == tag)
                .map(|(_, _, t)| t.clone())
                .collect()
        };
        assert_eq!(of("dc:creator"), writers, "RSS creators of item {i}");
        assert_eq!(of("dc:contributor"), names, "RSS contributors of item {i}");
    }
    assert!(roles.contains("correspondent"), "{roles:?}");
    assert!(roles.contains("photographer"), "{roles:?}");

    // An English article on this Chinese site has English words.
    dirs.drop_file(
        "2024-03-05-library.md",
        note("2024-03-05", "Ann Lee", &["the library hours".into()]).as_bytes(),
    );
    let feed = d.wait_json("/feed.json", "the English note", |f| items(f).len() == 7);
    let english = items(&feed)
        .into_iter()
        .find(|i| i["title"] == "the library hours")
        .expect("the note");
    assert_eq!(english["language"], "en");
    assert!(english["content_html"]
        .as_str()
        .unwrap_or_default()
        .contains("By Ann Lee"));
    assert_eq!(feed["language"], "zh-CN");
}

#[test]
fn pages_show_dates_as_printed_and_carry_their_policies() {
    let dirs = Dirs::new();
    dirs.drop_file("2022-12-09-jianghai-page.txt", &common::sample_page());
    let d = Daemon::start_config(
        &dirs,
        "language = \"zh-CN\"\ntimezone = \"Asia/Shanghai\"\n",
    );
    let feed = d.wait_json("/feed.json", "the sample page", |f| items(f).len() == 6);
    let first = &items(&feed)[0];
    assert_eq!(
        first["date_published"], "2022-12-09T00:00:00+08:00",
        "feeds carry a full timestamp"
    );
    let page = d.get(&path_of(first["url"].as_str().expect("url")));
    let html = page.text();
    assert!(
        html.contains("<time datetime=\"2022-12-09\">2022年12月9日</time>"),
        "the day as printed: {html}"
    );
    assert!(!html.contains("00:00"), "no made-up time");
    assert!(html.contains("<style>") && html.contains("prefers-color-scheme:dark"));
    assert!(html.contains("rel=\"alternate\" type=\"application/atom+xml\""));
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    let index = d.get("/");
    assert!(index.header("content-security-policy").is_some());
}

#[test]
fn browser_readers_may_fetch_feeds_opml_and_archives_across_origins() {
    let dirs = Dirs::new();
    dirs.drop_file(
        "news/2024-03-05-a.md",
        note("2024-03-05", "Ann Lee", &["the bridge".into()]).as_bytes(),
    );
    let d = Daemon::start(&dirs);
    d.wait_json("/news/feed.json", "the item", |f| items(f).len() == 1);
    d.wait_for("/news/archive/0.json", "the archive document", |r| {
        r.status == 200
    });
    for path in [
        "/news/feed.json",
        "/opml.xml",
        "/news/archive/0.json",
        "/feed.rss",
    ] {
        let r = request(d.addr, "GET", path, &[("Origin", "https://reader.example")]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("ETag, Last-Modified, Link"),
            "{path}"
        );
        let pre = request(
            d.addr,
            "OPTIONS",
            path,
            &[
                ("Origin", "https://reader.example"),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "if-none-match"),
            ],
        );
        assert_eq!(pre.status, 204, "{path}");
        assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
        assert!(pre
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("GET") && m.contains("HEAD")));
        assert!(pre
            .header("access-control-allow-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("if-none-match")));
    }
    let delete = request(d.addr, "DELETE", "/news/feed.json", &[]);
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD, OPTIONS"));
}
