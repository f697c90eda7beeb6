//! Which kind of route a request path is, for the request counters (a
//! bounded label set: never the path itself).

use super::routes::{self, Route};
use crate::metrics::http::RouteKind;
use crate::render::Format;

/// The kind of route `raw_path` (still percent-encoded) goes to.
pub fn route_kind(raw_path: &str) -> RouteKind {
    kind_of(&routes::route(raw_path))
}

/// The kind of an already routed request.
pub fn kind_of(route: &Route<'_>) -> RouteKind {
    match route {
        Route::Health => RouteKind::Health,
        Route::Metrics => RouteKind::Metrics,
        Route::WebSub => RouteKind::WebSub,
        Route::Page(_) => RouteKind::Page,
        Route::OldPage(_) => RouteKind::Redirect,
        Route::Archive { .. } => RouteKind::Archive,
        Route::Entity(path) if path == "/" => RouteKind::Index,
        Route::Entity(path) if path == crate::render::OPML_PATH => RouteKind::Opml,
        Route::Entity(path) if is_feed(path) => RouteKind::Feed,
        Route::Entity(_) | Route::Forbidden | Route::BadRequest => RouteKind::Other,
    }
}

/// Whether the last segment of `path` is a feed's file name.
fn is_feed(path: &str) -> bool {
    path.rsplit_once('/')
        .is_some_and(|(_, name)| Format::ALL.iter().any(|f| f.file_name() == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_paths() {
        for (path, kind) in [
            ("/", RouteKind::Index),
            ("/feed.rss", RouteKind::Feed),
            ("/%E6%B1%9F/feed.json", RouteKind::Feed),
            ("/items/0123456789abcdef.html", RouteKind::Page),
            ("/items/0123456789abcdef", RouteKind::Redirect),
            ("/healthz", RouteKind::Health),
            ("/metrics", RouteKind::Metrics),
            ("/websub", RouteKind::WebSub),
            ("/nothing", RouteKind::Other),
            ("/xfeed.rss", RouteKind::Other),
            ("/opml.xml", RouteKind::Opml),
            ("/archive/3.atom", RouteKind::Archive),
            ("/city/archive/0.json", RouteKind::Archive),
            ("/../etc/passwd", RouteKind::Other),
        ] {
            assert_eq!(route_kind(path), kind, "{path}");
        }
    }
}
