//! The SQLite driver: one connection, statements cached by their text.

use std::path::Path;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use super::{Row, Value};
use crate::store::StoreError;

/// SQLite's page cache, in KiB: the feed queries touch a few index pages and
/// the newest rows; the operating system's page cache holds the rest.
const CACHE_KIB: i64 = 4 * 1024;

/// Distinct statements the store runs, with room to spare: every one stays
/// prepared.
const STATEMENTS: usize = 128;

/// Bytes of write-ahead log kept on disk after a checkpoint.
const WAL_LIMIT_BYTES: i64 = 4 << 20;

/// Opens the database file at `path`, or an in-memory one, in WAL mode.
pub(super) fn open(path: Option<&Path>) -> Result<Connection, StoreError> {
    let conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + NORMAL survives process crashes; only a power loss can drop the
    // last transactions, and the inbox still holds their files.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A burst can grow the write-ahead log past its checkpoint size (a
    // reader held an older snapshot): cut it back after each checkpoint
    // instead of keeping its high-water mark on disk.
    conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
    // Memory must not grow with the database: no memory map (its pages
    // count as the process's), and a page cache of CACHE_KIB.
    conn.pragma_update(None, "mmap_size", 0)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(conn)
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    params: &[Value<'_>],
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(params))?)
}

pub(super) fn each(
    conn: &Connection,
    sql: &str,
    params: &[Value<'_>],
    f: &mut dyn FnMut(&Row<'_>) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        if !f(&Row::Sqlite(row))? {
            break;
        }
    }
    Ok(())
}

pub(super) fn cell<'a>(row: &'a rusqlite::Row<'_>, index: usize) -> Result<Value<'a>, StoreError> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => {
            return Err(StoreError::Corrupt {
                what: "column",
                detail: format!("column {index} holds a real number ({r})"),
            })
        }
        ValueRef::Text(t) => {
            Value::Text(std::str::from_utf8(t).map_err(|e| StoreError::Corrupt {
                what: "column",
                detail: format!("column {index}: {e}"),
            })?)
        }
        ValueRef::Blob(b) => Value::Blob(b),
    })
}
