//! What only the SQLite backend has: its query plans and the upgrade from
//! bulletind 0.1's layout.

use chrono_tz::Tz;

use super::suite::{art, at, BRIDGE, LIBRARY};
use crate::model::Bulletin;
use crate::store::db::Db;
use crate::store::*;

#[test]
fn feed_queries_use_their_indexes() {
    let s = Store::in_memory("example.org", Tz::UTC).expect("store");
    let Db::Sqlite(conn) = &s.conn else {
        unreachable!("an in-memory store is SQLite")
    };
    for (sql, index) in [
        (read::newest_sql(true), "items_by_channel"),
        (read::newest_sql(false), "items_by_time"),
        (
            "SELECT id FROM items WHERE fingerprint = x'00'".into(),
            "items_by_fingerprint",
        ),
        (
            "SELECT item FROM claims WHERE bulletin = 1".into(),
            "PRIMARY KEY",
        ),
        (
            "SELECT id FROM items WHERE page_dirty = 1".into(),
            "items_page_dirty",
        ),
    ] {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("prepare");
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let plan = plan.join("; ");
        assert!(plan.contains(index), "{sql}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
    }
}

#[test]
fn a_version_1_database_upgrades_keeping_ids_dates_and_retractions() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("open");
        conn.execute_batch(schema::VERSION_1).expect("v1 schema");
        let article = serde_json::to_string(&art("Bridge", BRIDGE)).expect("json");
        let gone = serde_json::to_string(&art("Old", LIBRARY)).expect("json");
        conn.execute_batch(&format!(
            "INSERT INTO bulletins VALUES ('ch/p.txt', 'ch', 'h1', '2022-12-09T01:00:00+00:00', 'active');
             INSERT INTO items VALUES ('tag:x,2022-12-09:aaa', 'slug-a', 'ch/p.txt', 'Bridge', 'ch', 0,
               '2022-12-09T00:00:00+08:00', 1670515200, '2022-12-10T00:00:00+08:00', 'x', '{article}', 0);
             INSERT INTO items VALUES ('tag:x,2022-12-09:bbb', 'slug-b', 'ch/p.txt', 'Old', 'ch', 1,
               '2022-12-09T00:00:00+08:00', 1670515200, '2022-12-09T00:00:00+08:00', 'y', '{gone}', 1);
             PRAGMA user_version = 1;"
        ))
        .expect("v1 rows");
    }
    let mut s = Store::open(dir.path(), "example.org", Tz::UTC).expect("upgrade");
    let now = s.newest(Some("ch"), 5).expect("newest");
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].id, "tag:x,2022-12-09:aaa");
    assert_eq!(
        now[0].slug,
        slug_for("tag:x,2022-12-09:aaa"),
        "page names are kept"
    );
    assert_eq!(now[0].published.to_rfc3339(), "2022-12-09T00:00:00+08:00");
    assert_eq!(now[0].updated.to_rfc3339(), "2022-12-10T00:00:00+08:00");
    assert_eq!(
        s.item_keys().expect("keys").1,
        [slug_for("tag:x,2022-12-09:bbb")]
    );
    // The same file again changes nothing; an edit keeps the id.
    let b = Bulletin {
        articles: vec![art("Bridge", &BRIDGE.replace("week", "month"))],
        ..Bulletin::default()
    };
    let c = s.ingest("ch/p.txt", "ch", "h2", &b, at(1)).expect("ingest");
    assert_eq!((c.added, c.updated), (0, 1));
    assert_eq!(
        s.newest(Some("ch"), 5).expect("newest")[0].id,
        "tag:x,2022-12-09:aaa"
    );
}
