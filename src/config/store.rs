//! Where the store lives: SQLite in the state directory (one node, the
//! default), or a PostgreSQL database shared by several nodes.

use std::fmt;

/// The `store` setting.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum StoreLocation {
    /// `bulletind.sqlite3` in `state_dir`.
    #[default]
    Sqlite,
    /// A PostgreSQL connection URL, `postgres://user:password@host/db`.
    Postgres(String),
}

impl StoreLocation {
    /// Reads the setting: `"sqlite"` or a `postgres://`/`postgresql://` URL.
    pub fn parse(value: &str) -> Result<StoreLocation, String> {
        if value == "sqlite" {
            return Ok(StoreLocation::Sqlite);
        }
        let shown = redact(value);
        let Ok(url) = url::Url::parse(value) else {
            return Err(format!(
                "store {shown:?} is neither \"sqlite\" nor a postgres://user@host/db URL"
            ));
        };
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "store {shown:?}: only sqlite and postgres:// stores exist"
            ));
        }
        value
            .parse::<postgres::Config>()
            .map_err(|e| format!("store {shown:?}: {e}"))?;
        Ok(StoreLocation::Postgres(value.to_string()))
    }
}

/// Shown without the password, for logs and `check-config`.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite => f.write_str("sqlite"),
            StoreLocation::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// Never the password, also not in debug output.
impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `url` with any password replaced by `***`.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(not a URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_or_a_postgres_url_and_the_password_never_shows() {
        assert_eq!(StoreLocation::parse("sqlite"), Ok(StoreLocation::Sqlite));
        let pg = StoreLocation::parse("postgres://news:s3cret@db.example/bulletind").expect("pg");
        assert_eq!(pg.to_string(), "postgres://news:***@db.example/bulletind");
        assert!(!format!("{pg:?}").contains("s3cret"));
        let err = StoreLocation::parse("mysql://u:s3cret@h/d").expect_err("mysql");
        assert!(
            err.contains("only sqlite") && !err.contains("s3cret"),
            "{err}"
        );
        assert!(StoreLocation::parse("state/db.sqlite").is_err());
    }
}
