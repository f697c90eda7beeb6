//! External hub mode (`[websub] hub = "https://…"`): feeds advertise that
//! hub, and every change of a feed is announced to it with a form POST
//! `hub.mode=publish&hub.topic=URL&hub.url=URL` (hubs differ in which name
//! they read), retried with backoff like a delivery. One ping per topic
//! is in flight at a time; changes meanwhile make one more ping after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

use super::client::Client;
use super::deliver::backoff;
use super::policy::Policy;
use super::Changed;
use crate::config::WebSubConfig;
use crate::metrics::Metrics;
use crate::render::path_url;

/// What the pinger's tasks share.
struct Pinger {
    hub: Url,
    base_url: String,
    client: Client,
    config: WebSubConfig,
    metrics: Arc<Metrics>,
    /// Topics being pinged → whether they changed again since.
    in_flight: Mutex<HashMap<String, bool>>,
}

/// Starts the pinger: it reads `changes` until the ingest side is gone.
pub(super) fn start(
    config: &WebSubConfig,
    hub: &str,
    base_url: &str,
    mut changes: mpsc::UnboundedReceiver<Changed>,
    metrics: Arc<Metrics>,
) -> JoinHandle<()> {
    let hub = match Url::parse(hub) {
        Ok(hub) => hub,
        // The configuration checked it: not reached.
        Err(err) => {
            tracing::error!("websub: external hub URL: {err}");
            return tokio::spawn(async {});
        }
    };
    let pinger = Arc::new(Pinger {
        hub,
        base_url: base_url.to_string(),
        client: Client::new(Policy::trusted(), config.timeout),
        config: config.clone(),
        metrics,
        in_flight: Mutex::new(HashMap::new()),
    });
    tokio::spawn(async move {
        while let Some(changed) = changes.recv().await {
            for (path, _) in changed {
                let mut in_flight = pinger.lock();
                match in_flight.get_mut(&path) {
                    Some(again) => *again = true,
                    None => {
                        in_flight.insert(path.clone(), false);
                        tokio::spawn(Arc::clone(&pinger).ping_topic(path));
                    }
                }
            }
        }
    })
}

impl Pinger {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, bool>> {
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Pings for `path` until no change is left unannounced.
    async fn ping_topic(self: Arc<Self>, path: String) {
        loop {
            self.ping_with_retries(&path).await;
            let mut in_flight = self.lock();
            match in_flight.get_mut(&path) {
                Some(again) if *again => *again = false,
                _ => {
                    in_flight.remove(&path);
                    return;
                }
            }
        }
    }

    async fn ping_with_retries(&self, path: &str) {
        let topic = path_url(&self.base_url, path);
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "publish")
            .append_pair("hub.topic", &topic)
            .append_pair("hub.url", &topic)
            .finish();
        let mut failures = 0;
        loop {
            let request = hyper::Request::post("/").header(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            let why = match self
                .client
                .send(&self.hub, request, Bytes::from(form.clone()), 4096)
                .await
            {
                Ok(a) if a.status.is_success() => {
                    Metrics::bump(&self.metrics.websub.pings_ok);
                    tracing::debug!(topic = path, "websub: external hub pinged");
                    return;
                }
                Ok(a) => format!("answered {}", a.status),
                Err(why) => why,
            };
            failures += 1;
            if failures > self.config.retries {
                Metrics::bump(&self.metrics.websub.pings_failed);
                tracing::warn!(
                    topic = path,
                    "websub: pinging {} failed {failures} times, giving up: {why}",
                    self.hub
                );
                return;
            }
            tracing::debug!(
                topic = path,
                "websub: pinging {} failed ({why}); retrying",
                self.hub
            );
            tokio::time::sleep(backoff(self.config.retry_base, failures)).await;
        }
    }
}
