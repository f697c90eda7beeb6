//! The inbox thread: turns raw `notify` events and scans into
//! [`InboxEvent`]s, incrementally.
//!
//! The inbox folder and each channel folder are watched on their own (not
//! recursively), so the thread knows exactly which folders are channels. A
//! rename is paired by its cookie: within a folder it is a rename, between
//! two channel folders a removal and a new file, into or out of the inbox a
//! new file or a removal; renaming a temporary file into place is a new
//! file. Only an overflowed event queue, a reload, or a new channel folder
//! (that folder alone) cause a scan. Everything here runs on its own thread,
//! so its file-system calls never block the async runtime.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use super::names::{classify, Place};
use super::read::kind_of;
use super::tracker::{Observation, Tracker};
use super::{Control, InboxEvent, RelPath};

/// How a path came to be in the inbox.
#[derive(Clone, Copy)]
enum Arrival {
    /// Created there: complete once its writer closes it (or it settles).
    Created(Instant),
    /// Renamed in: complete as it is.
    MovedIn,
}

/// What the thread receives: notify's events and the daemon's requests.
pub(super) enum Input {
    /// A raw event (or watch error) from notify.
    Raw(notify::Result<Event>),
    /// A request from the daemon.
    Control(Control),
}

/// The watcher's state; its events go out as `W`s.
pub(super) struct WatchLoop<W> {
    root: PathBuf,
    settle: Duration,
    watcher: notify::RecommendedWatcher,
    out: Sender<W>,
    tracker: Tracker,
    /// Channel folders being watched.
    channels: BTreeSet<String>,
    /// The first half of a rename, waiting for its second.
    rename_from: Option<(usize, PathBuf)>,
    /// Paths already logged as ignored, so each is logged once.
    logged: HashSet<PathBuf>,
    /// Set once the ingest side stopped listening.
    disconnected: bool,
}

impl<W: From<InboxEvent>> WatchLoop<W> {
    pub(super) fn new(
        root: PathBuf,
        settle: Duration,
        watcher: notify::RecommendedWatcher,
        out: Sender<W>,
    ) -> WatchLoop<W> {
        WatchLoop {
            root,
            settle,
            watcher,
            out,
            tracker: Tracker::new(settle),
            channels: BTreeSet::new(),
            rename_from: None,
            logged: HashSet::new(),
            disconnected: false,
        }
    }

    /// Scans once, then handles events until told to stop or the ingest
    /// side goes away.
    pub(super) fn run(mut self, input: Receiver<Input>) {
        let tick = (self.settle / 5).clamp(Duration::from_millis(10), Duration::from_millis(100));
        self.full_scan();
        loop {
            let wait = if self.tracker.is_idle() && self.rename_from.is_none() {
                Duration::from_secs(3600)
            } else {
                tick
            };
            match input.recv_timeout(wait) {
                Ok(Input::Raw(Ok(event))) => self.handle(event),
                Ok(Input::Raw(Err(err))) => {
                    tracing::warn!(inbox = %self.root.display(), "watch error: {err}; rescanning");
                    self.tracker.events_lost(Instant::now());
                    self.full_scan();
                }
                Ok(Input::Control(Control::Rescan)) => {
                    tracing::info!(inbox = %self.root.display(), "rescanning the inbox");
                    self.full_scan();
                }
                Ok(Input::Control(Control::Stop)) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => self.flush_rename(),
            }
            self.tick();
            if self.disconnected {
                return;
            }
        }
    }

    fn send(&mut self, event: InboxEvent) {
        // The receiver only goes away at shutdown: then stop.
        if self.out.send(event.into()).is_err() {
            self.disconnected = true;
        }
    }

    fn tick(&mut self) {
        let decided = self.tracker.tick(Instant::now(), observe);
        for path in decided.ready {
            if let Place::File(rel) = classify(&self.root, &path, false) {
                self.send(InboxEvent::Ready(rel));
            }
        }
        for path in decided.gone {
            if let Place::File(rel) = classify(&self.root, &path, false) {
                self.send(InboxEvent::Gone(rel));
            }
        }
    }

    /// Lists the whole inbox (start, reload, lost events): tells the ingest
    /// side what exists, then which files are ready now.
    fn full_scan(&mut self) {
        // Watch every channel folder before listing its files: a file that
        // lands between the listing and the watch would be seen by neither.
        let (found, _) = self.list(None);
        for name in &found {
            self.watch_channel(name);
        }
        let (channels, files) = self.list(None);
        for name in &channels {
            // A folder made since the first listing; its creation event
            // follows too, and a second watch is a no-op.
            self.watch_channel(name);
        }
        let stale: Vec<String> = self.channels.difference(&channels).cloned().collect();
        for name in stale {
            self.unwatch_channel(&name);
        }
        self.send(InboxEvent::Present {
            channels: channels.iter().cloned().collect(),
            files: files.clone(),
        });
        self.offer(files);
        self.send(InboxEvent::Scanned);
    }

