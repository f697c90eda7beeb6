//! The `bulletind` binary: parses arguments, starts logging, runs the
//! library, and prints the error chain once.

use std::process::ExitCode;

use clap::Parser;

use bulletind::config::{Cli, Command, Config};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Some(Command::Parse(args)) => bulletind::preview::run(
            &args,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
        Some(Command::Serve(args)) => serve(&args).map(|()| true),
        None => serve(&cli.serve).map(|()| true),
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

fn serve(args: &bulletind::config::ServeArgs) -> anyhow::Result<()> {
    let config = Config::resolve(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bulletind::daemon::serve(config))
}

/// Logs go to stderr; `BULLETIND_LOG` filters (default `info`). Under
/// systemd (journald adds its own timestamps) lines carry no time or colour.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BULLETIND_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().with_ansi(false).init();
    } else {
        builder.init();
    }
}
