//! The store's behaviour as readers see it, the same on either database:
//! ids kept across edits, renames and moves, retraction, order, validators,
//! settings, subscriptions, and what survives reopening.

use chrono::{NaiveDate, TimeZone, Utc};

use super::Backend;
use crate::model::{Article, Block, Bulletin, Dated, Item};
use crate::store::*;

pub(super) const BRIDGE: &str =
    "The river bridge reopens a week ahead of plan, the council said on Monday.";
pub(super) const LIBRARY: &str =
    "From April the central library opens on Sundays between ten and four.";
pub(super) const TRAM: &str =
    "Residents may comment on the planned tram route through the old town until May.";

pub(super) fn art(title: &str, body: &str) -> Article {
    Article {
        title: title.into(),
        blocks: vec![Block::Paragraph(body.into())],
        ..Article::default()
    }
}

pub(super) fn day(d: u32) -> Option<Dated> {
    Some(Dated::Day(
        NaiveDate::from_ymd_opt(2022, 12, d).expect("date"),
    ))
}

pub(super) fn bulletin(articles: Vec<Article>) -> Bulletin {
    Bulletin {
        articles,
        date: day(9),
        ..Bulletin::default()
    }
}

pub(super) fn at(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0)
        .single()
        .expect("valid")
}

fn find(items: &[Item], title: &str) -> Item {
    items
        .iter()
        .find(|i| i.article.title == title)
        .cloned()
        .unwrap_or_else(|| panic!("{title} missing"))
}

fn titles(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.article.title.as_str()).collect()
}

pub(super) fn edits_keep_ids_and_bump_updated_only_where_changed(b: &Backend) {
    let mut s = b.store();
    let b1 = bulletin(vec![art("Bridge", BRIDGE), art("Library", LIBRARY)]);
    let h1 = hash_hex(b"version one");
    let c = s.ingest("p.txt", "", &h1, &b1, at(1)).expect("ingest");
    assert_eq!((c.added, c.updated, c.retracted), (2, 0, 0));
    let before = s.newest(None, 10).expect("newest");
    let known = s.bulletin("p.txt").expect("q").expect("known");
    assert!(known.has_hash(&h1) && !known.has_hash(&hash_hex(b"other")));

    let b2 = bulletin(vec![
        art("Bridge", BRIDGE),
        art("Library", &LIBRARY.replace("ten", "nine")),
        art("Tram", TRAM),
    ]);
    let c = s.ingest("p.txt", "", "h2", &b2, at(2)).expect("ingest");
    assert_eq!((c.added, c.updated, c.retracted), (1, 1, 0));
    let after = s.newest(None, 10).expect("newest");
    assert_eq!(find(&before, "Bridge"), find(&after, "Bridge"));
    assert_eq!(find(&before, "Library").id, find(&after, "Library").id);
    assert_eq!(
        find(&after, "Library").updated.to_rfc3339(),
        "2026-01-01T02:00:00+00:00"
    );
    assert_eq!(
        find(&after, "Library").published.to_rfc3339(),
        "2022-12-09T00:00:00+00:00"
    );

    let c = s
        .ingest("p.txt", "", "h3", &bulletin(vec![art("Tram", TRAM)]), at(3))
        .expect("ingest");
    assert_eq!(c.retracted, 2);
    assert_eq!(s.published_count().expect("count"), 1);
}

