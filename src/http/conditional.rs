//! Conditional requests (RFC 9110 §13.2.2), as one pure function.
//!
//! Precedence, as the RFC orders it: `If-Match` (strong comparison), else
//! `If-Unmodified-Since`; then `If-None-Match` (weak comparison, lists, `*`),
//! else — and only without `If-None-Match` — `If-Modified-Since` at
//! one-second precision. An `If-Modified-Since` that cannot be parsed, or
//! names a time later than the server's clock, is ignored (RFC 9110
//! §13.1.3). Range requests are not supported, so step 5 does not arise.

use std::time::SystemTime;

use hyper::Method;

/// The request's precondition headers (all values of each field joined with
/// `, `), `None` when absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions<'a> {
    /// `If-Match`.
    pub if_match: Option<&'a str>,
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<&'a str>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<&'a str>,
}

impl Conditions<'_> {
    /// Whether the request has no precondition at all.
    pub fn is_empty(&self) -> bool {
        self.if_match.is_none()
            && self.if_none_match.is_none()
            && self.if_modified_since.is_none()
            && self.if_unmodified_since.is_none()
    }
}

/// What the server should do with a request for an existing representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every condition holds (or none was given): send the representation.
    Send,
    /// `304 Not Modified`, naming which of the given ETags matched (the
    /// first when it was the date that matched).
    NotModified(usize),
    /// `412 Precondition Failed`.
    PreconditionFailed,
}

/// Evaluates the preconditions for the selected representation, whose
/// strong ETags are `etags` (quoted; the selected coding's first, then the
/// other codings' of the same version, any of which a client may hold) and
/// whose modification time, in whole seconds, is `last_modified`; `now` is
/// the server's clock.
pub fn evaluate(
    method: &Method,
    conditions: &Conditions<'_>,
    etags: &[&str],
    last_modified: Option<SystemTime>,
    now: SystemTime,
) -> Outcome {
    let safe = method == Method::GET || method == Method::HEAD;
    // Step 1 / 2.
    if let Some(header) = conditions.if_match {
        if !etags
            .iter()
            .any(|e| etag_matches(header, e, Comparison::Strong))
        {
            return Outcome::PreconditionFailed;
        }
    } else if let (Some(date), Some(modified)) = (
        conditions.if_unmodified_since.and_then(parse_date),
        last_modified,
    ) {
        if modified > date {
            return Outcome::PreconditionFailed;
        }
    }
    // Step 3 / 4.
    if let Some(header) = conditions.if_none_match {
        if let Some(i) = etags
            .iter()
            .position(|e| etag_matches(header, e, Comparison::Weak))
        {
            return if safe {
                Outcome::NotModified(i)
            } else {
                Outcome::PreconditionFailed
            };
        }
    } else if safe {
        if let (Some(date), Some(modified)) = (
            conditions
                .if_modified_since
                .and_then(parse_date)
                .filter(|date| *date <= now),
            last_modified,
        ) {
            if modified <= date {
                return Outcome::NotModified(0);
            }
        }
    }
    Outcome::Send
}

/// An HTTP date; invalid dates are ignored, as RFC 9110 requires.
fn parse_date(value: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(value.trim()).ok()
}

/// How two entity tags are compared (RFC 9110 §8.8.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// Both strong and identical.
    Strong,
    /// Identical opaque tags, `W/` ignored.
    Weak,
}

