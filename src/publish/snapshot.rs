//! The feeds folder's own account of the snapshot written into it
//! (`.bulletind-snapshot`): each hot document with its validators and
//! copies, the paths that answer `410`, and each channel's newest archive
//! document. A node that cannot reach its database at start serves this
//! snapshot (degraded) until the store opens; nothing else reads it.
//!
//! It is written in the hot documents' batch, renamed into place after
//! them, and read back only if every file still matches it (`restore`'s
//! checks): a crash among the renames leaves an account that is not used.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::render::{hex, Entity, Format, Published, Site, HTML_TYPE, OPML_TYPE};
use crate::store::{digest_of_hex, Document, Validators};

/// Its name in the feeds folder.
pub(super) const FILE: &str = ".bulletind-snapshot";

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Manifest {
    hot: Vec<Entry>,
    gone: Vec<String>,
    archives: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Entry {
    path: String,
    content_type: String,
    /// The identity ETag's digest, hex.
    etag: String,
    /// `Last-Modified`, unix seconds.
    modified: i64,
    /// The compressed copies, as the store notes them (`gzip=hex …`).
    copies: String,
}

/// The manifest of `hot`, `gone` and `archives`, as written.
pub(super) fn encode(
    hot: &HashMap<String, Arc<Entity>>,
    gone: &HashSet<String>,
    archives: &HashMap<String, u64>,
) -> Vec<u8> {
    let mut entries: Vec<Entry> = hot
        .iter()
        .map(|(path, entity)| Entry {
            path: path.clone(),
            content_type: entity.content_type.to_str().unwrap_or_default().to_string(),
            etag: hex(&entity.digest()),
            modified: entity
                .last_modified
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
            copies: super::encode_copies(entity),
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let mut gone: Vec<String> = gone.iter().cloned().collect();
    gone.sort();
    let manifest = Manifest {
        hot: entries,
        gone,
        archives: archives.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    };
    // A tree of strings and integers always serialises.
    serde_json::to_vec(&manifest).unwrap_or_default()
}

/// The snapshot last written into `root`, with `site`'s discovery links;
/// `None` when there is none, or any of its files no longer matches it.
pub fn read(root: &Path, site: &Site) -> Option<Published> {
    let manifest: Manifest = serde_json::from_slice(&std::fs::read(root.join(FILE)).ok()?).ok()?;
    let mut entities = HashMap::with_capacity(manifest.hot.len());
    for entry in manifest.hot {
        let content_type = known_type(&entry.content_type)?;
        let doc = Document {
            validators: Validators {
                etag: digest_of_hex(&entry.etag),
                modified: entry.modified,
            },
            copies: entry.copies,
        };
        let entity = super::restore::read_back(root, &entry.path, content_type, &doc)?;
        let link = crate::render::discovery_link(site, &entry.path);
        entities.insert(entry.path, Arc::new(Entity { link, ..entity }));
    }
    Some(Published {
        entities,
        gone: Arc::new(manifest.gone.into_iter().collect()),
        archives: Arc::new(manifest.archives.into_iter().collect()),
    })
}

/// The `Content-Type` the publisher gives, as the static string it is.
fn known_type(written: &str) -> Option<&'static str> {
    Format::ALL
        .iter()
        .map(|f| f.content_type())
        .chain([HTML_TYPE, OPML_TYPE])
        .find(|t| *t == written)
}
