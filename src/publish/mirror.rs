//! Writing documents into the feeds folder, so that a plain static server
//! of that folder serves the same site: every file is written to a
//! temporary name, given its `Last-Modified` as mtime, and renamed into
//! place: feeds after the batch is flushed to disk ([`write_batch`]), item
//! pages before, flushed once the feeds are out ([`write_unsynced`]; the
//! store keeps them due until then).

use crate::par::par_map;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One file to write: path under the feeds folder, bytes, modification time.
#[derive(Debug, Clone)]
pub struct MirrorFile<'a> {
    /// Relative path (`feed.rss`, `items/0123abcd.html`).
    pub rel: String,
    /// Contents.
    pub bytes: &'a [u8],
    /// mtime to give it (the document's `Last-Modified`).
    pub modified: SystemTime,
}

/// Writes `files` under `root` atomically and durably, as one batch: all
/// temporary files are written (on every core: creating and filling a
/// file is most of the cost), then one `syncfs` flushes them, then each is
/// renamed into place and the folders are synced. Returns the paths that
/// could not be written, with why (the others are written).
pub fn write_batch(root: &Path, files: &[MirrorFile<'_>]) -> Vec<(String, std::io::Error)> {
    let (staged, mut failed) = stage_all(root, files);
    if staged.is_empty() {
        return failed;
    }
    if let Err(err) = sync_filesystem(root) {
        tracing::warn!(folder = %root.display(), "syncfs failed: {err}");
    }
    let (placed, more) = place(root, staged);
    failed.extend(more);
    placed.sync_folders();
    failed
}

/// Writes `files` under `root` atomically but not yet durably: each is in
/// place when this returns, and on disk once [`Unsynced::sync`] returns.
/// For files whose loss in a crash of the machine is made good by
/// rendering them again (the store keeps them due until synced).
pub fn write_unsynced(
    root: &Path,
    files: &[MirrorFile<'_>],
) -> (Unsynced, Vec<(String, std::io::Error)>) {
    let (staged, mut failed) = stage_all(root, files);
    let (placed, more) = place(root, staged);
    failed.extend(more);
    (placed, failed)
}

/// Files written by [`write_unsynced`], not yet flushed.
#[derive(Debug)]
pub struct Unsynced {
    root: PathBuf,
    dirs: BTreeSet<PathBuf>,
}

impl Unsynced {
    /// Flushes the files and their folders to disk.
    pub fn sync(self) {
        if self.dirs.is_empty() {
            return;
        }
        if let Err(err) = sync_filesystem(&self.root) {
            tracing::warn!(folder = %self.root.display(), "syncfs failed: {err}");
        }
        self.sync_folders();
    }

    fn sync_folders(self) {
        for dir in self.dirs {
            if let Err(err) = std::fs::File::open(&dir).and_then(|d| d.sync_all()) {
                tracing::warn!(folder = %dir.display(), "fsync failed: {err}");
            }
        }
    }
}

type Failures = Vec<(String, std::io::Error)>;

/// Writes every file to its temporary name: the pairs (temporary, target)
/// written, and the failures.
fn stage_all(root: &Path, files: &[MirrorFile<'_>]) -> (Vec<(PathBuf, PathBuf)>, Failures) {
    let mut failed = Vec::new();
    let mut staged = Vec::with_capacity(files.len());
    let written = par_map(files, |file| {
        let target = root.join(&file.rel);
        stage(&target, file.bytes, file.modified).map(|tmp| (tmp, target))
    });
    for (file, result) in files.iter().zip(written) {
        match result {
            Ok(pair) => staged.push(pair),
            Err(err) => failed.push((file.rel.clone(), err)),
        }
    }
    (staged, failed)
}

/// Renames staged files into place: the folders to sync, and the failures.
fn place(root: &Path, staged: Vec<(PathBuf, PathBuf)>) -> (Unsynced, Failures) {
    let mut failed = Vec::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for (tmp, target) in staged {
        if let Err(err) = std::fs::rename(&tmp, &target) {
            let _ = std::fs::remove_file(&tmp);
            failed.push((target.display().to_string(), err));
            continue;
        }
        if let Some(dir) = target.parent() {
            dirs.insert(dir.to_path_buf());
        }
    }
    let root = root.to_path_buf();
    (Unsynced { root, dirs }, failed)
}

/// Where a document with URL path `path` lives under the feeds folder:
/// `/` is `index.html`, everything else its path.
pub fn rel_of(path: &str) -> String {
    if path == "/" {
        "index.html".to_string()
    } else {
        path.trim_start_matches('/').to_string()
    }
}

/// Removes files under `root` (missing ones are fine); returns failures.
pub fn remove(root: &Path, rels: &[String]) -> Vec<(String, std::io::Error)> {
    let mut failed = Vec::new();
    for rel in rels {
        match std::fs::remove_file(root.join(rel)) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => failed.push((rel.clone(), err)),
        }
    }
    failed
}

/// Writes `bytes` to a temporary file beside `target` with `modified` as
/// its mtime; returns the temporary path.
fn stage(target: &Path, bytes: &[u8], modified: SystemTime) -> std::io::Result<PathBuf> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut name = target.as_os_str().to_owned();
    name.push(".tmp");
    let tmp = PathBuf::from(name);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.set_modified(modified)?;
    Ok(tmp)
}

/// Flushes the file system holding `root`: one call for the whole batch
/// instead of an `fsync` per file.
fn sync_filesystem(root: &Path) -> std::io::Result<()> {
    let dir = std::fs::File::open(root)?;
    rustix::fs::syncfs(&dir).map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn writes_with_mtime_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let files = [
            MirrorFile {
                rel: "feed.rss".into(),
                bytes: b"<rss/>",
                modified: when,
            },
            MirrorFile {
                rel: "items/ab.html".into(),
                bytes: b"<p>x</p>",
                modified: when,
            },
        ];
        assert!(write_batch(dir.path(), &files).is_empty());
        let page = dir.path().join("items/ab.html");
        assert_eq!(std::fs::read(&page).expect("read"), b"<p>x</p>");
        let mtime = std::fs::metadata(&page)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(mtime, when);
        let names: Vec<String> = std::fs::read_dir(dir.path().join("items"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["ab.html"]);
        assert!(remove(dir.path(), &["items/ab.html".into(), "nope".into()]).is_empty());
        assert!(!page.exists());
    }

    #[test]
    fn unsynced_files_are_in_place_before_the_sync() {
        let dir = tempfile::tempdir().expect("tempdir");
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let files = [MirrorFile {
            rel: "items/cd.html".into(),
            bytes: b"<p>y</p>",
            modified: when,
        }];
        let (unsynced, failed) = write_unsynced(dir.path(), &files);
        assert!(failed.is_empty());
        let page = dir.path().join("items/cd.html");
        assert_eq!(std::fs::read(&page).expect("read"), b"<p>y</p>");
        assert_eq!(unsynced.dirs.len(), 1);
        unsynced.sync();
        let names: Vec<String> = std::fs::read_dir(dir.path().join("items"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["cd.html"]);
    }
}
