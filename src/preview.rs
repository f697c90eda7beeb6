//! `bulletind parse`: what the daemon would publish for some files alone,
//! without a server. Uses the same parse → store → render path as the
//! daemon, with an in-memory store: titles, bodies, credits and dates are
//! the daemon's, but ids are minted afresh (the daemon mints each id once,
//! when it first sees the article), which the output says in its
//! `_bulletind.note`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::config::{Config, ParseArgs};
use crate::parse::{self, Limits};
use crate::render::{self, Format};
use crate::store::{hash_hex, Store};

/// Runs `bulletind parse`; writes the JSON Feed (or, with `--explain`, the
/// line-by-line explanation) to `out` and one line per rejected file to
/// `err`. Returns whether every file was accepted.
pub fn run(args: &ParseArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<bool> {
    let config = Config::for_preview(args.config.as_deref())?;
    let base_url = config.base_url_for(config.listen);
    let limits = Limits {
        max_bytes: config.max_bytes,
    };
    let mut store = Store::in_memory(&crate::store::authority_of(&base_url), config.timezone)?;
    let mut all_ok = true;
    let mut any_ok = false;
    for path in &args.files {
        let name = file_name(path);
        let result = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                if args.explain {
                    let lines =
                        parse::explain(&name, &bytes, &limits).map_err(|e| e.to_string())?;
                    writeln!(out, "== {}", path.display()).map_err(|e| e.to_string())?;
                    for line in lines {
                        writeln!(out, "{line}").map_err(|e| e.to_string())?;
                    }
                    return Ok(());
                }
                let bulletin =
                    parse::parse_bulletin(&name, &bytes, &limits).map_err(|e| e.to_string())?;
                for warning in &bulletin.warnings {
                    let _ = writeln!(err, "{}: warning: {warning}", path.display());
                }
                let seen = first_seen(path);
                store
                    .ingest(&name, "", &hash_hex(&bytes), &bulletin, seen)
                    .map(drop)
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(()) => any_ok = true,
            Err(reason) => {
                all_ok = false;
                writeln!(err, "{}: {reason}", path.display()).context("writing to stderr")?;
            }
        }
    }
    if !args.explain && any_ok {
        // Every item of these files: the preview is not cut to a feed's length.
        let items = store.newest(None, usize::MAX)?;
        let site = crate::ingest::site_for(&config, &base_url);
        let now = Utc::now().fixed_offset();
        let feed = render::render_feed(&site, "", &items, Format::Json, now)?;
        out.write_all(&with_note(&feed)?)
            .context("writing to stdout")?;
        writeln!(out).context("writing to stdout")?;
    }
    Ok(all_ok)
}

/// The JSON Feed with a `_bulletind` extension saying what a preview is.
fn with_note(feed: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut doc: serde_json::Value = serde_json::from_slice(feed)?;
    if let Some(object) = doc.as_object_mut() {
        object.insert(
            "_bulletind".into(),
            serde_json::json!({
                "about": "https://github.com/bulletind/bulletind",
                "note": "preview: titles, text, credits and dates are what the daemon publishes; \
                         ids and URLs are not (the daemon mints each id once, when it first sees the article)"
            }),
        );
    }
    Ok(serde_json::to_vec(&doc)?)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A preview has no first sighting to remember: use the file's mtime.
fn first_seen(path: &Path) -> DateTime<Utc> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now())
}
