//! Tests of the whole renderer: every format well-formed with hostile text,
//! determinism, escaping, feed-level dates, paths and ETags.

use chrono::{DateTime, FixedOffset};
use quick_xml::events::Event;

use super::*;
use crate::model::{Article, Author, Block, Item, Role};

fn site() -> Site {
    Site {
        title: "江门日报 & <Co>".into(),
        description: "Local news ]]> from Jianghai".into(),
        language: "zh-CN".into(),
        base_url: "http://127.0.0.1:8080/".into(),
        ..Site::default()
    }
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test date is valid RFC 3339")
}

fn item(n: usize, title: &str, paragraph: &str) -> Item {
    Item {
        id: format!("tag:127.0.0.1,2022-12-09:item-{n}"),
        slug: format!("item-{n}"),
        channel: "江海".into(),
        article: Article {
            title: title.into(),
            kicker: Some("引题".into()),
            subtitle: Some("副题".into()),
            authors: vec![
                Author {
                    name: "陈婵".into(),
                    role: Role::Reporter,
                },
                Author {
                    name: "黄雅玲".into(),
                    role: Role::Correspondent,
                },
            ],
            section: Some("要闻".into()),
            blocks: vec![
                Block::Paragraph(paragraph.into()),
                Block::Subheading("小标题".into()),
                Block::Caption {
                    text: "图为现场".into(),
                    credit: None,
                },
            ],
            ..Article::default()
        },
        published: at("2022-12-09T08:00:00.250+08:00"),
        updated: at("2022-12-10T09:30:00+08:00"),
        date_only: false,
    }
}

/// Hostile text in every place that reaches the output.
fn hostile() -> Vec<Item> {
    let evil = "<script>alert('x')</script> ]]> & \u{0}\u{1}\u{B}\u{FFFE} &amp; \"q\"";
    let mut a = item(1, evil, evil);
    a.article.kicker = Some(evil.into());
    a.article.subtitle = Some(evil.into());
    a.article.section = Some(evil.into());
    a.article.authors[0].name = evil.into();
    a.article.blocks.push(Block::Html {
        html: "<p>safe <b>html</b>\u{0}</p>".into(),
        text: evil.into(),
    });
    a.id = format!("tag:x,2022:{evil}");
    let b = item(2, "普通标题", "正文");
    vec![a, b]
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("renderer writes UTF-8")
}

/// When the test feeds last changed: 2023-01-01T00:00:00Z.
const MODIFIED: i64 = 1_672_531_200;

fn rendered(site: &Site, channel: &str, items: &[Item], format: Format) -> Vec<u8> {
    render_feed(site, channel, items, format, utc_time(MODIFIED)).expect("renders")
}

