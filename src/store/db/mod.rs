//! The two databases behind the store, SQLite (embedded, the default) and
//! PostgreSQL (shared by several nodes), under one small interface: the
//! store's queries are written once, in the SQL both understand, with
//! `?N` parameters, and each driver runs them as its database expects.
//!
//! Values cross the interface as four kinds (integer, text, bytes, null):
//! every integer column is 64-bit on both, flags are 0 and 1, digests and
//! compressed articles are bytes.

mod pg;
mod sqlite;

use std::ops::Deref;

pub use pg::PgOptions;

use super::StoreError;

/// A value bound to a statement's parameter, or read from a column.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer (flags are 0 and 1).
    Int(i64),
    /// UTF-8 text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// What can be bound to a parameter.
pub trait ToParam {
    /// The value as the drivers take it.
    fn to_param(&self) -> Value<'_>;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, bool);

impl ToParam for str {
    fn to_param(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToParam for String {
    fn to_param(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Value<'_> {
        (**self).to_param()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToParam::to_param)
    }
}

/// A statement's parameters, in order.
pub trait Params {
    /// The values, `?1` first.
    fn params(&self) -> Vec<Value<'_>>;
}

impl Params for () {
    fn params(&self) -> Vec<Value<'_>> {
        Vec::new()
    }
}
impl<T: ToParam, const N: usize> Params for [T; N] {
    fn params(&self) -> Vec<Value<'_>> {
        self.iter().map(ToParam::to_param).collect()
    }
}
impl Params for &[&dyn ToParam] {
    fn params(&self) -> Vec<Value<'_>> {
        self.iter().map(|p| p.to_param()).collect()
    }
}

/// Parameters of mixed types: `params![path, id, &digest[..]]`.
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToParam),*] as &[&dyn $crate::store::db::ToParam]
    };
}
pub(crate) use params;

/// What a column can be read as.
pub trait FromValue: Sized {
    /// The value, or why the column does not hold one.
    fn from_value(cell: Value<'_>) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        match cell {
            Value::Int(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}
impl FromValue for i32 {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        let i = i64::from_value(cell)?;
        i32::try_from(i).map_err(|_| format!("{i} is out of range"))
    }
}
impl FromValue for bool {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        Ok(i64::from_value(cell)? != 0)
    }
}
impl FromValue for String {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        match cell {
            Value::Text(s) => Ok(s.to_string()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        match cell {
            Value::Blob(b) => Ok(b.to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(cell: Value<'_>) -> Result<Self, String> {
        match cell {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row of either database.
pub enum Row<'a> {
    /// A SQLite row.
    Sqlite(&'a rusqlite::Row<'a>),
    /// A PostgreSQL row.
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T, StoreError> {
        let cell = match self {
            Row::Sqlite(r) => sqlite::cell(r, index)?,
            Row::Pg(r) => pg::cell(r, index)?,
        };
        T::from_value(cell).map_err(|detail| StoreError::Corrupt {
            what: "column",
            detail: format!("column {index}: {detail}"),
        })
    }
}

/// A connection to the store's database.
pub enum Db {
    /// The embedded database.
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL session.
    Pg(Box<pg::Pg>),
}

impl Db {
    /// Opens the SQLite database at `path` (created if needed).
    pub fn sqlite(path: &std::path::Path) -> Result<Db, StoreError> {
        sqlite::open(Some(path)).map(Db::Sqlite)
    }

    /// An in-memory SQLite database.
    pub fn sqlite_in_memory() -> Result<Db, StoreError> {
        sqlite::open(None).map(Db::Sqlite)
    }

    /// Connects to PostgreSQL at `url` (`postgres://user@host/db`).
    pub fn postgres(url: &str, options: &PgOptions) -> Result<Db, StoreError> {
        pg::Pg::connect(url, options).map(|pg| Db::Pg(Box::new(pg)))
    }

    /// Runs one statement; returns the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize, StoreError> {
        match self {
            Db::Sqlite(c) => sqlite::execute(c, sql, &params.params()),
            Db::Pg(c) => c.execute(sql, &params.params()),
        }
    }

    /// The first row of a query, read by `f`; [`StoreError::NoRow`] when
    /// there is none.
    pub fn query_row<P: Params, T>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut f = Some(f);
        let mut first = None;
        self.each(sql, &params.params(), &mut |row| {
            if let Some(f) = f.take() {
                first = Some(f(row)?);
            }
            Ok(false)
        })?;
        first.ok_or(StoreError::NoRow)
    }

    /// Every row of a query, each read by `f`.
    pub fn query_map<P: Params, T>(
        &self,
        sql: &str,
        params: P,
        mut f: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        self.each(sql, &params.params(), &mut |row| {
            out.push(f(row)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Calls `f` on rows until it returns `false`.
    fn each(
        &self,
        sql: &str,
        params: &[Value<'_>],
        f: &mut dyn FnMut(&Row<'_>) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c) => sqlite::each(c, sql, params, f),
            Db::Pg(c) => c.each(sql, params, f),
        }
    }

    /// Runs several statements without parameters.
    pub fn batch(&self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(c) => c.batch(sql),
        }
    }

    /// Starts a transaction; it is rolled back unless committed.
    pub fn transaction(&mut self) -> Result<Tx<'_>, StoreError> {
        self.batch("BEGIN")?;
        Ok(Tx {
            db: self,
            open: true,
        })
    }

    /// Opens a new PostgreSQL session if this one is gone; returns whether
    /// it did. SQLite's connection does not go away.
    pub fn reconnect(&mut self) -> Result<bool, StoreError> {
        let fresh = match self {
            Db::Pg(pg) if pg.is_closed() => pg.reopen()?,
            _ => return Ok(false),
        };
        *self = Db::Pg(Box::new(fresh));
        Ok(true)
    }

    /// Whether this is the PostgreSQL backend.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Pg(_))
    }
}

/// A transaction: statements run through it as through the [`Db`].
pub struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

impl Tx<'_> {
    /// Makes the transaction's changes permanent.
    pub fn commit(mut self) -> Result<(), StoreError> {
        self.open = false;
        self.db.batch("COMMIT")
    }
}

impl Deref for Tx<'_> {
    type Target = Db;

    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // A failed rollback leaves nothing to undo: the connection is
            // gone or the transaction already ended.
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

/// `.optional()` on a single-row result: no row is `None`.
pub trait OptionalRow<T> {
    /// `Ok(None)` for [`StoreError::NoRow`].
    fn optional(self) -> Result<Option<T>, StoreError>;
}

impl<T> OptionalRow<T> for Result<T, StoreError> {
    fn optional(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NoRow) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
