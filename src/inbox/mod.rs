//! The inbox: which files are bulletins, when they are complete, and what
//! happens to rejected ones.
//!
//! Layout of the folder: files directly inside belong to the main channel;
//! each direct subfolder `NAME/` is the channel `NAME`. Deeper folders,
//! hidden files, editor droppings, temporary names, and anything that is not
//! a regular file (symbolic links, FIFOs, sockets, devices) are never read;
//! each is logged once.
//!
//! [`Inbox::start`] runs the inbox thread ([`watch`]): it scans the folder
//! once (files that arrived while the daemon was down), then follows it
//! with `notify` and sends [`InboxEvent`]s to the ingest task. When a file
//! is complete is decided by [`tracker`]; [`names`] says what a name is;
//! [`read`] reads a file without following links; [`quarantine`] moves
//! rejected files aside.
//!
//! We take raw `notify` events rather than `notify-debouncer-full`'s: a
//! debouncer holds every event for its timeout, while inotify already tells
//! us the two things that matter at once (close-after-write, and renames,
//! paired by cookie).

pub mod names;
pub mod quarantine;
pub mod read;
pub mod tracker;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use notify::Event;

pub use names::{channel_refusal, is_ignored_name};

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
    /// The file was renamed within its channel folder.
    Renamed {
        /// The old place.
        from: RelPath,
        /// The new place.
        to: RelPath,
    },
    /// A channel folder exists.
    ChannelPresent(String),
    /// A channel folder was removed or moved away.
    ChannelGone(String),
    /// A channel folder was renamed.
    ChannelRenamed {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A full scan found exactly these channels and files; anything else
    /// is gone. Sent before the scan's `Ready` events.
    Present {
        /// Channel folders.
        channels: Vec<String>,
        /// Candidate bulletins (complete or not yet).
        files: Vec<RelPath>,
    },
    /// A full scan is over: every file it found complete was sent before
    /// this (files still settling follow later).
    Scanned,
}

/// Requests to the inbox thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// List the whole inbox again (reload).
    Rescan,
    /// Stop watching.
    Stop,
}

/// A running inbox thread. Dropping it stops the thread.
pub struct Inbox {
    control: Sender<watch::Input>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Inbox {
    /// Starts the inbox thread on `root`: it scans once, then watches.
    /// Events go to `out` (a queue of anything an [`InboxEvent`] converts
    /// into, so that the ingest task can take other work on the same queue).
    pub fn start<W: From<InboxEvent> + Send + 'static>(
        root: PathBuf,
        settle: Duration,
        out: Sender<W>,
    ) -> notify::Result<Inbox> {
        let (tx, rx) = mpsc::channel();
        let raw = tx.clone();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
            // The receiver only goes away at shutdown; nothing to do then.
            let _ = raw.send(watch::Input::Raw(res));
        })?;
        notify::Watcher::watch(&mut watcher, &root, notify::RecursiveMode::NonRecursive)?;
        let state = watch::WatchLoop::new(root, settle, watcher, out);
        let thread = std::thread::Builder::new()
            .name("inbox".into())
            .spawn(move || state.run(rx))
            .map_err(notify::Error::io)?;
        Ok(Inbox {
            control: tx,
            thread: Some(thread),
        })
    }

    /// Asks for a full rescan.
    pub fn rescan(&self) {
        self.rescanner().rescan();
    }

    /// A handle that asks for rescans from another thread.
    pub fn rescanner(&self) -> Rescanner {
        Rescanner(self.control.clone())
    }
}

/// Asks the inbox thread for full rescans.
#[derive(Clone)]
pub struct Rescanner(Sender<watch::Input>);

impl Rescanner {
    /// Asks for a full rescan (ignored once the inbox thread is gone).
    pub fn rescan(&self) {
        let _ = self.0.send(watch::Input::Control(Control::Rescan));
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let _ = self.control.send(watch::Input::Control(Control::Stop));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let rel = RelPath {
            channel: "ch".into(),
            name: "a.md".into(),
        };
        assert_eq!(RelPath::from_key("ch/a.md"), rel);
        assert_eq!(rel.key(), "ch/a.md");
        assert_eq!(RelPath::from_key("a.md").key(), "a.md");
        assert_eq!(rel.under(Path::new("/in")), PathBuf::from("/in/ch/a.md"));
    }
}
