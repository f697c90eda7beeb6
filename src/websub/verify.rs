//! Verification of intent (WebSub §5.3): before a subscription starts or
//! ends, the hub asks the callback
//! `GET callback?hub.mode=…&hub.topic=…&hub.challenge=…&hub.lease_seconds=…`
//! and acts only on a 2xx whose body is exactly the challenge, a random
//! value made for this one request. A subscription the hub cannot take
//! after all is told so with `hub.mode=denied` (§5.2).

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::OwnedSemaphorePermit;

use super::hub::{host_of, Inner};
use super::request::{Mode, Request};
use crate::metrics::Metrics;

/// Random bytes in a challenge (hex-encoded: twice as many characters).
const CHALLENGE_BYTES: usize = 24;
/// How much of the answer is read: a little more than a challenge, so a
/// longer body is seen to differ.
const ANSWER_LIMIT: usize = 1024;

/// A fresh challenge: random, used once.
fn challenge() -> Result<String, String> {
    let mut bytes = [0u8; CHALLENGE_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a challenge: {e}"))?;
    Ok(crate::render::hex(&bytes))
}

/// Verifies `request` with its subscriber, then applies it. `_slot` is
/// held until done (it bounds verifications in flight).
pub(super) async fn verify(inner: Arc<Inner>, request: Request, _slot: OwnedSemaphorePermit) {
    let metrics = &inner.metrics.websub;
    let host = host_of(request.callback.as_str());
    let topic = request.path.as_str();
    match ask(&inner, &request).await {
        Ok(()) => Metrics::bump(&metrics.verified),
        Err(why) => {
            Metrics::bump(&metrics.unverified);
            tracing::info!(
                topic,
                "websub: {} to {host} not verified: {why}",
                request.mode.as_str()
            );
            return;
        }
    }
    match request.mode {
        Mode::Subscribe => match inner.activate(&request) {
            Ok(()) => tracing::info!(
                topic,
                "websub: {host} subscribed for {} s",
                request.lease.as_secs()
            ),
            Err(reason) => {
                Metrics::bump(&metrics.denied);
                tracing::info!(topic, "websub: subscription of {host} denied: {reason}");
                deny(&inner, &request, &reason).await;
            }
        },
        Mode::Unsubscribe => {
            let key = request.callback.as_str();
            if inner.remove(&request.path, key, None) {
                tracing::info!(topic, "websub: {host} unsubscribed");
            }
        }
    }
}

/// The verification request itself.
async fn ask(inner: &Inner, request: &Request) -> Result<(), String> {
    let challenge = challenge()?;
    let mut url = request.callback.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("hub.mode", request.mode.as_str())
            .append_pair("hub.topic", &request.topic)
            .append_pair("hub.challenge", &challenge);
        if request.mode == Mode::Subscribe {
            query.append_pair("hub.lease_seconds", &request.lease.as_secs().to_string());
        }
    }
    let answer = inner
        .client
        .send(&url, hyper::Request::get("/"), Bytes::new(), ANSWER_LIMIT)
        .await?;
    if !answer.status.is_success() {
        return Err(format!("the callback answered {}", answer.status));
    }
    if answer.body != challenge.as_bytes() {
        return Err("the callback did not echo the challenge".into());
    }
    Ok(())
}

/// Tells the subscriber its subscription was denied, once; its answer does
/// not matter.
async fn deny(inner: &Inner, request: &Request, reason: &str) {
    let mut url = request.callback.clone();
    url.query_pairs_mut()
        .append_pair("hub.mode", "denied")
        .append_pair("hub.topic", &request.topic)
        .append_pair("hub.reason", reason);
    if let Err(why) = inner
        .client
        .send(&url, hyper::Request::get("/"), Bytes::new(), ANSWER_LIMIT)
        .await
    {
        tracing::debug!(
            "websub: telling {} of the denial: {why}",
            host_of(request.callback.as_str())
        );
    }
}
