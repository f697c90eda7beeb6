//! The `bulletind` binary: parses arguments, starts logging, runs the
//! library, and prints the error chain once.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches};

use bulletind::config::{ArgOrigins, Cli, Command, Config, ServeArgs};
use bulletind::daemon::{Ended, Setup, Signals};
use bulletind::logging::LogHandle;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let logging = Arc::new(bulletind::logging::init());
    let result = match cli.command {
        Some(Command::Parse(args)) => bulletind::preview::run(
            &args,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
        Some(Command::CheckConfig(args)) => {
            let origins = matches
                .subcommand_matches("check-config")
                .map_or_else(ArgOrigins::guess, ArgOrigins::from_matches);
            check_config(&args, &origins)
        }
        Some(Command::Serve(args)) => serve(args, logging),
        None => serve(cli.serve, logging),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("bulletind: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `check-config`; `Ok(false)` when the configuration is invalid.
fn check_config(args: &ServeArgs, origins: &ArgOrigins) -> anyhow::Result<bool> {
    // The same descriptor limit `serve` would run with.
    let _ = bulletind::capacity::raise_nofile();
    Ok(bulletind::check_config::run(
        args,
        origins,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )?)
}

/// Runs the daemon; `Ok(false)` when it stopped because it failed.
fn serve(args: ServeArgs, logging: Arc<LogHandle>) -> anyhow::Result<bool> {
    // Before any thread exists: the LISTEN_* variables are read and cleared.
    let inherited = bulletind::listen::inherited()?;
    name_work_pool();
    let (nofile, raise_error) = bulletind::capacity::raise_nofile();
    match raise_error {
        Some(err) => tracing::warn!(
            "could not raise the descriptor limit from {} to {}: {err}",
            nofile.was,
            nofile.hard
        ),
        None if nofile.soft > nofile.was => tracing::info!(
            "descriptor limit raised from {} to {}",
            nofile.was,
            nofile.soft
        ),
        None => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ended = runtime.block_on(async {
        // Signals first: a SIGTERM during start-up is a clean stop.
        let signals = Signals::install()?;
        let config = Config::resolve(&args)?;
        for warning in &config.warnings {
            tracing::warn!("{warning}");
        }
        if let Err(err) = logging.apply(&config.log) {
            tracing::warn!("log filter: {err}");
        }
        let setup = Setup {
            args,
            config,
            logging: Some(logging),
            nofile: nofile.soft,
        };
        bulletind::daemon::serve(setup, inherited, signals).await
    });
    // Threads still reading a file or a slow client do not hold up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(ended? == Ended::Stopped)
}

/// Keeps memory proportional to what is served. Two malloc arenas are
/// enough for two kinds of threads (async workers; ingest and render), where
/// glibc's default of eight per core lets short-lived render threads scatter
/// freed memory over arenas the process then keeps; and blocks of
/// `MMAP_THRESHOLD` or more (feed bodies, render buffers) get their own
/// mapping, returned whole when freed, instead of fragmenting the heap
/// (glibc otherwise raises that threshold as large blocks are freed).
/// Measured with scale.py: after ingesting 100,000 articles the process
/// kept about 30 MB more than after a restart without these.
fn limit_malloc_arenas() {
    const MMAP_THRESHOLD: i32 = 64 * 1024;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets glibc tunables; called first thing in main,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// Builds the pool parses and renders run on (one thread per core) with
/// names that say what its threads are in `top -H` and `perf`, before
/// anything else would build it unnamed.
fn name_work_pool() {
    let pool = rayon::ThreadPoolBuilder::new().thread_name(|n| format!("work-{n}"));
    if let Err(err) = pool.build_global() {
        eprintln!("bulletind: the work pool: {err}");
    }
}
