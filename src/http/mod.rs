//! The hyper service: routes paths to prepared [`Entity`](crate::render::Entity)s.
//! TEMPORARY stand-in until the render branch lands (lead's build only).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::render::Published;

/// Options of the HTTP server.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// `Cache-Control: max-age`.
    pub max_age: u32,
    /// Connection limit.
    pub max_connections: usize,
    /// Header read timeout.
    pub header_read_timeout: Duration,
    /// Drain bound.
    pub drain_timeout: Duration,
}

/// Stand-in.
pub async fn serve(
    listener: tokio::net::TcpListener,
    published: watch::Receiver<Arc<Published>>,
    metrics: Arc<Metrics>,
    opts: HttpOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let _ = (listener, published, metrics, opts);
    shutdown.await;
    Ok(())
}