/// Fails unless `xml` is well-formed (quick-xml, end names checked) and
/// free of characters XML 1.0 forbids.
fn assert_well_formed(xml: &str) {
    let bad = xml
        .chars()
        .find(|&c| matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'));
    assert_eq!(bad, None, "illegal character in {xml}");
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::Text(t)) => {
                t.decode().expect("text decodes");
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().expect("entity name decodes");
                assert!(
                    matches!(&*name, "amp" | "lt" | "gt" | "quot" | "apos")
                        || name.starts_with('#'),
                    "undefined entity &{name};"
                );
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!((depth, roots), (0, 1), "unbalanced document");
}

#[test]
fn every_format_is_well_formed_with_hostile_text() {
    let items = hostile();
    for channel in ["", "江海"] {
        let rss = rendered(&site(), channel, &items, Format::Rss);
        assert_well_formed(text(&rss));
        let atom = rendered(&site(), channel, &items, Format::Atom);
        assert_well_formed(text(&atom));
        let json = rendered(&site(), channel, &items, Format::Json);
        let value: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
        assert!(!text(&json).contains("\\u0000"), "NUL leaked into JSON");
        assert_eq!(value["items"].as_array().map(Vec::len), Some(2));
    }
}

#[test]
fn hostile_text_reads_back_as_text_in_every_format() {
    let items = hostile();
    // The removed control characters leave their neighbours (two spaces).
    let want = "<script>alert('x')</script> ]]> &  &amp; \"q\"";
    let rss = rendered(&site(), "", &items, Format::Rss);
    let channel = ::rss::Channel::read_from(&rss[..]).expect("rss reads back");
    assert_eq!(channel.items()[0].title(), Some(want));
    // description is HTML: the summary's markup must arrive escaped.
    let description = channel.items()[0].description().expect("description");
    assert!(description.starts_with("&lt;script&gt;"), "{description}");
    let content = channel.items()[0].content().expect("content:encoded");
    assert!(content.contains("<p>&lt;script&gt;alert"), "{content}");
    assert!(content.contains("]]&gt;"), "{content}");
    assert!(content.contains("<p>safe <b>html</b></p>"), "{content}");

    let atom = rendered(&site(), "", &items, Format::Atom);
    let feed = ::atom_syndication::Feed::read_from(&atom[..]).expect("atom reads back");
    assert_eq!(feed.entries()[0].title().as_str(), want);
    let html = feed.entries()[0]
        .content()
        .and_then(|c| c.value())
        .expect("atom content");
    assert!(
        html.contains("<p class=\"kicker\">&lt;script&gt;"),
        "{html}"
    );

    let json = rendered(&site(), "", &items, Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(value["items"][0]["title"], want);
    assert_eq!(value["items"][0]["tags"][0], want);
}

#[test]
fn same_items_give_same_bytes_and_etags() {
    for format in Format::ALL {
        let a = rendered(&site(), "江海", &hostile(), format);
        let b = rendered(&site(), "江海", &hostile(), format);
        assert_eq!(a, b, "{format:?}");
        let tags = |bytes: Vec<u8>| -> Vec<_> {
            Entity::new(RSS_TYPE, bytes, system_time(MODIFIED), Codings::All)
                .variants
                .iter()
                .map(|v| v.etag.clone())
                .collect()
        };
        assert_eq!(tags(a.clone()), tags(b), "{format:?}");
        let mut changed = hostile();
        changed[1].article.title.push('!');
        let c = rendered(&site(), "江海", &changed, format);
        assert_ne!(
            digest(&a),
            digest(&c),
            "{format:?}: content changed, digest did not"
        );
    }
}

#[test]
fn feed_dates_are_the_time_given_never_the_clock() {
    let mut items = vec![item(1, "a", "b"), item(2, "c", "d")];
    items[1].updated = at("2024-05-01T00:00:00Z");
    let rss = rendered(&site(), "", &items, Format::Rss);
    assert!(text(&rss).contains("<lastBuildDate>Sun, 1 Jan 2023 00:00:00 +0000</lastBuildDate>"));
    assert!(text(&rss).contains("<pubDate>Fri, 9 Dec 2022 08:00:00 +0800</pubDate>"));
    let atom = rendered(&site(), "", &items, Format::Atom);
    let atom = text(&atom);
    assert!(
        atom.contains("<updated>2023-01-01T00:00:00+00:00</updated>"),
        "{atom}"
    );
    assert!(
        atom.contains("<published>2022-12-09T08:00:00+08:00</published>"),
        "{atom}"
    );
    let json = rendered(&site(), "", &items, Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(
        value["items"][0]["date_published"],
        "2022-12-09T08:00:00+08:00"
    );
    assert_eq!(
        value["items"][0]["date_modified"],
        "2022-12-10T09:30:00+08:00"
    );
    // An empty feed carries the time given too: no 1970 anywhere.
    for format in [Format::Rss, Format::Atom] {
        let empty = rendered(&site(), "", &[], format);
        assert!(!text(&empty).contains("1970"), "{}", text(&empty));
        assert_well_formed(text(&empty));
    }
}

#[test]
fn feed_level_metadata_and_links() {
    let items = vec![item(1, "a", "b")];
    let rss = rendered(&site(), "江海", &items, Format::Rss);
    let rss = text(&rss);
    for want in [
        "<title>江门日报 &amp; &lt;Co&gt; — 江海</title>",
        "<link>http://127.0.0.1:8080/</link>",
        "href=\"http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.rss\"",
        "rel=\"self\"",
        "<generator>bulletind</generator>",
        "<language>zh-CN</language>",
        "<guid isPermaLink=\"false\">tag:127.0.0.1,2022-12-09:item-1</guid>",
        "<dc:creator>陈婵</dc:creator>",
        "<dc:contributor>黄雅玲</dc:contributor>",
        "<category>要闻</category>",
        "<link>http://127.0.0.1:8080/items/item-1.html</link>",
    ] {
        assert!(rss.contains(want), "RSS lacks {want}:\n{rss}");
    }
    assert!(!rss.contains("<author>"), "RSS <author> must be an e-mail");

    let atom = rendered(&site(), "江海", &items, Format::Atom);
    let atom = text(&atom);
    for want in [
        "<id>http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.atom</id>",
        "<author><name>江门日报 &amp; &lt;Co&gt;</name></author>",
        "<contributor><name>黄雅玲</name></contributor>",
        "<category term=\"要闻\"/>",
        "xml:lang=\"zh-CN\"",
    ] {
        assert!(atom.contains(want), "Atom lacks {want}:\n{atom}");
    }

    let json = rendered(&site(), "江海", &items, Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(value["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(
        value["feed_url"],
        "http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.json"
    );
    assert_eq!(value["home_page_url"], "http://127.0.0.1:8080/");
    let first = &value["items"][0];
    assert_eq!(first["url"], "http://127.0.0.1:8080/items/item-1.html");
    // Writers are authors; the others keep their roles in `_bulletind`.
    assert_eq!(first["authors"], serde_json::json!([{"name": "陈婵"}]));
    assert_eq!(
        first["_bulletind"]["contributors"],
        serde_json::json!([{"name": "黄雅玲", "role": "correspondent"}])
    );
    assert_eq!(first["language"], "zh-CN");
    let html = first["content_html"].as_str().expect("content_html");
    assert!(html.starts_with(
        "<p class=\"kicker\">引题</p><p class=\"subtitle\">副题</p>\
         <p class=\"byline\">记者 陈婵\u{3000}通讯员 黄雅玲</p><p>b</p>"
    ));
    // Summaries come from the running text, not subheadings or captions.
    assert_eq!(first["summary"], "b");
}

#[test]
fn items_keep_the_order_given() {
    let items = vec![item(3, "c", "x"), item(1, "a", "x"), item(2, "b", "x")];
    let json = rendered(&site(), "", &items, Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let titles: Vec<&str> = value["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(titles, ["c", "a", "b"]);
}

#[test]
fn paths_and_urls() {
    let cases: &[(&str, Format, &str, &str)] = &[
        (
            "",
            Format::Rss,
            "/feed.rss",
            "http://127.0.0.1:8080/feed.rss",
        ),
        (
            "",
            Format::Json,
            "/feed.json",
            "http://127.0.0.1:8080/feed.json",
        ),
        (
            "news",
            Format::Atom,
            "/news/feed.atom",
            "http://127.0.0.1:8080/news/feed.atom",
        ),
        (
            "江海",
            Format::Rss,
            "/江海/feed.rss",
            "http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.rss",
        ),
        (
            "a b",
            Format::Json,
            "/a b/feed.json",
            "http://127.0.0.1:8080/a%20b/feed.json",
        ),
    ];
    for (channel, format, path, url) in cases {
        assert_eq!(feed_path(channel, *format), *path);
        assert_eq!(feed_url(&site(), channel, *format), *url);
    }
    assert_eq!(item_path("abc-1"), "/items/abc-1.html");
    assert_eq!(
        item_url(&site(), "abc 1"),
        "http://127.0.0.1:8080/items/abc%201.html"
    );
}

#[test]
fn html_pages_escape_and_link_the_feeds() {
    let items = hostile();
    let page = render_item_page(&site(), &items[0]);
    let html = text(&page);
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"),
        "{html}"
    );
    assert!(!html.contains("<script"), "unescaped script:\n{html}");
    assert!(html.contains("<h1>&lt;script&gt;alert('x')"), "{html}");
    // The hostile article is all Latin script, so its byline is not in
    // Chinese words; byline and date share one line.
    assert!(
        html.contains("<p class=\"meta\"><span class=\"byline\">Reporter: &lt;script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<time datetime=\"2022-12-09T08:00:00+08:00\">2022-12-09 08:00</time>"),
        "{html}"
    );
    // Item pages link relatively: they do not depend on the base URL.
    assert!(
        html.contains("href=\"../%E6%B1%9F%E6%B5%B7/feed.atom\""),
        "{html}"
    );
    assert!(!html.contains("127.0.0.1"), "{html}");
    assert_well_formed(&xmlish(html));

    let index = render_index(
        &site(),
        &[("江海".to_string(), 2), ("news".to_string(), 1)],
        &items,
    );
    let html = text(&index);
    for format in Format::ALL {
        assert!(html.contains(&format!(
            "<link rel=\"alternate\" type=\"{}\" title=\"江门日报 &amp; &lt;Co&gt; ({})\" href=\"http://127.0.0.1:8080/{}\">",
            format.media_type(),
            format.label(),
            format.file_name()
        )), "{html}");
    }
    // Autodiscovery is for the page's own channel only.
    assert!(!html.contains(
        "rel=\"alternate\" type=\"application/rss+xml\" title=\"江门日报 &amp; &lt;Co&gt; — 江海"
    ));
    assert!(
        html.contains("<link rel=\"outline\" type=\"text/x-opml\""),
        "{html}"
    );
    assert!(
        html.contains("<strong>江门日报 &amp; &lt;Co&gt; — 江海</strong> <span class=\"count\">(2 articles)</span>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.rss\""));
    assert!(html.contains("(1 article)"));
    assert_well_formed(&xmlish(html));
    // The latest items link to their pages, escaped.
    assert!(
        html.contains("<a href=\"http://127.0.0.1:8080/items/item-2.html\">普通标题</a>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
}

/// An HTML page as XML: the doctype dropped and void elements closed, so
/// that a well-formedness check shows every other tag is closed.
fn xmlish(html: &str) -> String {
    let html = html.trim_start_matches("<!DOCTYPE html>");
    let void = regex::Regex::new(r"<(meta|link|br)([^>]*)>").expect("regex");
    void.replace_all(html, "<$1$2/>").into_owned()
}

#[test]
fn blank_language_is_left_out() {
    let mut blank = site();
    blank.language = "  ".into();
    let items = vec![item(1, "a", "b")];
    let rss = rendered(&blank, "", &items, Format::Rss);
    assert!(!text(&rss).contains("<language>"));
    let atom = rendered(&blank, "", &items, Format::Atom);
    assert!(!text(&atom).contains("xml:lang"));
    let json = rendered(&blank, "", &items, Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert!(value.get("language").is_none());
    assert!(value["items"][0].get("language").is_none());
}

#[test]
fn english_articles_on_a_chinese_site_get_english_words() {
    let mut english = item(
        1,
        "Library opens on Sundays",
        "From April the library opens on Sundays.",
    );
    english.article.authors = vec![Author {
        name: "Ann Lee".into(),
        role: Role::Author,
    }];
    let chinese = item(
        2,
        "江海区实行六学模式",
        "为深入学习宣传贯彻精神，扎实推进宣讲工作。",
    );
    let entity = rendered(&site(), "", &[english, chinese], Format::Json);
    let value: serde_json::Value = serde_json::from_slice(&entity).expect("json");
    let (en, zh) = (&value["items"][0], &value["items"][1]);
    assert_eq!(en["language"], "en");
    assert!(en["content_html"]
        .as_str()
        .expect("html")
        .contains("By Ann Lee"));
    assert_eq!(zh["language"], "zh-CN");
    assert!(zh["content_html"]
        .as_str()
        .expect("html")
        .contains("记者 陈婵"));
    assert_eq!(
        value["language"], "zh-CN",
        "the feed keeps the site's language"
    );
}

#[test]
fn archive_documents_link_their_neighbours_and_say_what_they_are() {
    let items = vec![item(1, "a", "b"), item(2, "c", "d")];
    let doc = |format, page| FeedDoc {
        channel: "江海",
        format,
        page,
    };
    let middle = Page::Archive {
        number: 3,
        newest: 7,
    };
    let render = |d: &FeedDoc<'_>| {
        String::from_utf8(render_document(&site(), d, &items, utc_time(MODIFIED)).expect("renders"))
            .expect("utf-8")
    };
    let base = "http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7";
    let atom = render(&doc(Format::Atom, middle));
    assert_well_formed(&atom);
    for want in [
        format!("<id>{base}/archive/3.atom</id>"),
        format!("<link href=\"{base}/feed.atom\" rel=\"current\""),
        format!("<link href=\"{base}/archive/2.atom\" rel=\"prev-archive\""),
        format!("<link href=\"{base}/archive/4.atom\" rel=\"next-archive\""),
        "xmlns:fh=\"http://purl.org/syndication/history/1.0\"".to_string(),
    ] {
        assert!(atom.contains(&want), "Atom lacks {want}:\n{atom}");
    }
    let (marker, entry) = (atom.find("<fh:archive>"), atom.find("<entry>"));
    assert!(
        marker.is_some() && marker < entry,
        "the marker comes before the entries"
    );

    let rss = render(&doc(Format::Rss, middle));
    assert_well_formed(&rss);
    assert!(rss.contains("<fh:archive>"), "{rss}");
    assert!(
        rss.contains(&format!(
            "href=\"{base}/archive/4.rss\" rel=\"next-archive\""
        )),
        "{rss}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&render(&doc(Format::Json, middle))).expect("JSON");
    assert_eq!(json["feed_url"], format!("{base}/archive/3.json"));
    assert_eq!(
        json["next_url"],
        format!("{base}/archive/2.json"),
        "older next"
    );
    let oldest = render(&doc(
        Format::Json,
        Page::Archive {
            number: 0,
            newest: 7,
        },
    ));
    assert!(!oldest.contains("next_url"), "the oldest ends the chain");

    let current = render(&doc(
        Format::Atom,
        Page::Current {
            newest_archive: Some(7),
        },
    ));
    assert!(current.contains(&format!(
        "<link href=\"{base}/archive/7.atom\" rel=\"prev-archive\""
    )));
    assert!(!current.contains("fh:archive"));
    let json: serde_json::Value = serde_json::from_str(&render(&doc(
        Format::Json,
        Page::Current {
            newest_archive: Some(7),
        },
    )))
    .expect("JSON");
    assert_eq!(json["next_url"], format!("{base}/archive/7.json"));
}

#[test]
fn a_feed_rendered_once_takes_any_date_as_if_rendered_with_it() {
    let items = vec![item(1, "a", "b"), item(2, "c", "d")];
    let doc = |format| FeedDoc {
        channel: "江海",
        format,
        page: Page::Current {
            newest_archive: Some(3),
        },
    };
    for format in Format::ALL {
        let stamped = render_stamped(&site(), &doc(format), &items).expect("renders");
        assert_eq!(stamped.is_dated(), format != Format::Json, "{format:?}");
        for t in [
            "2023-01-01T00:00:00Z",
            "2026-12-04T19:05:09Z",
            "1999-03-07T23:59:59Z",
        ] {
            let direct = render_document(&site(), &doc(format), &items, at(t)).expect("renders");
            let spliced = stamped.at(at(t)).expect("a feed with one date of its own");
            assert_eq!(text(&spliced), text(&direct), "{format:?} at {t}");
        }
    }
    // An article carrying the placeholder date leaves two places to
    // choose from: the feed is rendered per date instead.
    let mut odd = items.clone();
    odd[0].updated = at("9999-12-31T23:59:59Z");
    odd[0].published = odd[0].updated;
    for format in [Format::Rss, Format::Atom] {
        let stamped = render_stamped(&site(), &doc(format), &odd).expect("renders");
        assert!(
            stamped.at(at("2023-01-01T00:00:00Z")).is_none(),
            "{format:?}"
        );
    }
}
