//! The hub's outgoing HTTP: hyper-util's pooled client over rustls (system
//! roots; HTTP/1.1), with every resolved address checked by the callback
//! [`Policy`] before a connection is made, a bound on each whole request,
//! and a bound on how much of an answer is read.
//!
//! Redirects are not followed (the client never does), so a callback cannot
//! send the hub on to an address the policy would refuse.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::TokioExecutor;
use url::Url;

use super::policy::Policy;

/// `User-Agent` of every outgoing request.
pub const USER_AGENT: &str = concat!("bulletind/", env!("CARGO_PKG_VERSION"), " (WebSub hub)");
/// Idle connections kept per callback host: subscribers on one host (an
/// aggregator) share a few connections rather than opening one per change.
const IDLE_PER_HOST: usize = 8;
/// How long an idle pooled connection is kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// An answer, with as much of its body as was asked for.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// The start of its body (at most the limit given).
    pub body: Bytes,
}

/// A pooled client whose connections obey a [`Policy`].
#[derive(Clone, Debug)]
pub struct Client {
    pool: Pool<HttpsConnector<HttpConnector<Resolver>>, Full<Bytes>>,
    policy: Arc<Policy>,
    timeout: Duration,
}

impl Client {
    /// A client for `policy`; each request (connect, send, read the answer)
    /// is bounded by `timeout`.
    pub fn new(policy: Policy, timeout: Duration) -> Client {
        let policy = Arc::new(policy);
        let mut http = HttpConnector::new_with_resolver(Resolver(Arc::clone(&policy)));
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let tls = match builder.with_native_roots() {
            Ok(b) => b,
            Err(err) => {
                tracing::warn!(
                    "websub: no system root certificates ({err}); https callbacks will fail"
                );
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
                    rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                )
            }
        };
        let connector = tls.https_or_http().enable_http1().wrap_connector(http);
        let pool = Pool::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_max_idle_per_host(IDLE_PER_HOST)
            .build(connector);
        Client {
            pool,
            policy,
            timeout,
        }
    }

    /// Sends `request` to `url` (checked against the policy first) and
    /// reads at most `limit` bytes of the answer, all within the timeout.
    pub async fn send(
        &self,
        url: &Url,
        request: hyper::http::request::Builder,
        body: Bytes,
        limit: usize,
    ) -> Result<Answer, String> {
        self.policy.check_url(url)?;
        let uri: hyper::Uri = url
            .as_str()
            .parse()
            .map_err(|e| format!("unusable URL: {e}"))?;
        let request: Request<Full<Bytes>> = request
            .uri(uri)
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .body(Full::new(body))
            .map_err(|e| format!("building the request: {e}"))?;
        let exchange = async {
            let response = self.pool.request(request).await.map_err(|e| describe(&e))?;
            let status = response.status();
            let body = read_start(response.into_body(), limit).await;
            Ok(Answer { status, body })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }
}

/// Up to `limit` bytes of `body`; a longer body is cut (the connection is
/// then not reused) and a failing one read as far as it went.
async fn read_start(body: hyper::body::Incoming, limit: usize) -> Bytes {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    }
}

/// A client error with its cause chain (hyper-util hides the cause, which
/// says whether the policy refused the address).
fn describe(err: &hyper_util::client::legacy::Error) -> String {
    let mut out = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// Resolves a host name and keeps the addresses the policy allows; none
/// left is an error, so no connection is made.
#[derive(Clone, Debug)]
pub struct Resolver(Arc<Policy>);

impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = Arc::clone(&self.0);
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check_addr(Some(&host), a.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refused = Some(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refused.unwrap_or_else(|| format!("{host} has no address"));
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    why,
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}