/// Whether the `If-Match` / `If-None-Match` field value `header` (`*` or a
/// list of entity tags) matches our strong `etag`. Parsing stops at the first
/// malformed member; the members before it still count.
fn etag_matches(header: &str, etag: &str, comparison: Comparison) -> bool {
    if header.trim() == "*" {
        return true;
    }
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let (weak, tagged) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let Some(inner) = tagged.strip_prefix('"') else {
            return false;
        };
        let Some(end) = inner.find('"') else {
            return false;
        };
        let candidate = &tagged[..end + 2];
        let equal = candidate == etag;
        let matched = match comparison {
            Comparison::Strong => equal && !weak,
            Comparison::Weak => equal,
        };
        if matched {
            return true;
        }
        rest = &inner[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const TAG: &str = "\"abc\"";
    /// Last-Modified of the representation: Sun, 06 Nov 1994 08:49:37 GMT.
    fn modified() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }
    const SAME: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const LATER: &str = "Sun, 06 Nov 1994 08:49:38 GMT";
    const EARLIER: &str = "Sun, 06 Nov 1994 08:49:36 GMT";

    fn c<'a>(
        im: Option<&'a str>,
        inm: Option<&'a str>,
        ims: Option<&'a str>,
        ius: Option<&'a str>,
    ) -> Conditions<'a> {
        Conditions {
            if_match: im,
            if_none_match: inm,
            if_modified_since: ims,
            if_unmodified_since: ius,
        }
    }

    #[test]
    fn rfc_9110_precedence() {
        use Outcome::{PreconditionFailed, Send};
        #[allow(non_upper_case_globals)]
        const NotModified: Outcome = Outcome::NotModified(0);
        let get = Method::GET;
        let head = Method::HEAD;
        let cases: Vec<(&str, &Method, Conditions<'_>, Option<SystemTime>, Outcome)> = vec![
            (
                "no conditions",
                &get,
                c(None, None, None, None),
                Some(modified()),
                Send,
            ),
            // Step 3: If-None-Match, weak comparison.
            (
                "inm exact",
                &get,
                c(None, Some(TAG), None, None),
                None,
                NotModified,
            ),
            (
                "inm exact HEAD",
                &head,
                c(None, Some(TAG), None, None),
                None,
                NotModified,
            ),
            (
                "inm weak form matches",
                &get,
                c(None, Some("W/\"abc\""), None, None),
                None,
                NotModified,
            ),
            (
                "inm star",
                &get,
                c(None, Some("*"), None, None),
                None,
                NotModified,
            ),
            (
                "inm list",
                &get,
                c(None, Some("\"x\", \"abc\" ,W/\"y\""), None, None),
                None,
                NotModified,
            ),
            (
                "inm list no spaces",
                &get,
                c(None, Some("\"x\",\"abc\""), None, None),
                None,
                NotModified,
            ),
            (
                "inm comma inside tag",
                &get,
                c(None, Some("\"a,b\", \"abc\""), None, None),
                None,
                NotModified,
            ),
            (
                "inm no match",
                &get,
                c(None, Some("\"other\""), None, None),
                Some(modified()),
                Send,
            ),
            (
                "inm unquoted is malformed",
                &get,
                c(None, Some("abc"), None, None),
                None,
                Send,
            ),
            (
                "inm prefix is not a match",
                &get,
                c(None, Some("\"ab\""), None, None),
                None,
                Send,
            ),
            (
                "inm malformed after match",
                &get,
                c(None, Some("\"abc\", junk"), None, None),
                None,
                NotModified,
            ),
            (
                "inm match on POST fails",
                &Method::POST,
                c(None, Some(TAG), None, None),
                None,
                PreconditionFailed,
            ),
            // Step 4 only without If-None-Match.
            (
                "inm miss beats ims hit",
                &get,
                c(None, Some("\"other\""), Some(SAME), None),
                Some(modified()),
                Send,
            ),
            (
                "inm hit with ims miss",
                &get,
                c(None, Some(TAG), Some(EARLIER), None),
                Some(modified()),
                NotModified,
            ),
            (
                "ims same second",
                &get,
                c(None, None, Some(SAME), None),
                Some(modified()),
                NotModified,
            ),
            (
                "ims later",
                &get,
                c(None, None, Some(LATER), None),
                Some(modified()),
                NotModified,
            ),
            (
                "ims earlier",
                &get,
                c(None, None, Some(EARLIER), None),
                Some(modified()),
                Send,
            ),
            (
                "ims HEAD",
                &head,
                c(None, None, Some(SAME), None),
                Some(modified()),
                NotModified,
            ),
            (
                "ims invalid date ignored",
                &get,
                c(None, None, Some("yesterday"), None),
                Some(modified()),
                Send,
            ),
            (
                "ims without last-modified",
                &get,
                c(None, None, Some(SAME), None),
                None,
                Send,
            ),
            (
                "ims ignored on POST",
                &Method::POST,
                c(None, None, Some(SAME), None),
                Some(modified()),
                Send,
            ),
            (
                "ims obsolete rfc850 form",
                &get,
                c(None, None, Some("Sunday, 06-Nov-94 08:49:37 GMT"), None),
                Some(modified()),
                NotModified,
            ),
            // Step 1: If-Match, strong comparison.
            (
                "if-match hit",
                &get,
                c(Some(TAG), None, None, None),
                None,
                Send,
            ),
            (
                "if-match star",
                &get,
                c(Some("*"), None, None, None),
                None,
                Send,
            ),
            (
                "if-match miss",
                &get,
                c(Some("\"other\""), None, None, None),
                None,
                PreconditionFailed,
            ),
            (
                "if-match weak never matches",
                &get,
                c(Some("W/\"abc\""), None, None, None),
                None,
                PreconditionFailed,
            ),
            (
                "if-match hit then inm hit",
                &get,
                c(Some(TAG), Some(TAG), None, None),
                None,
                NotModified,
            ),
            // Step 2 only without If-Match.
            (
                "ius modified since",
                &get,
                c(None, None, None, Some(EARLIER)),
                Some(modified()),
                PreconditionFailed,
            ),
            (
                "ius not modified",
                &get,
                c(None, None, None, Some(SAME)),
                Some(modified()),
                Send,
            ),
            (
                "ius ignored under if-match",
                &get,
                c(Some(TAG), None, None, Some(EARLIER)),
                Some(modified()),
                Send,
            ),
            (
                "ius invalid ignored",
                &get,
                c(None, None, None, Some("nope")),
                Some(modified()),
                Send,
            ),
        ];
        let now = modified() + Duration::from_secs(3600);
        for (name, method, conditions, last_modified, want) in cases {
            assert_eq!(
                evaluate(method, &conditions, &[TAG], last_modified, now),
                want,
                "{name}"
            );
        }
        // A date later than the server's clock is ignored.
        let future = c(None, None, Some("Sun, 06 Nov 1994 10:49:38 GMT"), None);
        assert_eq!(evaluate(&get, &future, &[TAG], Some(modified()), now), Send);
        // Any coding's ETag of this version matches, and is named.
        let other = c(None, Some("\"gz\""), None, None);
        assert_eq!(
            evaluate(&get, &other, &[TAG, "\"gz\""], None, now),
            Outcome::NotModified(1)
        );
    }
}
