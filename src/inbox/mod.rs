//! The inbox: which files are bulletins, when they are complete, and what
//! happens to rejected ones.
//!
//! Layout of the folder: files directly inside belong to the main channel;
//! each direct subfolder `NAME/` is the channel `NAME`. Deeper files, hidden
//! files, editor droppings and temporary names are ignored.
//!
//! [`Inbox::start`] scans the folder once (files that arrived while the
//! daemon was down), then watches it with `notify` and sends [`InboxEvent`]s
//! to the ingest task: a file is ready on close-after-write or rename into
//! place, else once it has settled (see [`settle`]). An inotify overflow or a
//! reload request rescans the whole folder.
//!
//! We take raw `notify` events rather than `notify-debouncer-full`'s: a
//! debouncer holds every event for its timeout, while inotify already tells
//! us the two things that matter at once (close-after-write, and renames,
//! paired by cookie), and [`settle`] covers writers that give neither.

pub mod quarantine;
pub mod settle;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::{mpsc, Notify};

use settle::{Observation, Settler};

/// A bulletin's place in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath {
    /// Channel: the subfolder name, or `""` for files directly in the inbox.
    pub channel: String,
    /// File name.
    pub name: String,
}

impl RelPath {
    /// `NAME` or `CHANNEL/NAME`: the key the store uses.
    pub fn key(&self) -> String {
        if self.channel.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.channel, self.name)
        }
    }

    /// Parses a store key back.
    pub fn from_key(key: &str) -> RelPath {
        match key.split_once('/') {
            Some((channel, name)) => RelPath {
                channel: channel.into(),
                name: name.into(),
            },
            None => RelPath {
                channel: String::new(),
                name: key.into(),
            },
        }
    }

    /// Where the file is under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        if self.channel.is_empty() {
            root.join(&self.name)
        } else {
            root.join(&self.channel).join(&self.name)
        }
    }
}

/// What the inbox tells the ingest task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxEvent {
    /// The file is complete: (re-)ingest it.
    Ready(RelPath),
    /// The file left the inbox.
    Gone(RelPath),
    /// A full scan found exactly these files; anything else is gone.
    Present(Vec<RelPath>),
}

/// Whether a file or folder name is one we never look at: hidden files,
/// editor droppings (`*~`, `#*#`, `.#*`, `*.swp`) and partial downloads or
/// temp files (`*.tmp`, `*.part`, `*.crdownload`), and names without an
/// extension (editors' probe files such as vim's `4913`).
pub fn is_ignored_name(name: &str, is_dir: bool) -> bool {
    if name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
    {
        return true;
    }
    if is_dir {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    const TEMP: [&str; 6] = [".tmp", ".part", ".crdownload", ".swp", ".swx", ".partial"];
    TEMP.iter().any(|ext| lower.ends_with(ext)) || !name.contains('.')
}

/// Maps a path under `root` to its [`RelPath`], or `None` if the path is
/// not a candidate bulletin (too deep, ignored, not UTF-8).
pub fn classify(root: &Path, path: &Path) -> Option<RelPath> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [name] if !is_ignored_name(name, false) => Some(RelPath {
            channel: String::new(),
            name: (*name).into(),
        }),
        [channel, name] if !is_ignored_name(channel, true) && !is_ignored_name(name, false) => {
            Some(RelPath {
                channel: (*channel).into(),
                name: (*name).into(),
            })
        }
        _ => None,
    }
}

/// Lists every candidate bulletin under `root` (one level of channels).
pub fn scan(root: &Path) -> std::io::Result<Vec<RelPath>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_file() {
            found.extend(classify(root, &path));
        } else if kind.is_dir() {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if is_ignored_name(name, true) {
                continue;
            }
            // A channel folder may vanish while we list it; skip it then.
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for inner in entries.flatten() {
                if inner.file_type().map(|t| t.is_file()).unwrap_or(false) {
                    found.extend(classify(root, &inner.path()));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

fn observe(path: &Path) -> Option<Observation> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| Observation {
        size: meta.len(),
        mtime: meta.modified().ok(),
    })
}

/// A running inbox watcher. Dropping it stops watching.
pub struct Inbox {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Inbox {
    /// Starts watching `root` and scans it once. Events go to `out`;
    /// `rescan` asks for a full rescan (reload).
    pub fn start(
        root: PathBuf,
        settle: Duration,
        out: mpsc::UnboundedSender<InboxEvent>,
        rescan: Arc<Notify>,
    ) -> notify::Result<Inbox> {
        let (raw_tx, raw_rx) = mpsc::unbounded_channel();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
            // The receiver only goes away at shutdown; nothing to do then.
            let _ = raw_tx.send(res);
        })?;
        watcher.watch(&root, RecursiveMode::Recursive)?;
        let task = tokio::spawn(watch_loop(root, settle, raw_rx, out, rescan));
        Ok(Inbox {
            _watcher: watcher,
            task,
        })
    }
}

/// The inbox task: turns raw notify events into [`InboxEvent`]s.
async fn watch_loop(
    root: PathBuf,
    settle: Duration,
    mut raw: mpsc::UnboundedReceiver<notify::Result<Event>>,
    out: mpsc::UnboundedSender<InboxEvent>,
    rescan: Arc<Notify>,
) {
    let mut settler = Settler::default();
    let tick_every = (settle / 5).max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    full_scan(&root, settle, &mut settler, &out);
    loop {
        tokio::select! {
            event = raw.recv() => {
                let Some(event) = event else { return };
                match event {
                    Ok(event) => handle(&root, settle, event, &mut settler, &out),
                    Err(err) => {
                        tracing::warn!(inbox = %root.display(), "watch error: {err}; rescanning");
                        full_scan(&root, settle, &mut settler, &out);
                    }
                }
            }
            _ = rescan.notified() => {
                tracing::info!(inbox = %root.display(), "rescanning inbox");
                full_scan(&root, settle, &mut settler, &out);
            }
            _ = tick.tick(), if !settler.is_empty() => {
                for path in settler.ready(Instant::now(), settle, observe) {
                    if let Some(rel) = classify(&root, &path) {
                        let _ = out.send(InboxEvent::Ready(rel));
                    }
                }
            }
        }
        if out.is_closed() {
            return;
        }
    }
}

