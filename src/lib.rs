//! bulletind: watches an inbox folder of bulletin files and publishes their
//! articles as RSS 2.0, Atom 1.0 and JSON Feed 1.1 over HTTP.
//!
//! # Layout
//!
//! Data flows one way, each stage a module that knows only its neighbours'
//! types:
//!
//! - [`inbox`]: watches the inbox, decides when a file is complete, ignores
//!   temporary files, moves rejected files to quarantine.
//! - [`parse`]: bytes → [`model::Bulletin`]; decoding, newspaper pages,
//!   Markdown, JSON. No file system.
//! - [`store`]: SQLite; idempotent ingest, stable item ids, retraction.
//! - [`render`]: items → feed bytes, compressed copies and ETags.
//! - [`http`]: the hyper service; serves prepared bytes, conditional GET.
//! - [`ingest`]: the ingest task, sole owner of the store: parse → store →
//!   render for each inbox event, then publish the new snapshot.
//! - [`websub`]: the built-in WebSub hub (subscriptions, verification,
//!   pushed deliveries) or pings of an external one, fed by the ingest
//!   task's snapshots.
//! - [`daemon`]: the wiring: tasks, channels, signals, systemd notify.
//!
//! [`config`] resolves CLI, environment and file once; [`model`] holds the
//! plain types the stages exchange; [`metrics`] the shared counters;
//! [`preview`] is `bulletind parse`, the same pipeline without a server.
//!
//! Operations, around the pipeline: [`listen`] (sockets from systemd or
//! `--listen`), [`capacity`] (descriptor limit, connection cap),
//! [`logging`], [`notify`] (`READY=1`, `STATUS=`, …), [`watchdog`],
//! [`reload`] (SIGHUP), [`check_config`] (`bulletind check-config`).

pub mod capacity;
pub mod check_config;
pub mod config;
pub mod daemon;
pub mod http;
pub mod inbox;
pub mod ingest;
pub mod language;
pub mod listen;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod notify;
mod par;
pub mod parse;
pub mod preview;
pub mod publish;
pub mod reload;
pub mod render;
pub mod role;
pub mod store;
pub mod watchdog;
pub mod websub;
