//! The wiring: takes the listening sockets, starts the threads and tasks
//! and connects them, turns signals into shutdown and reload, watches the
//! ingest thread, and talks to systemd.
//!
//! ```text
//! inbox thread (watch, settle) → ingest thread (read, parse, store, publish)
//!     → Latest (the snapshot, swapped whole) → HTTP tasks
//! watchdog task: ingest heartbeat + accept-loop probe → WATCHDOG=1
//! status task: metrics → STATUS=     reload: SIGHUP → Reloader
//! ```
//! `READY=1` goes out once the sockets are open, the stored feeds are
//! published and the start-up scan's files are ingested and published.
//!
//! Errors that stop the daemon at start: no socket can be had, the store
//! cannot be opened (a PostgreSQL store out of reach is not one when the
//! feeds folder holds a snapshot: the node serves it, degraded, and opens
//! the store later; see `open`), the inbox cannot be watched, the
//! quarantine folder cannot be written. Later, only a failure of the ingest thread stops it
//! (with a non-zero exit, so that systemd restarts it); everything else (a
//! bad file, a failed render, a slow client, an invalid reload) is logged
//! and the daemon goes on.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::{Config, ServeArgs};
use crate::http::{self, ControlHandle, HttpOptions};
use crate::inbox::{quarantine, Inbox};
use crate::ingest::{self, Links, Work};
use crate::logging::LogHandle;
use crate::metrics::Metrics;
use crate::reload::Reloader;
use crate::render::Latest;
use crate::watchdog::{self, Heartbeat};
use open::Opened;

mod open;

/// How long in-flight requests may take to finish after a stop signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the ingest thread may take to finish the file in hand.
const INGEST_STOP_TIMEOUT: Duration = Duration::from_secs(3);
/// Slow clients must send their request headers within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// After the ingest thread failed, how long `/healthz` reports it before
/// the process exits for systemd to restart it.
const FAILURE_GRACE: Duration = Duration::from_secs(1);
/// While the start-up scan is being ingested (and progressing), systemd's
/// start timeout is pushed back this far, this often.
const START_EXTEND: Duration = Duration::from_secs(30);
/// See [`START_EXTEND`].
const START_EXTEND_EVERY: Duration = Duration::from_secs(5);

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

/// What the daemon starts from.
pub struct Setup {
    /// The command line and environment, read again on reload.
    pub args: ServeArgs,
    /// The configuration they resolved to.
    pub config: Config,
    /// The logger's filter, when this process installed it.
    pub logging: Option<Arc<LogHandle>>,
    /// The soft descriptor limit in force (bounds the connection cap).
    pub nofile: u64,
}

/// Runs the daemon until SIGTERM or SIGINT on the sockets systemd passed
/// (`inherited`), else on `config.listen`, printing
/// `listening on http://IP:PORT/` on stdout for each. SIGHUP reloads.
pub async fn serve(
    setup: Setup,
    inherited: Vec<std::net::TcpListener>,
    signals: Signals,
) -> anyhow::Result<Ended> {
    let listeners = if inherited.is_empty() {
        vec![crate::listen::bind(setup.config.listen).await?]
    } else {
        tracing::info!(
            "socket activation: serving {} inherited socket(s); --listen is not used",
            inherited.len()
        );
        crate::listen::adopt(inherited)?
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for listener in &listeners {
            let addr = listener.local_addr().context("reading the bound address")?;
            writeln!(out, "listening on http://{addr}/").context("writing to stdout")?;
        }
        out.flush().context("writing to stdout")?;
    }
    run(setup, listeners, signals).await
}

/// The parts running once the store is open, for the main loop.
struct Running {
    inbox: Inbox,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
    stop_http: watch::Sender<bool>,
    stop_ingest: Arc<AtomicBool>,
    ingest_done: oneshot::Receiver<Result<(), String>>,
    health: watch::Sender<Option<String>>,
    scans: watch::Receiver<u64>,
    heartbeat: Arc<Heartbeat>,
    reloader: Reloader,
    background: Vec<JoinHandle<()>>,
    websub: crate::websub::Running,
}

