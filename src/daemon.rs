//! The wiring: binds the socket, starts the threads and tasks and connects
//! them, turns signals into shutdown and reload, watches the ingest thread,
//! and talks to systemd.
//!
//! ```text
//! inbox thread (watch, settle) → ingest thread (read, parse, store, publish)
//!     → Latest (the snapshot, swapped whole) → HTTP tasks
//! ```
//! Errors that stop the daemon at start: the socket cannot be bound, the
//! store cannot be opened, the inbox cannot be watched, the quarantine
//! folder cannot be written. Later, only a failure of the ingest thread
//! stops it (with a non-zero exit, so that systemd restarts it); everything
//! else (a bad file, a failed render, a slow client) is logged and the
//! daemon goes on.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sd_notify::NotifyState;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::config::Config;
use crate::http::{self, HttpOptions};
use crate::inbox::{quarantine, Inbox};
use crate::ingest::{self, Ingestor};
use crate::metrics::Metrics;
use crate::render::Latest;

/// How long in-flight requests may take to finish after a stop signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the ingest thread may take to finish the file in hand.
const INGEST_STOP_TIMEOUT: Duration = Duration::from_secs(3);
/// Slow clients must send their request headers within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// After the ingest thread failed, how long `/healthz` reports it before
/// the process exits for systemd to restart it.
const FAILURE_GRACE: Duration = Duration::from_secs(1);

/// How the daemon ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Stopped on request.
    Stopped,
    /// The ingest thread failed; the reason.
    Failed(String),
}

/// The process's signals, listened to from the first instant.
pub struct Signals {
    stop: watch::Receiver<bool>,
    reload: tokio::sync::mpsc::UnboundedReceiver<()>,
}

impl Signals {
    /// Installs handlers for SIGTERM, SIGINT and SIGHUP. Call it first
    /// thing, inside the runtime.
    pub fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut hup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
        let (stop_tx, stop) = watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            let _ = stop_tx.send(true);
        });
        let (reload_tx, reload) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                if reload_tx.send(()).is_err() {
                    return;
                }
            }
        });
        Ok(Signals { stop, reload })
    }

    /// Resolves once SIGTERM or SIGINT arrived.
    pub fn stopped(&self) -> impl Future<Output = ()> + use<> {
        let mut stop = self.stop.clone();
        async move {
            // An error means the sender is gone, which never happens before exit.
            let _ = stop.wait_for(|s| *s).await;
        }
    }
}

/// Runs the daemon until SIGTERM or SIGINT: binds `config.listen`, prints
/// `listening on http://IP:PORT/` on stdout, and serves. SIGHUP rescans the
/// inbox.
pub async fn serve(config: Config, signals: Signals) -> anyhow::Result<Ended> {
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
    run(config, listener, signals).await
}