pub(super) fn a_headline_typo_fix_is_an_update(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "p.txt",
        "",
        "h1",
        &bulletin(vec![art("Brdige works", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    let id = s.newest(None, 1).expect("newest")[0].id.clone();
    let c = s
        .ingest(
            "p.txt",
            "",
            "h2",
            &bulletin(vec![art("Bridge works", BRIDGE)]),
            at(2),
        )
        .expect("ingest");
    assert_eq!((c.added, c.updated, c.retracted), (0, 1, 0));
    let now = s.newest(None, 5).expect("newest");
    assert_eq!(titles(&now), ["Bridge works"]);
    assert_eq!(now[0].id, id);
}

pub(super) fn a_rename_keeps_ids_whether_seen_as_a_rename_or_as_gone_and_new(b: &Backend) {
    // Seen as a rename (inotify paired it).
    let mut s = b.store();
    s.ingest(
        "a.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    let before = s.newest(None, 5).expect("newest");
    let c = s.rename("a.txt", "b.txt", true, at(2)).expect("rename");
    assert!(!c.any());
    assert_eq!(s.newest(None, 5).expect("newest"), before);
    assert!(s.bulletin("a.txt").expect("q").is_none());

    // Seen while down: the old file gone, a new one found (either order).
    for gone_first in [true, false] {
        let b = b.fresh();
        let mut s = b.store();
        s.ingest(
            "a.txt",
            "",
            "h",
            &bulletin(vec![art("Bridge", BRIDGE)]),
            at(1),
        )
        .expect("ingest");
        let id = s.newest(None, 5).expect("newest")[0].id.clone();
        if gone_first {
            s.remove("a.txt", true, at(2)).expect("remove");
        }
        s.ingest(
            "b.txt",
            "",
            "h",
            &bulletin(vec![art("Bridge", BRIDGE)]),
            at(2),
        )
        .expect("ingest");
        if !gone_first {
            s.remove("a.txt", true, at(2)).expect("remove");
        }
        let now = s.newest(None, 5).expect("newest");
        assert_eq!(now.len(), 1, "gone first: {gone_first}");
        assert_eq!(now[0].id, id, "gone first: {gone_first}");
    }
}

pub(super) fn an_article_moved_to_another_bulletin_keeps_its_id_in_either_order(b: &Backend) {
    for new_side_first in [true, false] {
        let b = b.fresh();
        let mut s = b.store();
        s.ingest(
            "a.txt",
            "",
            "a1",
            &bulletin(vec![art("Bridge", BRIDGE), art("Library", LIBRARY)]),
            at(1),
        )
        .expect("ingest");
        s.ingest("b.txt", "", "b1", &bulletin(vec![art("Tram", TRAM)]), at(1))
            .expect("ingest");
        let bridge = find(&s.newest(None, 5).expect("newest"), "Bridge").id;
        let steps: [(&str, Vec<Article>); 2] = [
            ("b.txt", vec![art("Tram", TRAM), art("Bridge", BRIDGE)]),
            ("a.txt", vec![art("Library", LIBRARY)]),
        ];
        let order: Vec<usize> = if new_side_first {
            vec![0, 1]
        } else {
            vec![1, 0]
        };
        for i in order {
            let (path, articles) = &steps[i];
            s.ingest(
                path,
                "",
                &format!("{path}2"),
                &bulletin(articles.clone()),
                at(2),
            )
            .expect("ingest");
        }
        let now = s.newest(None, 5).expect("newest");
        assert_eq!(
            now.len(),
            3,
            "new side first: {new_side_first}: {:?}",
            titles(&now)
        );
        assert_eq!(
            find(&now, "Bridge").id,
            bridge,
            "new side first: {new_side_first}"
        );
    }
}

pub(super) fn json_ids_follow_the_item_between_files(b: &Backend) {
    let mut s = b.store();
    let mut a = art("Water notice", "Pipes fixed on the east side.");
    a.key = Some("n-1".into());
    s.ingest("one.json", "", "h", &bulletin(vec![a.clone()]), at(1))
        .expect("ingest");
    let id = s.newest(None, 1).expect("newest")[0].id.clone();
    let mut moved = a.clone();
    moved.title = "Water notice (updated)".into();
    moved.blocks = vec![Block::Paragraph("All pipes fixed.".into())];
    s.ingest("two.json", "", "h", &bulletin(vec![moved]), at(2))
        .expect("ingest");
    s.ingest(
        "one.json",
        "",
        "h2",
        &bulletin(vec![art("Other", TRAM)]),
        at(2),
    )
    .expect("ingest");
    let now = s.newest(None, 5).expect("newest");
    assert_eq!(find(&now, "Water notice (updated)").id, id);
    assert_eq!(now.len(), 2);
}

pub(super) fn a_renamed_channel_keeps_ids_and_the_old_channel_is_gone(b: &Backend) {
    // As a rename of the folder.
    let mut s = b.store();
    s.ingest(
        "city/a.md",
        "city",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    let id = s.newest(None, 1).expect("newest")[0].id.clone();
    let c = s
        .rename_channel("city", "town")
        .expect("rename")
        .expect("free");
    assert!(c.channels.contains("city") && c.channels.contains("town"));
    assert_eq!(s.newest(Some("town"), 5).expect("newest")[0].id, id);
    assert!(s.newest(Some("city"), 5).expect("newest").is_empty());
    let channels = s.channels().expect("channels");
    assert!(channels
        .iter()
        .any(|c| c.name == "city" && !c.present && c.items == 0));

    // As the old folder gone and a new one found, in either order.
    for gone_first in [true, false] {
        let b = b.fresh();
        let mut s = b.store();
        s.ingest(
            "city/a.md",
            "city",
            "h",
            &bulletin(vec![art("Bridge", BRIDGE)]),
            at(1),
        )
        .expect("ingest");
        let id = s.newest(None, 1).expect("newest")[0].id.clone();
        if gone_first {
            s.channel_gone("city", true, at(2)).expect("gone");
        }
        s.ingest(
            "town/a.md",
            "town",
            "h",
            &bulletin(vec![art("Bridge", BRIDGE)]),
            at(2),
        )
        .expect("ingest");
        if !gone_first {
            s.channel_gone("city", true, at(2)).expect("gone");
        }
        let town = s.newest(Some("town"), 5).expect("newest");
        // Found while the old channel still publishes it, the same text in
        // another channel is a new item for that channel's readers.
        if gone_first {
            assert_eq!(town[0].id, id);
        }
        assert_eq!(
            s.newest(None, 5).expect("newest").len(),
            1,
            "gone first: {gone_first}"
        );
    }
}

pub(super) fn the_same_text_in_two_live_channels_is_two_items(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "a/x.md",
        "a",
        "h",
        &bulletin(vec![art("Wire story", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    s.ingest(
        "b/y.md",
        "b",
        "h",
        &bulletin(vec![art("Wire story", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    assert_eq!(s.newest(Some("a"), 5).expect("a").len(), 1);
    assert_eq!(s.newest(Some("b"), 5).expect("b").len(), 1);
    assert_eq!(s.newest(None, 5).expect("all").len(), 2);
}

pub(super) fn a_copy_in_the_same_channel_is_one_item_until_both_are_gone(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "a.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    s.ingest(
        "b.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(2),
    )
    .expect("ingest");
    assert_eq!(s.newest(None, 5).expect("newest").len(), 1);
    let c = s.remove("a.txt", true, at(3)).expect("remove");
    assert_eq!(c.retracted, 0, "b.txt still holds it");
    assert_eq!(s.newest(None, 5).expect("newest").len(), 1);
    let c = s.remove("b.txt", true, at(4)).expect("remove");
    assert_eq!(c.retracted, 1);
    assert!(s.newest(None, 5).expect("newest").is_empty());
}

pub(super) fn counts_per_channel_and_retracted_slugs_agree_with_the_items(b: &Backend) {
    let mut s = b.store();
    let two = bulletin(vec![art("Bridge", BRIDGE), art("Library", LIBRARY)]);
    s.ingest("ch/a.txt", "ch", "h1", &two, at(1))
        .expect("ingest");
    s.ingest("b.txt", "", "h2", &bulletin(vec![art("Tram", TRAM)]), at(2))
        .expect("ingest");
    let counts = |s: &crate::store::Store| {
        let rows = s.channel_rows().expect("rows");
        let kept: Vec<(String, usize)> = rows
            .iter()
            .map(|c| (c.name.clone(), s.channel_items(&c.name).expect("count")))
            .collect();
        let full: Vec<(String, usize)> = s
            .channels()
            .expect("channels")
            .into_iter()
            .map(|c| (c.name, c.items))
            .collect();
        assert_eq!(kept, full, "one channel's count is the full count's");
        kept
    };
    assert_eq!(counts(&s), [("".to_string(), 1), ("ch".to_string(), 2)]);
    assert!(s.retracted_slugs().expect("slugs").is_empty());
    let bulletins = s.bulletin_counts().expect("bulletins");
    assert_eq!(
        (bulletins.get(""), bulletins.get("ch")),
        (Some(&1), Some(&1))
    );

    let c = s.remove("ch/a.txt", true, at(3)).expect("remove");
    assert_eq!(c.retracted, 2);
    assert_eq!(counts(&s), [("".to_string(), 1), ("ch".to_string(), 0)]);
    let gone: Vec<String> = s.retracted_slugs().expect("slugs");
    let (_, by_scan) = s.item_keys().expect("keys");
    let mut sorted = gone.clone();
    sorted.sort();
    let mut by_scan = by_scan;
    by_scan.sort();
    assert_eq!(gone.len(), 2);
    assert_eq!(sorted, by_scan, "the index lists what a scan finds");
    assert_eq!(s.bulletin_counts().expect("bulletins").get("ch"), None);
}

pub(super) fn keep_mode_and_quarantine_keep_items_and_a_rename_publishes_one_copy(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "a.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    s.ingest(
        "q.txt",
        "",
        "h",
        &bulletin(vec![art("Library", LIBRARY)]),
        at(1),
    )
    .expect("ingest");
    assert!(!s.remove("a.txt", false, at(2)).expect("remove").any());
    s.ingest(
        "b.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(2),
    )
    .expect("ingest");
    s.mark_quarantined("q.txt", "", "h2", at(3)).expect("mark");
    assert!(!s.remove("q.txt", true, at(3)).expect("remove").any());
    let now = s.newest(None, 5).expect("newest");
    assert_eq!(titles(&now).len(), 2, "{:?}", titles(&now));
}

pub(super) fn a_retracted_article_that_comes_back_keeps_its_id(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "a.txt",
        "",
        "h",
        &bulletin(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    let id = s.newest(None, 1).expect("newest")[0].id.clone();
    s.remove("a.txt", true, at(2)).expect("remove");
    let key = s.item_key(&id).expect("q").expect("key");
    assert_eq!(s.item(key).expect("item").map(|(_, gone)| gone), Some(true));
    let c = s
        .ingest(
            "a.txt",
            "",
            "h",
            &bulletin(vec![art("Bridge", BRIDGE)]),
            at(3),
        )
        .expect("ingest");
    assert_eq!((c.added, c.updated), (0, 1));
    assert_eq!(s.newest(None, 1).expect("newest")[0].id, id);
}

pub(super) fn ids_are_never_reused(b: &Backend) {
    let mut s = b.store();
    s.ingest(
        "a.txt",
        "",
        "h",
        &bulletin(vec![art("Notice", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    let first = s.newest(None, 1).expect("newest")[0].id.clone();
    // Another article under the same title in the same place, later.
    s.ingest(
        "a.txt",
        "",
        "h2",
        &bulletin(vec![art("Other", TRAM)]),
        at(2),
    )
    .expect("ingest");
    s.ingest(
        "a.txt",
        "",
        "h3",
        &bulletin(vec![art("Notice", LIBRARY)]),
        at(3),
    )
    .expect("ingest");
    let now = s.newest(None, 1).expect("newest");
    assert_ne!(now[0].id, first);
}

pub(super) fn same_day_items_show_the_later_bulletin_first_then_page_order(b: &Backend) {
    let mut s = b.store();
    let undated = |articles| Bulletin {
        articles,
        date: day(9),
        ..Bulletin::default()
    };
    s.ingest(
        "zz.txt",
        "",
        "h",
        &undated(vec![art("zz one", BRIDGE), art("zz two", LIBRARY)]),
        at(1),
    )
    .expect("ingest");
    s.ingest(
        "aa.txt",
        "",
        "h",
        &undated(vec![
            art("aa one", TRAM),
            art("aa two", "Another story entirely, with enough words."),
        ]),
        at(2),
    )
    .expect("ingest");
    let now = s.newest(None, 10).expect("newest");
    assert_eq!(titles(&now), ["aa one", "aa two", "zz one", "zz two"]);
    assert_eq!(
        titles(&s.newest(None, 2).expect("newest")),
        ["aa one", "aa two"]
    );
}

pub(super) fn undated_articles_are_published_when_first_seen(b: &Backend) {
    let mut s = b.store();
    let undated = |articles| Bulletin {
        articles,
        ..Bulletin::default()
    };
    s.ingest(
        "a.txt",
        "",
        "h",
        &undated(vec![art("Bridge", BRIDGE)]),
        at(1),
    )
    .expect("ingest");
    s.ingest(
        "a.txt",
        "",
        "h2",
        &undated(vec![art("Bridge", BRIDGE), art("Tram", TRAM)]),
        at(5),
    )
    .expect("ingest");
    let now = s.newest(None, 5).expect("newest");
    assert_eq!(
        find(&now, "Bridge").published.to_rfc3339(),
        "2026-01-01T01:00:00+00:00"
    );
    assert_eq!(
        find(&now, "Tram").published.to_rfc3339(),
        "2026-01-01T05:00:00+00:00"
    );
    assert_eq!(titles(&now), ["Tram", "Bridge"]);
}

pub(super) fn bulletin_section_applies_to_articles_without_one(b: &Backend) {
    let mut s = b.store();
    let mut b = bulletin(vec![art("A", BRIDGE), art("B", LIBRARY)]);
    b.section = Some("Page".into());
    b.articles[1].section = Some("Own".into());
    s.ingest("p.txt", "", "h", &b, at(1)).expect("ingest");
    let mut got: Vec<(String, Option<String>)> = s
        .newest(None, 5)
        .expect("newest")
        .into_iter()
        .map(|i| (i.article.title, i.article.section))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("A".into(), Some("Page".into())),
            ("B".into(), Some("Own".into()))
        ]
    );
}

pub(super) fn validators_and_settings_round_trip(b: &Backend) {
    let mut s = b.store();
    assert_eq!(s.document("/feed.rss").expect("q"), None);
    let doc = Document {
        validators: Validators {
            etag: [7; 16],
            modified: 1_700_000_000,
        },
        copies: "gzip=00".into(),
    };
    s.set_documents(&[("/feed.rss".into(), doc.clone())])
        .expect("set");
    assert_eq!(s.document("/feed.rss").expect("q"), Some(doc));
    s.set_meta("k", "v").expect("set");
    assert_eq!(s.meta("k").expect("q").as_deref(), Some("v"));
}

pub(super) fn reopening_keeps_everything(b: &Backend) {
    let items = {
        let mut s = b.store();
        s.ingest("a.txt", "", "h", &bulletin(vec![art("A", BRIDGE)]), at(1))
            .expect("ingest");
        s.newest(None, 5).expect("newest")
    };
    let s = b.store_for("other.example");
    assert_eq!(s.newest(None, 5).expect("newest"), items);
    assert_eq!(
        s.bulletin("a.txt").expect("q").map(|b| b.state),
        Some("active")
    );
}

fn sub(callback: &str, expires: i64) -> StoredSubscription {
    StoredSubscription {
        topic: "/feed.atom".into(),
        topic_url: "http://h/feed.atom".into(),
        callback: callback.into(),
        secret: Some(b"k".to_vec()),
        expires,
        pending: false,
    }
}

pub(super) fn saved_renewed_pending_delivered_removed(b: &Backend) {
    let mut store = b.store();
    store
        .websub_apply(&[
            SubscriptionChange::Save(sub("http://a/cb", 10)),
            SubscriptionChange::Save(sub("http://b/cb", 10)),
            SubscriptionChange::Pending {
                topic: "/feed.atom".into(),
            },
            SubscriptionChange::Save(sub("http://a/cb", 20)),
            SubscriptionChange::Delivered {
                topic: "/feed.atom".into(),
                callback: "http://b/cb".into(),
            },
        ])
        .expect("apply");
    drop(store);
    let mut store = b.store();
    let kept = store.websub_subscriptions().expect("read");
    assert_eq!(kept.len(), 2);
    assert_eq!(
        (kept[0].expires, kept[0].pending),
        (20, true),
        "renewal keeps pending"
    );
    assert!(!kept[1].pending);
    store
        .websub_apply(&[SubscriptionChange::Remove {
            topic: "/feed.atom".into(),
            callback: "http://a/cb".into(),
        }])
        .expect("remove");
    assert_eq!(store.websub_subscriptions().expect("read").len(), 1);
}

pub(super) fn the_ingest_node_logs_what_it_rendered_and_a_follower_writes_nothing(b: &Backend) {
    let mut s = b.store();
    s.ingest("a.txt", "", "h", &bulletin(vec![art("A", BRIDGE)]), at(1))
        .expect("ingest");
    let (channels, pages) = s.dirty().expect("dirty");
    assert_eq!((channels.len(), pages.len()), (1, 1));
    let before = s.newest_publication().expect("newest");
    s.clear_dirty(&channels, &pages).expect("clear");
    let Since::Entries(entries) = s.publications_since(before).expect("log") else {
        panic!("a gap right after the entry")
    };
    assert_eq!(entries.len(), 1);
    let (gen, entry) = &entries[0];
    assert_eq!(
        (entry.channels.clone(), entry.pages.clone()),
        (channels, pages)
    );
    assert_eq!(s.newest_publication().expect("newest"), *gen);
    assert_eq!(s.logged(), *gen, "the store remembers what it logged");

    // A follower marks what the log says and renders it; the database's
    // marks and validators stay the ingest node's.
    s.ingest("b.txt", "", "h2", &bulletin(vec![art("B", TRAM)]), at(2))
        .expect("ingest");
    let due = s.dirty().expect("dirty");
    let mut f = b.store();
    f.set_follower(true);
    assert_eq!(f.dirty().expect("dirty"), (vec![], vec![]));
    f.mark_published(entry);
    assert_eq!(
        f.dirty().expect("dirty"),
        (entry.channels.clone(), entry.pages.clone())
    );
    f.clear_dirty(&entry.channels, &entry.pages).expect("clear");
    let doc = Document {
        validators: Validators {
            etag: [7; 16],
            modified: 1,
        },
        copies: String::new(),
    };
    f.set_documents(&[("/feed.atom".into(), doc)]).expect("set");
    f.set_meta("pages_key", "follower").expect("meta");
    assert_eq!(f.dirty().expect("dirty"), (vec![], vec![]));
    assert_eq!(
        s.dirty().expect("dirty"),
        due,
        "the database's marks are untouched"
    );
    assert_eq!(s.document("/feed.atom").expect("doc"), None);
    assert_eq!(s.meta("pages_key").expect("meta"), None);
    assert_eq!(
        s.newest_publication().expect("newest"),
        *gen,
        "a follower logs nothing"
    );
}
