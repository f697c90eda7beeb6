//! Where connections come from: listening sockets passed by systemd
//! (socket activation, `LISTEN_FDS`/`LISTEN_FDNAMES`), else the configured
//! `--listen` address, bound here.
//!
//! With a `.socket` unit (`FileDescriptorName=http`) the daemon uses the
//! descriptors named `http`; when none carries that name (for example
//! `systemd-socket-activate` without `--fdname`) it uses every inherited
//! TCP listening socket. Anything else passed is logged and left alone.

use std::net::{SocketAddr, TcpListener};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use anyhow::Context;

/// The name our `.socket` unit gives its listening socket.
pub const FD_NAME: &str = "http";

/// Listening sockets systemd passed to this process, in order. Call it
/// once, before any thread is started: it reads and clears `LISTEN_PID`,
/// `LISTEN_FDS` and `LISTEN_FDNAMES`, so that no child inherits them.
pub fn inherited() -> anyhow::Result<Vec<TcpListener>> {
    let passed: Vec<(RawFd, String)> = sd_notify::listen_fds_with_names(true)
        .context("reading LISTEN_FDS / LISTEN_FDNAMES")?
        .collect();
    let named: Vec<&(RawFd, String)> = passed.iter().filter(|(_, n)| n == FD_NAME).collect();
    let chosen: Vec<&(RawFd, String)> = if named.is_empty() {
        passed.iter().collect()
    } else {
        named
    };
    let mut listeners = Vec::new();
    for (fd, name) in &passed {
        let wanted = chosen.iter().any(|(c, _)| c == fd);
        // SAFETY: systemd passes these descriptors to this process alone
        // (LISTEN_PID matched and the variables are now cleared), nothing
        // else in the process refers to them, and each is wrapped once.
        let owned = unsafe { OwnedFd::from_raw_fd(*fd) };
        if !wanted {
            tracing::warn!(
                fd,
                name = name.as_str(),
                "ignoring an inherited socket not named {FD_NAME:?}"
            );
            continue;
        }
        match listening_tcp(owned) {
            Ok(listener) => listeners.push(listener),
            Err(why) => tracing::warn!(
                fd,
                name = name.as_str(),
                "ignoring an inherited descriptor: {why}"
            ),
        }
    }
    Ok(listeners)
}

/// An inherited descriptor as a non-blocking TCP listener, if it is one.
fn listening_tcp(fd: OwnedFd) -> Result<TcpListener, String> {
    use rustix::net::sockopt;
    let kind = sockopt::socket_type(&fd).map_err(|e| format!("not a socket ({e})"))?;
    if kind != rustix::net::SocketType::STREAM {
        return Err("not a stream socket".into());
    }
    if !sockopt::socket_acceptconn(&fd).unwrap_or(false) {
        return Err("not listening (Accept=yes is not supported)".into());
    }
    let listener = TcpListener::from(fd);
    let addr = listener
        .local_addr()
        .map_err(|e| format!("not a TCP socket ({e})"))?;
    if !matches!(addr, SocketAddr::V4(_) | SocketAddr::V6(_)) {
        return Err("not a TCP socket".into());
    }
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot make it non-blocking: {e}"))?;
    Ok(listener)
}

/// Binds `addr` (the `--listen` address) with `SO_REUSEADDR` and a listen
/// backlog of [`BACKLOG`] (the kernel caps it at `net.core.somaxconn`), the
/// same as the `.socket` unit's `Backlog=`, so a burst of new clients waits
/// in the kernel rather than having its SYNs dropped and retried a second
/// later.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    };
    let listener = socket
        .and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(BACKLOG)
        })
        .with_context(|| format!("binding {addr}"))?;
    Ok(listener)
}

/// Pending connections the kernel may queue before `accept`.
pub const BACKLOG: u32 = 4096;

/// Makes inherited listeners usable by tokio (inside the runtime).
pub fn adopt(listeners: Vec<TcpListener>) -> anyhow::Result<Vec<tokio::net::TcpListener>> {
    listeners
        .into_iter()
        .map(|l| tokio::net::TcpListener::from_std(l).context("registering an inherited socket"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::net::TcpStream;
    use std::time::Duration;

    /// With a backlog of 128 (the std and mio default) the 130th connect
    /// to a listener that has not accepted yet has its SYN dropped and
    /// times out; with ours the kernel queues them all.
    #[tokio::test]
    async fn a_burst_of_connects_waits_in_the_kernel() {
        let listener = super::bind("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local address");
        let mut queued = Vec::new();
        for n in 0..600 {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
                Ok(stream) => queued.push(stream),
                Err(err) => panic!("connect {n} before any accept: {err}"),
            }
        }
        assert_eq!(queued.len(), 600);
    }
}
