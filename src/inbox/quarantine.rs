//! Moving rejected bulletins out of the inbox, never deleting them.
//!
//! The file keeps its name (plus `.1`, `.2` … if that name is taken) under
//! the quarantine folder, in a subfolder for its channel, and a sidecar
//! `NAME.reason.txt` says why it was rejected and when. The sidecar is
//! written first and the file moved last, so a crash in between leaves the
//! file in the inbox (to be quarantined again), never a file without its
//! reason.

use std::io;
use std::path::{Path, PathBuf};

use super::RelPath;

/// Moves `rel` from `inbox` to `quarantine` and writes the reason beside it.
/// Returns the file's new path.
pub fn quarantine(
    inbox: &Path,
    quarantine: &Path,
    rel: &RelPath,
    reason: &str,
) -> io::Result<PathBuf> {
    let from = rel.under(inbox);
    let dir = if rel.channel.is_empty() {
        quarantine.to_path_buf()
    } else {
        quarantine.join(&rel.channel)
    };
    std::fs::create_dir_all(&dir)?;
    let to = free_name(&dir, &rel.name);
    let mut sidecar = to.clone().into_os_string();
    sidecar.push(".reason.txt");
    let when = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    std::fs::write(
        &sidecar,
        format!("file: {}\nrejected: {when}\nreason: {reason}\n", rel.key()),
    )?;
    if let Err(err) = std::fs::rename(&from, &to) {
        // Another file system (EXDEV): copy, sync, and only then unlink.
        if err.raw_os_error() != Some(rustix::io::Errno::XDEV.raw_os_error()) {
            return Err(err);
        }
        std::fs::copy(&from, &to)?;
        std::fs::File::open(&to)?.sync_all()?;
        std::fs::remove_file(&from)?;
    }
    Ok(to)
}

/// Checks at start-up that `dir` exists (creating it) and is writable.
pub fn check_folder(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".bulletind-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// `dir/name`, or `dir/name.N` for the first N that is free.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    (1u32..)
        .map(|n| dir.join(format!("{name}.{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_with_sidecar_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inbox = dir.path().join("inbox");
        let q = dir.path().join("quarantine");
        std::fs::create_dir_all(inbox.join("ch")).expect("mkdir");
        let rel = RelPath {
            channel: "ch".into(),
            name: "bad.txt".into(),
        };
        for round in 0..2 {
            std::fs::write(rel.under(&inbox), format!("v{round}")).expect("write");
            let to = quarantine(&inbox, &q, &rel, "empty file").expect("quarantine");
            assert!(!rel.under(&inbox).exists());
            assert_eq!(
                std::fs::read_to_string(&to).expect("read"),
                format!("v{round}")
            );
            let reason =
                std::fs::read_to_string(format!("{}.reason.txt", to.display())).expect("sidecar");
            assert!(
                reason.contains("reason: empty file") && reason.contains("file: ch/bad.txt"),
                "{reason}"
            );
        }
        assert!(q.join("ch/bad.txt.1").exists());
    }
}
