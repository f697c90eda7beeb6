//! External hub mode: `[websub] hub = URL` is advertised instead of the
//! built-in hub (which then answers nothing), and every change of a feed is
//! announced to it (`hub.mode=publish`, `hub.topic`, `hub.url`), retried
//! when the hub fails. The hub is a test double that records the pings.

use std::collections::BTreeSet;

use super::common::{Dirs, PATIENCE};
use super::subscriber::Subscriber;

#[test]
fn the_external_hub_is_advertised_and_pinged_on_every_change() {
    let hub = Subscriber::start();
    hub.answer_with(&[500]);
    let hub_url = format!("http://{}/hub", hub.addr);
    let dirs = Dirs::new();
    let d = super::start(&dirs, &format!("hub = \"{hub_url}\"\n"));
    let link = d.get("/feed.rss").header("link").map(str::to_string);
    assert_eq!(
        link,
        Some(format!(
            "<{hub_url}>; rel=\"hub\", <{}>; rel=\"self\"",
            super::topic(&d, "/feed.rss")
        ))
    );
    assert!(d
        .get("/feed.atom")
        .text()
        .contains(&format!("<link href=\"{hub_url}\" rel=\"hub\"/>")));
    let r = super::post(d.addr, "hub.mode=subscribe");
    assert_eq!(r.status, 404, "the built-in hub is off");

    super::drop_note(&dirs, "external");
    // Three feeds changed; one ping failed first and was retried.
    let pings = hub.wait_deliveries(4, PATIENCE);
    assert_eq!(pings[0].status, 500);
    let mut topics = BTreeSet::new();
    for ping in pings.iter().filter(|p| p.status == 200) {
        assert_eq!(
            ping.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        let form: Vec<(String, String)> = form_urlencoded::parse(&ping.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |k: &str| {
            form.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("hub.mode").as_deref(), Some("publish"));
        assert_eq!(get("hub.url"), get("hub.topic"));
        topics.insert(get("hub.topic").unwrap_or_default());
    }
    let want: BTreeSet<String> = ["/feed.atom", "/feed.json", "/feed.rss"]
        .iter()
        .map(|p| super::topic(&d, p))
        .collect();
    assert_eq!(topics, want);
    // Counted once the answer is read (the double records first).
    super::common::wait_until("three pings counted", || {
        super::metric(&d, "bulletind_websub_hub_pings_total{result=\"ok\"}") >= 3
    });
}
