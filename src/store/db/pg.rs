//! The PostgreSQL driver: one session, statements prepared once per text
//! (the store's `?N` parameters become PostgreSQL's `$N`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::{Row, Value};
use crate::store::StoreError;

/// How to open a session beyond the URL.
#[derive(Debug, Clone, Default)]
pub struct PgOptions {
    /// The schema the store's tables live in (`search_path`); the URL's
    /// database default when `None`.
    pub schema: Option<String>,
    /// Shown in `pg_stat_activity`.
    pub application_name: Option<String>,
}

/// A PostgreSQL session and its prepared statements.
pub struct Pg {
    url: String,
    options: PgOptions,
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
}

impl Pg {
    /// Connects to `url`.
    pub fn connect(url: &str, options: &PgOptions) -> Result<Pg, StoreError> {
        let mut config: postgres::Config = url.parse()?;
        // PostgreSQL's notices (an `IF NOT EXISTS` that found the table)
        // are not the operator's business; the URL's own options stay.
        let mut settings = config
            .get_options()
            .map_or(String::new(), |o| format!("{o} "));
        settings.push_str("-c client_min_messages=warning");
        if let Some(schema) = &options.schema {
            settings.push_str(&format!(" -c search_path={schema}"));
        }
        config.options(&settings);
        if let Some(name) = &options.application_name {
            config.application_name(name);
        }
        config.connect_timeout(std::time::Duration::from_secs(5));
        Ok(Pg {
            url: url.to_string(),
            options: options.clone(),
            client: RefCell::new(config.connect(NoTls)?),
            statements: RefCell::new(HashMap::new()),
        })
    }

    fn statement(&self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.borrow_mut().prepare(&dollar_params(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub(super) fn execute(&self, sql: &str, params: &[Value<'_>]) -> Result<usize, StoreError> {
        let stmt = self.statement(sql)?;
        let n = self.client.borrow_mut().execute(&stmt, &refs(params))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn each(
        &self,
        sql: &str,
        params: &[Value<'_>],
        f: &mut dyn FnMut(&Row<'_>) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let stmt = self.statement(sql)?;
        let rows = self.client.borrow_mut().query(&stmt, &refs(params))?;
        for row in &rows {
            if !f(&Row::Pg(row))? {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn batch(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    /// A new session to the same database, with the same options.
    pub fn reopen(&self) -> Result<Pg, StoreError> {
        Pg::connect(&self.url, &self.options)
    }

    /// Whether the session is gone (the server closed it or the network
    /// failed); a new one must be opened.
    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }
}

fn refs<'a>(params: &'a [Value<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// `?N` → `$N`, outside quoted strings and identifiers.
fn dollar_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote = None;
    for c in sql.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '?') => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be a {ty}").into()),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

pub(super) fn cell(row: &postgres::Row, index: usize) -> Result<Value<'_>, StoreError> {
    let Some(column) = row.columns().get(index) else {
        return Err(StoreError::Corrupt {
            what: "column",
            detail: format!("no column {index}"),
        });
    };
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
    Ok(match *column.type_() {
        Type::INT8 => int(row.try_get(index)?),
        Type::INT4 => int(row.try_get::<_, Option<i32>>(index)?.map(i64::from)),
        Type::INT2 => int(row.try_get::<_, Option<i16>>(index)?.map(i64::from)),
        Type::BOOL => int(row.try_get::<_, Option<bool>>(index)?.map(i64::from)),
        Type::BYTEA => row
            .try_get::<_, Option<&[u8]>>(index)?
            .map_or(Value::Null, Value::Blob),
        _ => row
            .try_get::<_, Option<&str>>(index)?
            .map_or(Value::Null, Value::Text),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_are_numbered_the_postgres_way_outside_quotes() {
        assert_eq!(
            super::dollar_params("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b = $12"
        );
    }
}
