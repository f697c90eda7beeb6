//! The store's test suite, run against both databases: every test of
//! `suite` runs once on SQLite and once on PostgreSQL. The PostgreSQL runs
//! need a server: they are ignored unless asked for, with
//! `BULLETIND_TEST_PG=postgres://user@127.0.0.1/db cargo test -- --ignored postgres`
//! (`.ci/run` does this). `sqlite` holds what only SQLite has (its query
//! plans, the upgrade from bulletind 0.1).

mod sqlite;
mod suite;

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono_tz::Tz;

use super::db::PgOptions;
use super::Store;

/// The environment variable naming the PostgreSQL server the tests use.
pub(crate) const PG_ENV: &str = "BULLETIND_TEST_PG";

/// A database for one test: a SQLite file in a temporary folder, or a
/// schema of its own on the PostgreSQL server (dropped afterwards).
pub(super) enum Backend {
    Sqlite(tempfile::TempDir),
    Pg { url: String, schema: String },
}

impl Backend {
    fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().expect("tempdir"))
    }

    fn postgres() -> Backend {
        let url = std::env::var(PG_ENV).unwrap_or_else(|_| {
            panic!("{PG_ENV} is not set: these tests need a PostgreSQL server URL")
        });
        let schema = fresh_schema(&url);
        Backend::Pg { url, schema }
    }

    /// Another, empty database of the same kind.
    pub(super) fn fresh(&self) -> Backend {
        match self {
            Backend::Sqlite(_) => Backend::sqlite(),
            Backend::Pg { .. } => Backend::postgres(),
        }
    }

    /// A new connection to this test's database, for ids under
    /// `example.org`.
    pub(super) fn store(&self) -> Store {
        self.store_for("example.org")
    }

    /// A new connection to this test's database, minting ids under
    /// `authority`.
    pub(super) fn store_for(&self, authority: &str) -> Store {
        match self {
            Backend::Sqlite(dir) => Store::open(dir.path(), authority, Tz::UTC).expect("open"),
            Backend::Pg { url, schema } => {
                let options = PgOptions {
                    schema: Some(schema.clone()),
                    application_name: Some("bulletind-test".into()),
                };
                Store::open_postgres(url, &options, authority, Tz::UTC).expect("open postgres")
            }
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Backend::Pg { url, schema } = self {
            if let Ok(mut client) = ::postgres::Client::connect(url, ::postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Creates a schema no other test uses and returns its name.
pub(crate) fn fresh_schema(url: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = format!(
        "t_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client =
        ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect to postgres");
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    schema
}

/// Declares each suite test twice: on SQLite, and (ignored unless asked
/// for) on PostgreSQL.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[test]
            fn $name() {
                super::suite::$name(&super::Backend::sqlite());
            })*
        }
        mod on_postgres {
            $(#[test]
            #[ignore = "needs PostgreSQL: BULLETIND_TEST_PG=postgres://… cargo test -- --ignored postgres"]
            fn $name() {
                super::suite::$name(&super::Backend::postgres());
            })*
        }
    };
}

on_both!(
    edits_keep_ids_and_bump_updated_only_where_changed,
    a_headline_typo_fix_is_an_update,
    a_rename_keeps_ids_whether_seen_as_a_rename_or_as_gone_and_new,
    an_article_moved_to_another_bulletin_keeps_its_id_in_either_order,
    json_ids_follow_the_item_between_files,
    a_renamed_channel_keeps_ids_and_the_old_channel_is_gone,
    the_same_text_in_two_live_channels_is_two_items,
    a_copy_in_the_same_channel_is_one_item_until_both_are_gone,
    counts_per_channel_and_retracted_slugs_agree_with_the_items,
    keep_mode_and_quarantine_keep_items_and_a_rename_publishes_one_copy,
    a_retracted_article_that_comes_back_keeps_its_id,
    ids_are_never_reused,
    same_day_items_show_the_later_bulletin_first_then_page_order,
    undated_articles_are_published_when_first_seen,
    bulletin_section_applies_to_articles_without_one,
    validators_and_settings_round_trip,
    reopening_keeps_everything,
    saved_renewed_pending_delivered_removed,
    the_ingest_node_logs_what_it_rendered_and_a_follower_writes_nothing,
);