/// Runs the daemon on already-bound `listeners` until a stop signal.
pub async fn run(
    setup: Setup,
    listeners: Vec<TcpListener>,
    mut signals: Signals,
) -> anyhow::Result<Ended> {
    let Some(first) = listeners.first() else {
        anyhow::bail!("no socket to serve on");
    };
    let bound = first.local_addr().context("reading the bound address")?;
    let config = setup.config.clone();
    let base_url = config.base_url_for(bound);
    let metrics = Arc::new(Metrics::default());
    // The folders are checked and the stored feeds published off the async
    // workers.
    let opening = {
        let (config, base_url, metrics) = (config.clone(), base_url.clone(), metrics.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            prepare_folders(&config)?;
            open::open(&config, &base_url, metrics)
        })
    };
    // A stop signal while the stored feeds are rendered ends the start-up.
    let opened = tokio::select! {
        opened = opening => opened.context("starting the ingest task")??,
        () = signals.stopped() => {
            tracing::info!("stopped during start-up");
            return Ok(Ended::Stopped);
        }
    };
    let mut running = start(setup, listeners, opened, metrics.clone(), &base_url)?;
    tracing::info!(
        inbox = %config.inbox.display(),
        state = %config.state_dir.display(),
        store = %config.store,
        "serving {base_url}"
    );
    let ended = match wait_for_first_scan(&mut running, &signals).await {
        Some(ended) => ended,
        None => {
            let facts = crate::notify::Facts::gather(&metrics, None, None);
            crate::notify::ready(&facts.line());
            main_loop(&mut running, &mut signals).await
        }
    };
    shut_down(running, &ended).await;
    Ok(ended)
}

/// Starts the ingest thread, the inbox thread, the HTTP servers, the
/// WebSub hub (with its kept subscriptions, under the base URL) and the
/// watchdog and status tasks.
fn start(
    setup: Setup,
    listeners: Vec<TcpListener>,
    opened: Opened,
    metrics: Arc<Metrics>,
    base_url: &str,
) -> anyhow::Result<Running> {
    let Opened {
        first,
        websub,
        store,
    } = opened;
    let (ingestor, claim) = store.unzip();
    let claim = claim.flatten();
    let config = &setup.config;
    let inbox_root = config
        .inbox
        .canonicalize()
        .with_context(|| format!("inbox {}", config.inbox.display()))?;
    let latest = Latest::new(first);
    let (health, health_rx) = watch::channel(None::<String>);
    let (work_tx, work_rx) = std::sync::mpsc::channel::<Work>();
    let (scans_tx, scans) = watch::channel(0u64);
    let heartbeat = Arc::new(Heartbeat::default());
    let stop_ingest = Arc::new(AtomicBool::new(false));
    let leading = ingestor.is_some() && claim.as_ref().is_none_or(crate::role::Claim::is_ingest);
    let websub = crate::websub::start(
        &config.websub,
        (websub, leading),
        base_url,
        latest.clone(),
        metrics.clone(),
    )
    .context("starting the WebSub hub")?;
    let links = Links {
        published: latest.clone(),
        stop: stop_ingest.clone(),
        heartbeat: heartbeat.clone(),
        scans: scans_tx,
        websub: websub.notifier.clone(),
        metrics: metrics.clone(),
    };
    let inbox = Inbox::start(inbox_root.clone(), config.settle, work_tx.clone())
        .with_context(|| format!("watching {}", inbox_root.display()))?;
    let roles = crate::role::RoleLinks {
        work: work_tx.clone(),
        rescan: inbox.rescanner(),
        metrics: metrics.clone(),
        stop: stop_ingest.clone(),
        websub: websub.roles.clone(),
    };
    let ingest_done = match ingestor {
        Some(ingestor) => {
            if let Some(claim) = claim {
                let ingest = u64::from(claim.is_ingest());
                metrics.ingest_node.store(ingest, Ordering::Relaxed);
                crate::role::spawn(claim, roles).context("starting the role session")?;
            }
            spawn_ingest(move || ingest::run(ingestor, work_rx, links))?
        }
        None => {
            let open = open::opener(config.clone(), base_url.to_string(), metrics.clone(), roles);
            spawn_ingest(move || ingest::run_deferred(open, work_rx, links))?
        }
    };

    let cap = crate::capacity::connection_cap(config.max_connections, setup.nofile);
    metrics.connections_max.store(cap as u64, Ordering::Relaxed);
    if cap < config.max_connections {
        tracing::info!(
            "serving at most {cap} connections (max_connections {} is more than RLIMIT_NOFILE {} allows)",
            config.max_connections,
            setup.nofile
        );
    }
    let mut control = ControlHandle::new(config.max_age, cap);
    let opts = HttpOptions {
        max_age: config.max_age,
        max_connections: cap,
        header_read_timeout: HEADER_READ_TIMEOUT,
        drain_timeout: DRAIN_TIMEOUT,
        feeds_dir: config.feeds_dir.clone(),
        hub: websub.hub.clone(),
    };
    let (stop_http, stop_rx) = watch::channel(false);
    let servers = listeners
        .into_iter()
        .map(|listener| {
            let mut stopped = stop_rx.clone();
            tokio::spawn(http::serve_with(
                listener,
                latest.clone(),
                metrics.clone(),
                health_rx.clone(),
                opts.clone(),
                control.control(),
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            ))
        })
        .collect();
    let control = Arc::new(control);
    let (unhealthy_tx, unhealthy) = watch::channel(None);
    let (failed, reload_failed) = watch::channel(None);
    let background = vec![
        tokio::spawn(watchdog::run(
            heartbeat.clone(),
            control.clone(),
            watchdog::interval(),
            unhealthy_tx,
        )),
        tokio::spawn(crate::notify::report_status(
            metrics.clone(),
            reload_failed,
            unhealthy,
        )),
    ];
    let reloader = Reloader {
        args: setup.args,
        current: setup.config,
        work: work_tx,
        http: control,
        logging: setup.logging,
        nofile: setup.nofile,
        metrics,
        failed,
    };
    Ok(Running {
        inbox,
        servers,
        stop_http,
        stop_ingest,
        ingest_done,
        health,
        scans,
        heartbeat,
        reloader,
        background,
        websub,
    })
}

