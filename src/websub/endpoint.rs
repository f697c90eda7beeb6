//! `POST /websub`: reads the form (bounded in size and time), checks it,
//! the callback and the caps, answers `202 Accepted` and starts the
//! verification, or answers `4xx` with the reason in the body (WebSub
//! §5.1.2). Never waits on a subscriber.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::hub::{Hub, Inner};
use super::request;
use crate::metrics::Metrics;

/// The largest request body read (a form with two URLs and a secret fits
/// in a few hundred bytes; URLs are capped at 2 KiB each).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// A client must send the whole body within this time.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The form's media type.
const FORM: &str = "application/x-www-form-urlencoded";

/// Answers one `POST /websub`.
pub async fn answer<B>(hub: &Hub, request: Request<B>) -> Response<Full<Bytes>>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let inner = &hub.0;
    let (status, message) = match read_form(request).await {
        Ok(body) => match take(inner, &body) {
            Ok(()) => (
                StatusCode::ACCEPTED,
                "accepted: verification of intent follows\n".to_string(),
            ),
            Err(refusal) => refusal,
        },
        Err(refusal) => refusal,
    };
    let counter = if status == StatusCode::ACCEPTED {
        &inner.metrics.websub.accepted
    } else {
        &inner.metrics.websub.rejected
    };
    Metrics::bump(counter);
    text(status, message)
}

/// The body, if it is a form of acceptable size sent in time.
async fn read_form<B>(request: Request<B>) -> Result<Bytes, (StatusCode, String)>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(FORM);
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case(FORM) {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("the request must be {FORM}, not {media}\n"),
        ));
    }
    let body = Limited::new(request.into_body(), MAX_REQUEST_BYTES);
    match tokio::time::timeout(BODY_TIMEOUT, body.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request is larger than {MAX_REQUEST_BYTES} bytes\n"),
        )),
        Ok(Err(err)) => Err((
            StatusCode::BAD_REQUEST,
            format!("reading the request: {err}\n"),
        )),
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time\n".into(),
        )),
    }
}

/// Checks a form and starts its verification.
fn take(inner: &Arc<Inner>, body: &[u8]) -> Result<(), (StatusCode, String)> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, format!("{why}\n"));
    let pairs = form_urlencoded::parse(body);
    let request = request::parse(pairs, &inner.base_url, inner.leases(), |p| inner.is_feed(p))
        .map_err(bad)?;
    inner.policy.check_url(&request.callback).map_err(bad)?;
    if request.mode == request::Mode::Subscribe {
        if let Some(reason) = inner.over_cap(&request.path, request.callback.as_str()) {
            return Err((StatusCode::TOO_MANY_REQUESTS, format!("{reason}\n")));
        }
    }
    let Ok(slot) = Arc::clone(&inner.verifying).try_acquire_owned() else {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "too many verifications in progress; try again later\n".into(),
        ));
    };
    tokio::spawn(super::verify::verify(Arc::clone(inner), request, slot));
    Ok(())
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let length = HeaderValue::from(body.len());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, length);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
