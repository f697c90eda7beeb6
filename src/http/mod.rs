//! The HTTP server: accepts connections, serves the prepared
//! [`Entity`](crate::render::Entity)s of the latest
//! [`Published`] snapshot, and drains gracefully on shutdown.
//!
//! One file per concern: [`routes`] (path → route, traversal refused),
//! [`encoding`] (Accept-Encoding), [`conditional`] (RFC 9110 preconditions,
//! a pure function), [`service`] (one request → one response). This module
//! holds the accept loop: the connection limit, `TCP_NODELAY`, hyper's
//! header-read timeout and the graceful drain.

pub mod conditional;
pub mod encoding;
pub mod routes;
pub mod service;

use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::metrics::Metrics;
use crate::render::Latest;

/// Pause after a failed `accept` (for example out of file descriptors)
/// before trying again, so the loop does not spin while the cause lasts.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Server tunables, validated by the configuration.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// `Cache-Control: public, max-age=N` on feeds and pages, in seconds.
    pub max_age: u32,
    /// Connections served at once. Past the limit the server stops
    /// accepting until one closes: new clients wait in the kernel's listen
    /// backlog instead of being refused.
    pub max_connections: usize,
    /// A client must send a complete request head within this time (also
    /// bounds how long an idle keep-alive connection is kept).
    pub header_read_timeout: Duration,
    /// After shutdown, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
    /// The feeds folder, where permalink pages are served from.
    pub feeds_dir: PathBuf,
}

/// Serves `published` on `listener` until `shutdown` resolves, then stops
/// accepting, lets in-flight requests finish (idle keep-alive connections
/// are closed at once) for at most `opts.drain_timeout`, and returns.
///
/// Over `opts.max_connections` the loop waits for a connection to close
/// before accepting another one. Accept errors are logged and retried after
/// a short pause; they do not stop the server.
pub async fn serve(
    listener: TcpListener,
    published: Latest,
    metrics: Arc<Metrics>,
    health: service::Health,
    opts: HttpOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let shared = Arc::new(service::Shared::new(
        published,
        metrics,
        opts.max_age,
        opts.feeds_dir.clone(),
        health,
    ));
    let permits = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);

    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed; if it were, stop serving.
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
        };
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "set_nodelay failed");
        }
        let shared = Arc::clone(&shared);
        let service = service_fn(move |request| {
            let shared = Arc::clone(&shared);
            async move { Ok::<_, Infallible>(service::respond(&shared, &request).await) }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(permit);
        });
    }

    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::debug!("all connections drained"),
        () = tokio::time::sleep(opts.drain_timeout) => {
            tracing::warn!(timeout = ?opts.drain_timeout, "drain timed out; closing remaining connections");
        }
    }
    connections.shutdown().await;
    Ok(())
}