/// Starts the ingest thread (running `body`) and a monitor that reports
/// how it ended.
fn spawn_ingest(
    body: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> anyhow::Result<oneshot::Receiver<Result<(), String>>> {
    let thread = std::thread::Builder::new()
        .name("ingest".into())
        .spawn(body)
        .context("spawning the ingest thread")?;
    let (done_tx, done) = oneshot::channel();
    std::thread::Builder::new()
        .name("ingest-watch".into())
        .spawn(move || {
            let result = match thread.join() {
                Ok(ended) => ended,
                Err(panic) => Err(format!(
                    "the ingest thread panicked: {}",
                    panic_message(&panic)
                )),
            };
            let _ = done_tx.send(result);
        })
        .context("spawning the ingest monitor")?;
    Ok(done)
}

/// Waits until the start-up scan's files are published; `Some` when the
/// daemon ended meanwhile. Keeps systemd's start timeout at bay while the
/// ingest thread makes progress.
async fn wait_for_first_scan(running: &mut Running, signals: &Signals) -> Option<Ended> {
    let mut scans = running.scans.clone();
    let mut extend = tokio::time::interval(START_EXTEND_EVERY);
    extend.tick().await;
    loop {
        tokio::select! {
            // An error means the ingest thread is gone: the main loop
            // then reports why.
            _ = scans.wait_for(|n| *n >= 1) => return None,
            () = signals.stopped() => return Some(Ended::Stopped),
            done = &mut running.ingest_done => return Some(ingest_failed(running, done).await),
            _ = extend.tick() => {
                if running.heartbeat.stuck(START_EXTEND).is_none() {
                    crate::notify::extend_start(START_EXTEND);
                }
            }
        }
    }
}

/// Serves until a stop signal or a failure of the ingest thread; reloads
/// on SIGHUP.
async fn main_loop(running: &mut Running, signals: &mut Signals) -> Ended {
    loop {
        tokio::select! {
            () = signals.stopped() => return Ended::Stopped,
            Some(()) = signals.reload.recv() => {
                tokio::select! {
                    () = running.reloader.reload() => {}
                    () = signals.stopped() => return Ended::Stopped,
                }
                running.inbox.rescan();
            }
            done = &mut running.ingest_done => return ingest_failed(running, done).await,
        }
    }
}

/// The ingest thread ended on its own: report it on `/healthz`, briefly,
/// then stop.
async fn ingest_failed(
    running: &Running,
    done: Result<Result<(), String>, oneshot::error::RecvError>,
) -> Ended {
    let reason = match done {
        Ok(Err(reason)) => reason,
        _ => "the ingest thread stopped".to_string(),
    };
    tracing::error!("{reason}; exiting so that the service is restarted");
    let _ = running.health.send(Some(reason.clone()));
    tokio::time::sleep(FAILURE_GRACE).await;
    Ended::Failed(reason)
}

/// Stops accepting, drains requests, stops the threads (bounded).
async fn shut_down(running: Running, ended: &Ended) {
    tracing::info!("stopping: draining requests and the ingest task");
    crate::notify::stopping();
    let Running {
        inbox,
        servers,
        stop_http,
        stop_ingest,
        mut ingest_done,
        background,
        reloader,
        websub,
        ..
    } = running;
    for task in background {
        task.abort();
    }
    // The reloader holds a handle on the ingest queue.
    drop(reloader);
    let _ = stop_http.send(true);
    stop_ingest.store(true, Ordering::Relaxed);
    // Dropping the inbox stops its thread and closes the ingest queue.
    let _ = tokio::task::spawn_blocking(move || drop(inbox)).await;
    for server in servers {
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::error!("http server: {err}"),
            Err(err) => tracing::error!("http server task: {err}"),
        }
    }
    if matches!(ended, Ended::Stopped)
        && tokio::time::timeout(INGEST_STOP_TIMEOUT, &mut ingest_done)
            .await
            .is_err()
    {
        tracing::warn!("ingest task still busy after {INGEST_STOP_TIMEOUT:?}; exiting anyway (the next start rescans)");
    }
    websub.shut_down().await;
    tracing::info!("stopped");
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