    /// Lists one channel folder that just appeared.
    fn scan_channel(&mut self, name: &str) {
        let (_, files) = self.list(Some(name));
        self.offer(files);
    }

    /// Files found by a scan: old ones are ready, recent ones must settle.
    fn offer(&mut self, files: Vec<RelPath>) {
        let now = SystemTime::now();
        for rel in files {
            let path = rel.under(&self.root);
            if self.tracker.is_writing(&path) {
                continue;
            }
            let quiet = std::fs::symlink_metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= self.settle);
            if quiet {
                self.tracker.completed(&path);
                self.send(InboxEvent::Ready(rel));
            } else {
                self.tracker.discovered(path, Instant::now());
            }
        }
    }

    /// The channel folders and candidate files under the inbox (or one
    /// channel), logging once everything that is skipped and why.
    fn list(&mut self, only: Option<&str>) -> (BTreeSet<String>, Vec<RelPath>) {
        let mut channels = BTreeSet::new();
        let mut files = Vec::new();
        let folders: Vec<PathBuf> = match only {
            Some(name) => vec![self.root.join(name)],
            None => vec![self.root.clone()],
        };
        let mut queue = folders;
        while let Some(dir) = queue.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(err) => {
                    if dir == self.root {
                        tracing::error!(inbox = %self.root.display(), "cannot list the inbox: {err}");
                    }
                    continue;
                }
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                match classify(&self.root, &path, kind.is_dir()) {
                    Place::File(rel) if kind.is_file() => files.push(rel),
                    Place::File(_) => {
                        self.ignore(&path, &format!("a {}, not a regular file", kind_of(&kind)))
                    }
                    Place::Channel(name) => {
                        channels.insert(name);
                        queue.push(path);
                    }
                    Place::Ignored(Some(why)) => self.ignore(&path, &why),
                    Place::Ignored(None) => {}
                }
            }
        }
        files.sort();
        (channels, files)
    }

    /// Logs once that `path` is not read, and why.
    fn ignore(&mut self, path: &Path, why: &str) {
        if self.logged.insert(path.to_path_buf()) {
            tracing::warn!(path = %path.display(), "ignored: {why}");
        }
    }

    fn watch_channel(&mut self, name: &str) {
        if self.channels.contains(name) {
            return;
        }
        let dir = self.root.join(name);
        match self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
            Ok(()) => {
                self.channels.insert(name.to_string());
                self.send(InboxEvent::ChannelPresent(name.to_string()));
            }
            Err(err) => tracing::error!(channel = name, "cannot watch {}: {err}", dir.display()),
        }
    }

    fn unwatch_channel(&mut self, name: &str) {
        if self.channels.remove(name) {
            let dir = self.root.join(name);
            // The folder is gone or moved: its watch may already be gone too.
            let _ = self.watcher.unwatch(&dir);
            self.tracker.forget_under(&dir);
            self.send(InboxEvent::ChannelGone(name.to_string()));
        }
    }

    fn handle(&mut self, event: Event) {
        tracing::trace!(target: "bulletind::inbox::events", "{:?} {:?} {:?}", event.kind, event.paths, event.attrs.tracker());
        if event.need_rescan() {
            tracing::warn!(inbox = %self.root.display(), "watch queue overflowed; rescanning");
            self.tracker.events_lost(Instant::now());
            self.full_scan();
            return;
        }
        let is_second_half = matches!(
            event.kind,
            EventKind::Modify(ModifyKind::Name(RenameMode::To))
        ) && self.rename_from.as_ref().map(|(c, _)| Some(*c))
            == Some(event.attrs.tracker());
        if !is_second_half {
            self.flush_rename();
        }
        let now = Instant::now();
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for path in &event.paths {
                    self.complete(path);
                }
            }
            EventKind::Create(kind) => {
                for path in &event.paths {
                    self.created(path, kind == CreateKind::Folder, now);
                }
            }
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Other) => {
                for path in &event.paths {
                    if self.is_file_place(path) {
                        self.tracker.written(path.clone());
                    }
                }
            }
            EventKind::Modify(ModifyKind::Metadata(_)) => {
                // A permission fix or a touch: look again once it is quiet.
                for path in &event.paths {
                    if self.is_file_place(path) {
                        self.tracker.appeared(path.clone(), now);
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                if let Some(path) = event.paths.first() {
                    self.rename_from = event.attrs.tracker().map(|c| (c, path.clone()));
                    if self.rename_from.is_none() {
                        self.moved_out(path, now);
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                if let Some(to) = event.paths.first() {
                    match self.rename_from.take() {
                        Some((_, from)) if is_second_half => self.renamed(&from, to, now),
                        _ => self.moved_in(to),
                    }
                }
            }
            EventKind::Remove(kind) => {
                for path in &event.paths {
                    self.removed(path, kind == RemoveKind::Folder, now);
                }
            }
            _ => {}
        }
    }

    /// A rename whose second half never came: the thing moved out.
    fn flush_rename(&mut self) {
        if let Some((_, from)) = self.rename_from.take() {
            self.moved_out(&from, Instant::now());
        }
    }

    fn is_file_place(&self, path: &Path) -> bool {
        matches!(classify(&self.root, path, false), Place::File(_))
    }

    fn complete(&mut self, path: &Path) {
        if let Place::File(rel) = classify(&self.root, path, false) {
            self.tracker.completed(path);
            self.send(InboxEvent::Ready(rel));
        }
    }

    fn created(&mut self, path: &Path, is_dir: bool, now: Instant) {
        self.arrived(path, is_dir, Arrival::Created(now));
    }

    fn moved_in(&mut self, path: &Path) {
        let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        self.arrived(path, is_dir, Arrival::MovedIn);
    }

    /// Something appeared at `path`: a channel folder is watched and
    /// scanned (files may have arrived before the watch did); a regular
    /// file is tracked until complete (created) or complete now (renamed
    /// in); anything else is ignored with the reason logged.
    fn arrived(&mut self, path: &Path, is_dir: bool, how: Arrival) {
        match classify(&self.root, path, is_dir) {
            Place::Channel(name) => {
                self.watch_channel(&name);
                self.scan_channel(&name);
            }
            Place::File(_) => match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.file_type().is_file() => match how {
                    Arrival::Created(now) => self.tracker.appeared(path.to_path_buf(), now),
                    Arrival::MovedIn => self.complete(path),
                },
                Ok(meta) => self.ignore(
                    path,
                    &format!("a {}, not a regular file", kind_of(&meta.file_type())),
                ),
                Err(_) => {}
            },
            Place::Ignored(Some(why)) => self.ignore(path, &why),
            Place::Ignored(None) => {}
        }
    }

    fn moved_out(&mut self, path: &Path, now: Instant) {
        if let Some(name) = self.channel_at(path) {
            self.unwatch_channel(&name);
        } else if self.is_file_place(path) {
            self.tracker.vanished(path.to_path_buf(), now);
        }
    }

    fn removed(&mut self, path: &Path, is_dir: bool, now: Instant) {
        if is_dir || self.channel_at(path).is_some() {
            if let Some(name) = self.channel_at(path) {
                self.unwatch_channel(&name);
            }
        } else if self.is_file_place(path) {
            self.tracker.vanished(path.to_path_buf(), now);
        }
    }

    /// Both halves of a rename within watched folders.
    fn renamed(&mut self, from: &Path, to: &Path, now: Instant) {
        if let Some(old) = self.channel_at(from) {
            let is_dir = std::fs::symlink_metadata(to).is_ok_and(|m| m.is_dir());
            if let Place::Channel(new) = classify(&self.root, to, is_dir) {
                let _ = self.watcher.unwatch(&self.root.join(&old));
                self.channels.remove(&old);
                self.tracker.forget_under(&self.root.join(&old));
                match self.watcher.watch(to, RecursiveMode::NonRecursive) {
                    Ok(()) => {
                        self.channels.insert(new.clone());
                        self.send(InboxEvent::ChannelRenamed {
                            from: old,
                            to: new.clone(),
                        });
                    }
                    Err(err) => {
                        tracing::error!(
                            channel = new.as_str(),
                            "cannot watch {}: {err}",
                            to.display()
                        );
                        self.send(InboxEvent::ChannelGone(old));
                    }
                }
                self.scan_channel(&new);
            } else {
                self.unwatch_channel(&old);
            }
            return;
        }
        let source = classify(&self.root, from, false);
        let target = classify(&self.root, to, false);
        match (source, target) {
            (Place::File(a), Place::File(b)) if a.channel == b.channel => {
                self.tracker.completed(from);
                self.tracker.completed(to);
                self.send(InboxEvent::Renamed { from: a, to: b });
            }
            (source, _) => {
                if matches!(source, Place::File(_)) {
                    self.tracker.vanished(from.to_path_buf(), now);
                }
                self.moved_in(to);
            }
        }
    }

    /// The channel whose folder is exactly `path`, if it is one.
    fn channel_at(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let name = rel.to_str()?;
        self.channels.contains(name).then(|| name.to_string())
    }
}

fn observe(path: &Path) -> Option<Observation> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.file_type().is_file().then(|| Observation {
        size: meta.len(),
        mtime: meta.modified().ok(),
    })
}
