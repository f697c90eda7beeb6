//! The wiring: binds the socket, starts the tasks and connects them, turns
//! signals into shutdown and reload, and talks to systemd.
//!
//! ```text
//! notify watcher → inbox task (settle, ignore) → ingest thread (parse, store, render)
//!     → watch channel holding the latest Published → HTTP tasks
//! ```
//! Errors that stop the daemon: the socket cannot be bound, the store
//! cannot be opened, the inbox cannot be watched. Everything else (a bad
//! file, a failed render, a slow client) is logged and the daemon goes on.

use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sd_notify::NotifyState;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch, Notify};

use crate::config::Config;
use crate::http::{self, HttpOptions};
use crate::inbox::Inbox;
use crate::ingest::{self, Ingestor};
use crate::metrics::Metrics;

/// How long in-flight requests may take to finish after a stop signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the ingest thread may take to finish the file in hand.
const INGEST_STOP_TIMEOUT: Duration = Duration::from_secs(4);
/// Slow clients must send their request headers within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the daemon until SIGTERM or SIGINT: binds `config.listen`, prints
/// `listening on http://IP:PORT/` on stdout, and serves. SIGHUP rescans the
/// inbox.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}/").context("writing to stdout")?;
        out.flush().context("writing to stdout")?;
    }
    let reload = Arc::new(Notify::new());
    tokio::spawn(forward_reloads(reload.clone()));
    run(config, listener, stop_signal(), reload).await
}

/// Runs the daemon on an already-bound `listener` until `shutdown`
/// resolves; `reload` triggers an inbox rescan.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    reload: Arc<Notify>,
) -> anyhow::Result<()> {
    let bound = listener.local_addr().context("reading the bound address")?;
    let base_url = config.base_url_for(bound);
    std::fs::create_dir_all(&config.inbox)
        .with_context(|| format!("creating inbox {}", config.inbox.display()))?;
    let inbox_root = config
        .inbox
        .canonicalize()
        .with_context(|| format!("inbox {}", config.inbox.display()))?;
    let metrics = Arc::new(Metrics::default());

    // Publish what the store already holds before the first request.
    let (ingestor, first) = {
        let (config, base_url, metrics) = (config.clone(), base_url.clone(), metrics.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut ingestor = Ingestor::new(&config, &base_url, metrics)
                .with_context(|| format!("opening the store in {}", config.state_dir.display()))?;
            let first = ingestor.publish(&Default::default(), true)?;
            ingestor.mirror();
            Ok((ingestor, first))
        })
        .await
        .context("starting the ingest task")??
    };
    let (published_tx, published_rx) = watch::channel(first);

    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let stop_ingest = Arc::new(AtomicBool::new(false));
    let ingest_thread = {
        let stop = stop_ingest.clone();
        std::thread::Builder::new()
            .name("ingest".into())
            .spawn(move || ingest::run(ingestor, events_rx, published_tx, stop))
            .context("spawning the ingest thread")?
    };
    let inbox = Inbox::start(inbox_root.clone(), config.settle, events_tx, reload)
        .with_context(|| format!("watching {}", inbox_root.display()))?;

    let (stop_http, http_stopped) = oneshot::channel::<()>();
    let opts = HttpOptions {
        max_age: config.max_age,
        max_connections: config.max_connections,
        header_read_timeout: HEADER_READ_TIMEOUT,
        drain_timeout: DRAIN_TIMEOUT,
    };
    let server = tokio::spawn(http::serve(listener, published_rx, metrics, opts, async {
        let _ = http_stopped.await;
    }));
    tracing::info!(
        inbox = %inbox_root.display(),
        state = %config.state_dir.display(),
        "serving {base_url}"
    );
    let _ = sd_notify::notify(false, &[NotifyState::Ready]);

    shutdown.await;
    tracing::info!("stopping: draining requests and the ingest task");
    let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
    let _ = stop_http.send(());
    drop(inbox);
    stop_ingest.store(true, std::sync::atomic::Ordering::Relaxed);
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::error!("http server: {err}"),
        Err(err) => tracing::error!("http server task: {err}"),
    }
    let joined = tokio::time::timeout(
        INGEST_STOP_TIMEOUT,
        tokio::task::spawn_blocking(move || ingest_thread.join()),
    )
    .await;
    if joined.is_err() {
        tracing::warn!("ingest task still busy after {INGEST_STOP_TIMEOUT:?}; exiting anyway (the next start rescans)");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Turns SIGHUP into a rescan request, telling systemd while it happens.
async fn forward_reloads(reload: Arc<Notify>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload disabled");
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading (rescanning the inbox)");
            let _ = sd_notify::notify(false, &[NotifyState::Reloading]);
            reload.notify_one();
            let _ = sd_notify::notify(false, &[NotifyState::Ready]);
        }
    }
    #[cfg(not(unix))]
    let _ = reload;
}
