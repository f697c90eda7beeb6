//! Reading a hot document back from the feeds folder at start, instead of
//! rendering and compressing it again: accepted only if the identity bytes
//! still hash to the stored ETag and every compressed copy the store lists
//! is there, with the ETag listed.

use std::path::Path;

use bytes::Bytes;

use super::mirror;
use crate::render::{digest, system_time, Coding, Entity, Variant};
use crate::store::Document;

/// The entity for `path` as written last, or `None` when the feeds folder
/// does not hold exactly what the store says was written.
pub(super) fn read_back(
    root: &Path,
    path: &str,
    content_type: &'static str,
    doc: &Document,
) -> Option<Entity> {
    let rel = mirror::rel_of(path);
    let identity = std::fs::read(root.join(&rel)).ok()?;
    if digest(&identity) != doc.validators.etag {
        return None;
    }
    let mut copies = Vec::new();
    for entry in doc.copies.split_whitespace() {
        let (token, hex) = entry.split_once('=')?;
        let coding = Coding::from_token(token)?;
        let body = std::fs::read(root.join(format!("{rel}{}", coding.suffix()))).ok()?;
        let copy = Variant::new(coding, Bytes::from(body));
        if crate::render::hex(&copy.digest) != hex {
            return None;
        }
        copies.push(copy);
    }
    Some(Entity::from_variants(
        content_type,
        Bytes::from(identity),
        copies,
        system_time(doc.validators.modified),
    ))
}
