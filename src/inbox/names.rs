//! Which names in the inbox are bulletins and channels: ignored names
//! (hidden files, editor droppings, temporary files) and channel names that
//! cannot be served.

use std::path::Path;

use super::RelPath;

/// Channel names that would collide with the daemon's own paths.
const RESERVED_CHANNELS: [&str; 4] = ["items", "healthz", "metrics", "websub"];

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

/// Why a folder name cannot be a channel, or `None` if it can: its feeds
/// must have a URL that routes back to it.
pub fn channel_refusal(name: &str) -> Option<&'static str> {
    if name.contains("..") {
        Some("contains `..`, which no URL can carry")
    } else if name.contains('\\') || name.contains('%') {
        Some("contains `\\` or `%`")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if RESERVED_CHANNELS.contains(&name) {
        Some("is one of the daemon's own paths")
    } else {
        None
    }
}

/// What a path under `root` is to the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A candidate bulletin.
    File(RelPath),
    /// A channel folder directly in the inbox.
    Channel(String),
    /// Something never looked at (with the reason, for the log), or
    /// nothing at all (`None`: an ignored name, not worth a word).
    Ignored(Option<String>),
}

/// Classifies `path` (under `root`) by its place and name alone; whether it
/// is a file or folder is given by `is_dir`.
pub fn classify(root: &Path, path: &Path, is_dir: bool) -> Place {
    let Ok(rel) = path.strip_prefix(root) else {
        return Place::Ignored(None);
    };
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let Some(parts) = parts else {
        return Place::Ignored(Some("name is not UTF-8".into()));
    };
    match (parts.as_slice(), is_dir) {
        ([name], false) if !is_ignored_name(name, false) => Place::File(RelPath {
            channel: String::new(),
            name: (*name).into(),
        }),
        ([name], true) if !is_ignored_name(name, true) => match channel_refusal(name) {
            None => Place::Channel((*name).into()),
            Some(why) => Place::Ignored(Some(format!("channel folder name {why}"))),
        },
        ([channel, name], false)
            if !is_ignored_name(channel, true)
                && channel_refusal(channel).is_none()
                && !is_ignored_name(name, false) =>
        {
            Place::File(RelPath {
                channel: (*channel).into(),
                name: (*name).into(),
            })
        }
        ([channel, name], true)
            if !is_ignored_name(channel, true) && !is_ignored_name(name, true) =>
        {
            Place::Ignored(Some("folders inside a channel folder are not read".into()))
        }
        _ => Place::Ignored(None),
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
            ("a.b", true, false),
            (".git", true, true),
        ] {
            assert_eq!(is_ignored_name(name, dir), ignored, "{name}");
        }
    }

    #[test]
    fn classify_by_place() {
        let root = Path::new("/in");
        let file = |c: &str, n: &str| {
            Place::File(RelPath {
                channel: c.into(),
                name: n.into(),
            })
        };
        let cases: Vec<(&str, bool, Place)> = vec![
            ("/in/a.txt", false, file("", "a.txt")),
            ("/in/ch/a.md", false, file("ch", "a.md")),
            ("/in/ch", true, Place::Channel("ch".into())),
            ("/in/a.b", true, Place::Channel("a.b".into())),
            (
                "/in/a..b",
                true,
                Place::Ignored(Some(
                    "channel folder name contains `..`, which no URL can carry".into(),
                )),
            ),
            ("/in/a..b/x.md", false, Place::Ignored(None)),
            (
                "/in/items",
                true,
                Place::Ignored(Some(
                    "channel folder name is one of the daemon's own paths".into(),
                )),
            ),
            (
                "/in/ch/deep",
                true,
                Place::Ignored(Some("folders inside a channel folder are not read".into())),
            ),
            ("/in/ch/deep/a.md", false, Place::Ignored(None)),
            ("/in/.hidden/a.md", false, Place::Ignored(None)),
            ("/in/.x.md.tmp", false, Place::Ignored(None)),
            ("/elsewhere/a.md", false, Place::Ignored(None)),
        ];
        for (path, is_dir, want) in cases {
            assert_eq!(classify(root, Path::new(path), is_dir), want, "{path}");
        }
        assert_eq!(
            channel_refusal("ctl\u{7}x"),
            Some("contains a control character")
        );
    }
}