/// Lists the inbox: old files are ready now, recent ones must settle first
/// (they may still be being written), and the listing itself tells the
/// ingest task which known files are gone.
fn full_scan(
    root: &Path,
    settle: Duration,
    settler: &mut Settler,
    out: &mpsc::UnboundedSender<InboxEvent>,
) {
    let found = match scan(root) {
        Ok(found) => found,
        Err(err) => {
            tracing::error!(inbox = %root.display(), "cannot list inbox: {err}");
            return;
        }
    };
    let now = std::time::SystemTime::now();
    for rel in &found {
        let path = rel.under(root);
        let quiet = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= settle);
        if quiet {
            let _ = out.send(InboxEvent::Ready(rel.clone()));
        } else {
            settler.touch(path, Instant::now());
        }
    }
    let _ = out.send(InboxEvent::Present(found));
}

fn handle(
    root: &Path,
    settle: Duration,
    event: Event,
    settler: &mut Settler,
    out: &mpsc::UnboundedSender<InboxEvent>,
) {
    if event.need_rescan() {
        tracing::warn!(inbox = %root.display(), "watch queue overflowed; rescanning");
        full_scan(root, settle, settler, out);
        return;
    }
    let now = Instant::now();
    let ready = |settler: &mut Settler, path: &Path| {
        settler.forget(path);
        if let Some(rel) = classify(root, path) {
            let _ = out.send(InboxEvent::Ready(rel));
        }
    };
    let gone = |settler: &mut Settler, path: &Path| {
        settler.forget(path);
        if let Some(rel) = classify(root, path) {
            let _ = out.send(InboxEvent::Gone(rel));
        }
    };
    // A channel folder created, moved in or out: list everything again.
    let is_channel_dir = |path: &Path| path.parent() == Some(root) && path.is_dir();
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            for p in &event.paths {
                ready(settler, p);
            }
        }
        EventKind::Create(CreateKind::Folder) => full_scan(root, settle, settler, out),
        EventKind::Create(_)
        | EventKind::Modify(
            ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Metadata(_) | ModifyKind::Other,
        ) => {
            for p in &event.paths {
                if is_channel_dir(p) {
                    full_scan(root, settle, settler, out);
                } else if classify(root, p).is_some() {
                    settler.touch(p.clone(), now);
                }
            }
        }
        EventKind::Modify(ModifyKind::Name(mode)) => {
            let (from, to): (Option<&PathBuf>, Option<&PathBuf>) = match mode {
                RenameMode::Both => (event.paths.first(), event.paths.get(1)),
                RenameMode::From => (event.paths.first(), None),
                RenameMode::To => (None, event.paths.first()),
                _ => match event.paths.first() {
                    Some(p) if p.exists() => (None, Some(p)),
                    other => (other, None),
                },
            };
            if let Some(p) = from {
                gone(settler, p);
                if p.parent() == Some(root) && classify(root, p).is_none() {
                    // Perhaps a channel folder moved away.
                    full_scan(root, settle, settler, out);
                }
            }
            if let Some(p) = to {
                if is_channel_dir(p) {
                    full_scan(root, settle, settler, out);
                } else {
                    ready(settler, p);
                }
            }
        }
        EventKind::Remove(_) => {
            for p in &event.paths {
                gone(settler, p);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        for (name, dir, ignored) in [
            ("page.txt", false, false),
            ("2022-12-09.md", false, false),
            (".page.txt.swp", false, true),
            ("page.txt~", false, true),
            ("#page.txt#", false, true),
            (".#page.txt", false, true),
            ("upload.json.part", false, true),
            ("x.TMP", false, true),
            ("4913", false, true),
            ("江海", true, false),
            (".git", true, true),
        ] {
            assert_eq!(is_ignored_name(name, dir), ignored, "{name}");
        }
    }

    #[test]
    fn classify_by_depth() {
        let root = Path::new("/in");
        let rel = |c: &str, n: &str| {
            Some(RelPath {
                channel: c.into(),
                name: n.into(),
            })
        };
        assert_eq!(classify(root, Path::new("/in/a.txt")), rel("", "a.txt"));
        assert_eq!(classify(root, Path::new("/in/ch/a.md")), rel("ch", "a.md"));
        assert_eq!(classify(root, Path::new("/in/ch/deep/a.md")), None);
        assert_eq!(classify(root, Path::new("/in/.hidden/a.md")), None);
        assert_eq!(classify(root, Path::new("/elsewhere/a.md")), None);
        assert_eq!(
            RelPath::from_key("ch/a.md"),
            rel("ch", "a.md").expect("some")
        );
        assert_eq!(RelPath::from_key("a.md").key(), "a.md");
    }

    #[test]
    fn scan_lists_main_and_channel_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("ch/deeper")).expect("mkdir");
        for f in [
            "a.txt",
            ".hidden.txt",
            "ch/b.md",
            "ch/deeper/c.md",
            "ch/d.json.tmp",
        ] {
            std::fs::write(root.join(f), "x").expect("write");
        }
        let keys: Vec<String> = scan(root).expect("scan").iter().map(RelPath::key).collect();
        assert_eq!(keys, ["a.txt", "ch/b.md"]);
    }
}
