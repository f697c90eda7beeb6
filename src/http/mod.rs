//! The HTTP server: accepts connections, serves the prepared
//! [`Entity`](crate::render::Entity)s of the latest
//! [`Published`] snapshot, and drains gracefully on shutdown.
//!
//! One file per concern: [`routes`] (path → route, traversal refused),
//! [`encoding`] (Accept-Encoding), [`conditional`] (RFC 9110 preconditions,
//! a pure function), [`service`] (one request → one response). This module
//! holds the accept loop: the connection limit, `TCP_NODELAY`, hyper's
//! header-read timeout and the graceful drain. [`control`] carries what a
//! reload changes and the watchdog's probe; [`kind`] names a route for the
//! request counters.

mod cold;
pub mod conditional;
pub mod control;
pub mod encoding;
mod headers;
pub mod kind;
pub mod routes;
pub mod service;

use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use control::{Control, ControlHandle};

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
    /// Connections served at once. Past the limit a new connection is
    /// closed at once, before anything is read or written, and counted
    /// (`bulletind_http_connections_refused_total`).
    pub max_connections: usize,
    /// A client must send a complete request head within this time (also
    /// bounds how long an idle keep-alive connection is kept).
    pub header_read_timeout: Duration,
    /// After shutdown, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
    /// The feeds folder, where permalink pages are served from.
    pub feeds_dir: PathBuf,
    /// The built-in WebSub hub (`POST /websub`), when it runs.
    pub hub: Option<crate::websub::Hub>,
}

/// Serves `published` on `listener` until `shutdown` resolves, then stops
/// accepting, lets in-flight requests finish (idle keep-alive connections
/// are closed at once) for at most `opts.drain_timeout`, and returns.
///
/// Over `opts.max_connections` a new connection is closed unserved. Accept
/// errors are logged and retried after a short pause; they do not stop the
/// server.
pub async fn serve(
    listener: TcpListener,
    published: Latest,
    metrics: Arc<Metrics>,
    health: service::Health,
    opts: HttpOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let control = ControlHandle::new(opts.max_age, opts.max_connections).control();
    serve_with(
        listener, published, metrics, health, opts, control, shutdown,
    )
    .await
}

/// [`serve`] with settings the daemon can change while it runs, and a
/// probe for its watchdog.
pub async fn serve_with(
    listener: TcpListener,
    published: Latest,
    metrics: Arc<Metrics>,
    health: service::Health,
    opts: HttpOptions,
    mut control: Control,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut shared = service::Shared::new(
        published,
        Arc::clone(&metrics),
        opts.max_age,
        opts.feeds_dir.clone(),
        health,
    );
    shared.cache_control = control.cache_control.clone();
    shared.hub = opts.hub.clone();
    let shared = Arc::new(shared);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    let mut probing = true;

    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            changed = control.probe.changed(), if probing => {
                match changed {
                    Ok(()) => {
                        let n = *control.probe.borrow_and_update();
                        control.answered.store(n, Ordering::Relaxed);
                    }
                    // Nobody probes (tests, no watchdog): stop listening.
                    Err(_) => probing = false,
                }
                continue;
            }
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
        let cap = control.max_connections.load(Ordering::Relaxed);
        let Some(slot) = Slot::take(&metrics, cap) else {
            // Closed before reading or writing anything: the client sees a
            // reset or an empty reply, never part of a response.
            Metrics::bump(&metrics.connections_refused);
            drop(stream);
            continue;
        };
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "set_nodelay failed");
        }
        let shared = Arc::clone(&shared);
        let service = service_fn(move |request| answer(&shared, request));
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(slot);
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

/// One connection counted in `connections_open`; released when dropped.
struct Slot(Arc<Metrics>);

impl Slot {
    /// A slot, if fewer than `cap` connections are open.
    fn take(metrics: &Arc<Metrics>, cap: usize) -> Option<Slot> {
        let open = metrics.connections_open.fetch_add(1, Ordering::Relaxed);
        if usize::try_from(open).unwrap_or(usize::MAX) >= cap {
            metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(Slot(Arc::clone(metrics)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One request's future: ready at once for everything served from memory
/// (no allocation, no reference count touched), boxed only for a page read
/// from the feeds folder.
enum Pending {
    Ready(Option<hyper::Response<http_body_util::Full<bytes::Bytes>>>),
    Later(
        std::pin::Pin<
            Box<dyn Future<Output = hyper::Response<http_body_util::Full<bytes::Bytes>>> + Send>,
        >,
    ),
}

impl Future for Pending {
    type Output = Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, Infallible>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match &mut *self {
            // Polled once: a ready answer is taken on the first poll.
            Pending::Ready(response) => {
                std::task::Poll::Ready(Ok(response.take().unwrap_or_default()))
            }
            Pending::Later(future) => future.as_mut().poll(cx).map(Ok),
        }
    }
}

fn answer(
    shared: &Arc<service::Shared>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Pending {
    match service::respond_now(shared, &request) {
        service::Answer::Now(response) => Pending::Ready(Some(response)),
        service::Answer::Cold(cold, kind) => {
            let shared = Arc::clone(shared);
            Pending::Later(Box::pin(async move {
                service::respond_cold(&shared, &request, cold, kind).await
            }))
        }
        service::Answer::Hub => {
            let shared = Arc::clone(shared);
            Pending::Later(Box::pin(async move {
                service::respond_hub(&shared, request).await
            }))
        }
    }
}