/// Runs the daemon on an already-bound `listener` until a stop signal.
pub async fn run(
    config: Config,
    listener: TcpListener,
    mut signals: Signals,
) -> anyhow::Result<Ended> {
    let bound = listener.local_addr().context("reading the bound address")?;
    let base_url = config.base_url_for(bound);
    let metrics = Arc::new(Metrics::default());

    // Check the folders and publish what the store already holds before the
    // first request, off the async workers; a stop signal during that ends
    // the start-up at once.
    let opening = {
        let (config, base_url, metrics) = (config.clone(), base_url.clone(), metrics.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            prepare_folders(&config)?;
            let inbox_root = config
                .inbox
                .canonicalize()
                .with_context(|| format!("inbox {}", config.inbox.display()))?;
            let mut ingestor = Ingestor::new(&config, &base_url, metrics)
                .with_context(|| format!("opening the store in {}", config.state_dir.display()))?;
            let first = ingestor.start().context("publishing the stored feeds")?;
            Ok((ingestor, first, inbox_root))
        })
    };
    let (ingestor, first, inbox_root) = tokio::select! {
        opened = opening => opened.context("starting the ingest task")??,
        () = signals.stopped() => {
            tracing::info!("stopped during start-up");
            return Ok(Ended::Stopped);
        }
    };
    let latest = Latest::new(first);
    let (health_tx, health_rx) = watch::channel(None::<String>);

    let (events_tx, events_rx) = std::sync::mpsc::channel();
    let stop_ingest = Arc::new(AtomicBool::new(false));
    let ingest_thread = {
        let stop = stop_ingest.clone();
        std::thread::Builder::new()
            .name("ingest".into())
            .spawn({
                let latest = latest.clone();
                move || ingest::run(ingestor, events_rx, latest, stop)
            })
            .context("spawning the ingest thread")?
    };
    let (ingest_done_tx, mut ingest_done) = oneshot::channel::<Result<(), String>>();
    std::thread::Builder::new()
        .name("ingest-watch".into())
        .spawn(move || {
            let result = match ingest_thread.join() {
                Ok(ended) => ended,
                Err(panic) => Err(format!(
                    "the ingest thread panicked: {}",
                    panic_message(&panic)
                )),
            };
            let _ = ingest_done_tx.send(result);
        })
        .context("spawning the ingest monitor")?;
    let inbox = Inbox::start(inbox_root.clone(), config.settle, events_tx)
        .with_context(|| format!("watching {}", inbox_root.display()))?;

    let (stop_http, http_stopped) = oneshot::channel::<()>();
    let opts = HttpOptions {
        max_age: config.max_age,
        max_connections: config.max_connections,
        header_read_timeout: HEADER_READ_TIMEOUT,
        drain_timeout: DRAIN_TIMEOUT,
        feeds_dir: config.feeds_dir.clone(),
    };
    let server = tokio::spawn(http::serve(
        listener,
        latest,
        metrics,
        health_rx,
        opts,
        async {
            let _ = http_stopped.await;
        },
    ));
    tracing::info!(
        inbox = %inbox_root.display(),
        state = %config.state_dir.display(),
        "serving {base_url}"
    );
    let _ = sd_notify::notify(false, &[NotifyState::Ready]);

    let ended = loop {
        tokio::select! {
            () = signals.stopped() => break Ended::Stopped,
            Some(()) = signals.reload.recv() => {
                tracing::info!("SIGHUP: reloading (rescanning the inbox)");
                let _ = sd_notify::notify(false, &[NotifyState::Reloading]);
                inbox.rescan();
                let _ = sd_notify::notify(false, &[NotifyState::Ready]);
            }
            done = &mut ingest_done => {
                let reason = match done {
                    Ok(Err(reason)) => reason,
                    _ => "the ingest thread stopped".to_string(),
                };
                tracing::error!("{reason}; exiting so that the service is restarted");
                let _ = health_tx.send(Some(reason.clone()));
                tokio::time::sleep(FAILURE_GRACE).await;
                break Ended::Failed(reason);
            }
        }
    };
    tracing::info!("stopping: draining requests and the ingest task");
    let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
    let _ = stop_http.send(());
    stop_ingest.store(true, Ordering::Relaxed);
    // Dropping the inbox stops its thread, which closes the ingest queue.
    let _ = tokio::task::spawn_blocking(move || drop(inbox)).await;
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::error!("http server: {err}"),
        Err(err) => tracing::error!("http server task: {err}"),
    }
    if matches!(ended, Ended::Stopped)
        && tokio::time::timeout(INGEST_STOP_TIMEOUT, &mut ingest_done)
            .await
            .is_err()
    {
        tracing::warn!("ingest task still busy after {INGEST_STOP_TIMEOUT:?}; exiting anyway (the next start rescans)");
    }
    tracing::info!("stopped");
    Ok(ended)
}

/// Creates a missing inbox (saying so) and checks that the quarantine
/// folder exists or can be made, and can be written.
fn prepare_folders(config: &Config) -> anyhow::Result<()> {
    if !config.inbox.exists() {
        std::fs::create_dir_all(&config.inbox)
            .with_context(|| format!("creating inbox {}", config.inbox.display()))?;
        tracing::info!(inbox = %config.inbox.display(), "the inbox did not exist: created it");
    }
    quarantine::check_folder(&config.quarantine_dir).with_context(|| {
        format!(
            "quarantine folder {} must exist or be creatable, and be writable",
            config.quarantine_dir.display()
        )
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
