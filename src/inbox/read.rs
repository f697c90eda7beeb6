//! Reading a bulletin file without following anything out of the inbox: the
//! file is opened without following a symbolic link and without blocking on
//! a FIFO, and only a regular file is read, checked on the open descriptor
//! so that nothing can be swapped in between the check and the read.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// It is not there (any more).
    #[error("no such file")]
    NotFound,
    /// It is a symbolic link, FIFO, socket, device or folder: never read.
    #[error("not a regular file but a {0}")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("file too large ({size} bytes; the limit is {limit})")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// It could not be opened or read (permissions, I/O).
    #[error("cannot read: {0}")]
    Io(std::io::Error),
}

/// Reads the regular file at `path`, at most `max_bytes` long.
pub fn read_bulletin(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let file = open(path)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte over the limit tells a file that grew since the check.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

fn open(path: &Path) -> Result<File, ReadError> {
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let result = OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(flags.bits()).unwrap_or(0))
        .open(path);
    match result {
        Ok(file) => Ok(file),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(ReadError::NotFound),
        // O_NOFOLLOW on a symbolic link fails with ELOOP.
        Err(err) if err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            Err(ReadError::NotRegular("symbolic link"))
        }
        Err(err) => Err(ReadError::Io(err)),
    }
}

/// A file type in words, for the log.
pub fn kind_of(t: &std::fs::FileType) -> &'static str {
    if t.is_symlink() {
        "symbolic link"
    } else if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else if t.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, "root:x:0:0").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&secret, &link).expect("symlink");
        let fifo = dir.path().join("fifo.txt");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .expect("mkfifo");
        assert_eq!(read_bulletin(&secret, 100).expect("read"), b"root:x:0:0");
        assert!(matches!(
            read_bulletin(&link, 100),
            Err(ReadError::NotRegular("symbolic link"))
        ));
        assert!(matches!(
            read_bulletin(&fifo, 100),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_bulletin(dir.path(), 100),
            Err(ReadError::NotRegular("folder"))
        ));
        assert!(matches!(
            read_bulletin(&dir.path().join("nope"), 100),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(
            read_bulletin(&secret, 3),
            Err(ReadError::TooLarge { size: 10, limit: 3 })
        ));
    }
}
