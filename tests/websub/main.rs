//! The built-in WebSub hub end to end: the real daemon on `127.0.0.1:0`
//! and the spec-following subscriber of [`subscriber`] on loopback:
//! discovery, subscribe and verify, signed pushes within a second of a
//! drop, resubscription, unsubscription, lease expiry, retries, `410`, a
//! dead subscriber, refused requests, restarts; [`external`] the external
//! hub mode; [`flask`] the `flask-websub` subscriber, where installed.

#[path = "../common/mod.rs"]
mod common;

mod external;
mod flask;
mod subscriber;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{Daemon, Dirs, Response, PATIENCE};
use hmac::{Hmac, Mac};
use subscriber::{Subscriber, Verify};

/// The push promise: a change reaches subscribers within this time.
const PUSH_WITHIN: Duration = Duration::from_secs(1);

/// The daemon with a test-friendly `[websub]` table (short leases and
/// retries, loopback callbacks) plus `extra` lines.
fn start(dirs: &Dirs, extra: &str) -> Daemon {
    let d = Daemon::start_config(
        dirs,
        &format!(
            "[websub]\nallow_private_callbacks = true\nmin_lease_seconds = 1\nretry_base_ms = 100\ndelivery_retries = 2\ntimeout_ms = 1500\n{extra}"
        ),
    );
    d.wait_for("/feed.atom", "the first snapshot", |r| r.status == 200);
    d
}

fn topic(d: &Daemon, path: &str) -> String {
    format!("http://{}{path}", d.addr)
}

/// POSTs a form to `/websub`.
fn post(addr: SocketAddr, body: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "POST /websub HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: Default::default(),
        body: body.as_bytes().to_vec(),
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Subscribes `callback` to `path` and waits until the hub counts it.
fn subscribe(d: &Daemon, path: &str, callback: &str, more: &[(&str, &str)]) {
    let topic = topic(d, path);
    let mut pairs = vec![
        ("hub.mode", "subscribe"),
        ("hub.topic", topic.as_str()),
        ("hub.callback", callback),
    ];
    pairs.extend_from_slice(more);
    let r = post(d.addr, &form(&pairs));
    assert_eq!(r.status, 202, "subscribe: {}", r.text());
}

/// Active subscriptions of `path`, from `/metrics`.
fn active(d: &Daemon, path: &str) -> u64 {
    d.metric(&format!(
        "bulletind_websub_subscriptions{{topic=\"{path}\"}}"
    ))
    .unwrap_or(0)
}

fn wait_active(d: &Daemon, path: &str, n: u64) {
    common::wait_until(&format!("{n} subscriptions of {path}"), || {
        active(d, path) == n
    });
}

/// A metric's value from `/metrics` (the first line starting so).
fn metric(d: &Daemon, start: &str) -> u64 {
    d.get("/metrics")
        .text()
        .lines()
        .find_map(|l| l.strip_prefix(start).and_then(|n| n.trim().parse().ok()))
        .unwrap_or(0)
}

/// Drops a new bulletin; returns when it was dropped.
fn drop_note(dirs: &Dirs, n: &str) -> Instant {
    let at = Instant::now();
    dirs.drop_file(
        &format!("note-{n}.md"),
        format!("---\ntitle: Note {n}\n---\n\n# WebSub note {n}\n\nBody of note {n}.\n").as_bytes(),
    );
    at
}

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("hmac key");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn feeds_advertise_the_hub_and_themselves() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let hub = format!("http://{}/websub", d.addr);
    for path in ["/feed.atom", "/feed.rss", "/feed.json"] {
        let r = d.get(path);
        let own = topic(&d, path);
        assert_eq!(
            r.header("link"),
            Some(format!("<{hub}>; rel=\"hub\", <{own}>; rel=\"self\"").as_str()),
            "{path}"
        );
        let body = r.text();
        assert!(body.contains(&hub), "{path} names the hub: {body}");
        assert!(body.contains(&own), "{path} names itself");
    }
    assert!(d
        .get("/feed.atom")
        .text()
        .contains(&format!("<link href=\"{hub}\" rel=\"hub\"/>")));
    assert!(d
        .get("/feed.rss")
        .text()
        .contains(&format!("<atom:link href=\"{hub}\" rel=\"hub\"/>")));
    let json = d.json("/feed.json");
    assert_eq!(json["hubs"][0]["type"], "WebSub");
    assert_eq!(json["hubs"][0]["url"], hub.as_str());
    assert_eq!(d.get("/").header("link"), None, "the index is no topic");
    // A conditional answer carries it too.
    let etag = d
        .get("/feed.atom")
        .header("etag")
        .map(str::to_string)
        .expect("etag");
    let r = common::request(d.addr, "GET", "/feed.atom", &[("If-None-Match", &etag)]);
    assert_eq!(r.status, 304);
    assert!(r.header("link").is_some_and(|l| l.contains("rel=\"hub\"")));
}

#[test]
fn subscribe_verify_and_receive_a_signed_push_within_a_second() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    let callback = sub.callback("a");
    subscribe(
        &d,
        "/feed.atom",
        &callback,
        &[("hub.secret", "s3cr3t"), ("hub.lease_seconds", "3600")],
    );
    wait_active(&d, "/feed.atom", 1);
    let v = &sub.verifications()[0];
    assert_eq!((v.mode.as_str(), v.lease), ("subscribe", Some(3600)));
    assert_eq!(v.topic, topic(&d, "/feed.atom"));
    assert!(
        !v.query.contains("s3cr3t"),
        "the secret never travels in a URL"
    );

    let dropped = drop_note(&dirs, "signed");
    let got = sub.wait_deliveries(1, PATIENCE);
    let push = &got[0];
    let took = push.at - dropped;
    assert!(took < PUSH_WITHIN, "pushed {took:?} after the drop");
    let body = String::from_utf8_lossy(&push.body);
    assert!(body.contains("WebSub note signed"), "{body}");
    assert_eq!(
        push.content_type.as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert!(push
        .link
        .as_deref()
        .is_some_and(|l| l.contains("rel=\"hub\"")
            && l.contains(&format!("<{}>; rel=\"self\"", topic(&d, "/feed.atom")))));
    assert_eq!(
        push.signature.as_deref(),
        Some(format!("sha256={}", hmac_hex(b"s3cr3t", &push.body)).as_str())
    );
    assert_eq!(
        push.body,
        d.get("/feed.atom").body,
        "the full document as served"
    );
    let log = std::fs::read_to_string(dirs.log()).unwrap_or_default();
    assert!(!log.contains("s3cr3t"), "a secret is never logged");
    // Counted once the answer is read (the subscriber records first).
    common::wait_until("the delivery counted", || {
        metric(
            &d,
            "bulletind_websub_deliveries_total{topic=\"/feed.atom\",result=\"delivered\"}",
        ) >= 1
    });
}

#[test]
fn without_a_secret_and_with_unknown_parameters() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    subscribe(
        &d,
        "/feed.json",
        &sub.callback("j"),
        &[("hub.extra", "ignored"), ("foo", "bar")],
    );
    wait_active(&d, "/feed.json", 1);
    assert_eq!(
        sub.verifications()[0].lease,
        Some(864_000),
        "the default lease: 10 days"
    );
    drop_note(&dirs, "plain");
    let push = &sub.wait_deliveries(1, PATIENCE)[0];
    assert_eq!(push.signature, None);
    assert_eq!(
        push.content_type.as_deref(),
        Some("application/feed+json; charset=utf-8")
    );
    let json: serde_json::Value = serde_json::from_slice(&push.body).expect("JSON Feed");
    assert_eq!(json["items"][0]["title"], "WebSub note plain");
}

#[test]
fn resubscription_replaces_only_once_verified() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    let cb = sub.callback("r");
    subscribe(&d, "/feed.rss", &cb, &[("hub.secret", "first")]);
    wait_active(&d, "/feed.rss", 1);
    // A renewal the subscriber does not confirm changes nothing.
    sub.set_verify(Verify::WrongChallenge);
    subscribe(&d, "/feed.rss", &cb, &[("hub.secret", "second")]);
    assert!(sub.wait(PATIENCE, |v, _| v.len() == 2));
    std::thread::sleep(Duration::from_millis(200));
    drop_note(&dirs, "r1");
    let push = sub.wait_deliveries(1, PATIENCE)[0].clone();
    assert_eq!(
        push.signature,
        Some(format!("sha256={}", hmac_hex(b"first", &push.body)))
    );
    // A confirmed one replaces it: still one subscription, the new secret.
    sub.set_verify(Verify::Echo);
    subscribe(&d, "/feed.rss", &cb, &[("hub.secret", "second")]);
    assert!(sub.wait(PATIENCE, |v, _| v.len() == 3));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(active(&d, "/feed.rss"), 1);
    drop_note(&dirs, "r2");
    let push = sub.wait_deliveries(2, PATIENCE)[1].clone();
    assert_eq!(
        push.signature,
        Some(format!("sha256={}", hmac_hex(b"second", &push.body)))
    );
}

#[test]
fn unsubscribe_is_verified_and_stops_deliveries() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    let cb = sub.callback("u");
    subscribe(&d, "/feed.atom", &cb, &[]);
    wait_active(&d, "/feed.atom", 1);
    let r = post(
        d.addr,
        &form(&[
            ("hub.mode", "unsubscribe"),
            ("hub.topic", &topic(&d, "/feed.atom")),
            ("hub.callback", &cb),
        ]),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    wait_active(&d, "/feed.atom", 0);
    let v = sub.verifications();
    assert_eq!((v[1].mode.as_str(), v[1].lease), ("unsubscribe", None));
    drop_note(&dirs, "after-unsubscribe");
    d.wait_for("/feed.atom", "the new note", |r| {
        r.text().contains("after-unsubscribe")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(sub.deliveries().is_empty(), "nothing after unsubscribing");
}

#[test]
fn leases_expire() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    subscribe(
        &d,
        "/feed.atom",
        &sub.callback("l"),
        &[("hub.lease_seconds", "1")],
    );
    wait_active(&d, "/feed.atom", 1);
    assert_eq!(sub.verifications()[0].lease, Some(1));
    wait_active(&d, "/feed.atom", 0);
    common::wait_until("the expiry counted", || {
        metric(
            &d,
            "bulletind_websub_verifications_total{result=\"expired\"}",
        ) >= 1
    });
    drop_note(&dirs, "expired");
    d.wait_for("/feed.atom", "the new note", |r| {
        r.text().contains("note expired")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(sub.deliveries().is_empty(), "no delivery after the lease");
}

#[test]
fn a_failed_delivery_is_retried() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    sub.answer_with(&[500]);
    subscribe(&d, "/feed.atom", &sub.callback("retry"), &[]);
    wait_active(&d, "/feed.atom", 1);
    drop_note(&dirs, "retried");
    let got = sub.wait_deliveries(2, PATIENCE);
    assert_eq!((got[0].status, got[1].status), (500, 200));
    assert_eq!(got[0].body, got[1].body, "the same content again");
    let retry = got[1].at - got[0].at;
    assert!(
        retry >= Duration::from_millis(90),
        "after the backoff: {retry:?}"
    );
    assert_eq!(
        metric(
            &d,
            "bulletind_websub_deliveries_total{topic=\"/feed.atom\",result=\"retried\"}"
        ),
        1
    );
    assert_eq!(active(&d, "/feed.atom"), 1);
}

#[test]
fn retries_end_and_the_notification_is_dropped_not_the_subscription() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    sub.answer_with(&[503, 503, 503]);
    subscribe(&d, "/feed.atom", &sub.callback("drop"), &[]);
    wait_active(&d, "/feed.atom", 1);
    drop_note(&dirs, "dropped");
    sub.wait_deliveries(3, PATIENCE);
    let dropped = "bulletind_websub_deliveries_total{topic=\"/feed.atom\",result=\"dropped\"}";
    common::wait_until("the drop counted", || metric(&d, dropped) == 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        sub.deliveries().len(),
        3,
        "1 attempt + delivery_retries = 2"
    );
    assert_eq!(active(&d, "/feed.atom"), 1);
    drop_note(&dirs, "next");
    let got = sub.wait_deliveries(4, PATIENCE);
    assert_eq!(got[3].status, 200);
}

#[test]
fn gone_removes_the_subscription() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let sub = Subscriber::start();
    sub.answer_with(&[410]);
    subscribe(&d, "/feed.atom", &sub.callback("gone"), &[]);
    wait_active(&d, "/feed.atom", 1);
    drop_note(&dirs, "gone1");
    sub.wait_deliveries(1, PATIENCE);
    wait_active(&d, "/feed.atom", 0);
    drop_note(&dirs, "gone2");
    d.wait_for("/feed.atom", "the new note", |r| {
        r.text().contains("note gone2")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sub.deliveries().len(), 1, "nothing after 410");
}

#[test]
fn a_dead_subscriber_delays_no_one() {
    let dirs = Dirs::new();
    let d = start(&dirs, "");
    let dead = Subscriber::start();
    dead.hang(true);
    let alive: Vec<Subscriber> = (0..3).map(|_| Subscriber::start()).collect();
    subscribe(&d, "/feed.atom", &dead.callback("dead"), &[]);
    for (i, s) in alive.iter().enumerate() {
        subscribe(&d, "/feed.atom", &s.callback(&format!("alive{i}")), &[]);
    }
    wait_active(&d, "/feed.atom", 4);
    for round in 1..=3 {
        let dropped = drop_note(&dirs, &format!("busy{round}"));
        for s in &alive {
            let push = s.wait_deliveries(round, PATIENCE)[round - 1].clone();
            let took = push.at - dropped;
            assert!(
                took < PUSH_WITHIN,
                "round {round}: {took:?} with a dead subscriber"
            );
        }
        assert_eq!(d.get("/healthz").status, 200);
    }
}

#[test]
fn requests_the_hub_cannot_take_are_refused_with_a_reason() {
    let dirs = Dirs::new();
    let d = start(&dirs, "max_subscriptions_per_topic = 1\n");
    let sub = Subscriber::start();
    let cb = sub.callback("x");
    let t = topic(&d, "/feed.atom");
    for (pairs, status, needle) in [
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", "http://example.org/feed.atom"),
                ("hub.callback", cb.as_str()),
            ],
            400,
            "not a feed of this hub",
        ),
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", &format!("http://{}/nothing.rss", d.addr)),
                ("hub.callback", cb.as_str()),
            ],
            400,
            "not a feed of this hub",
        ),
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", t.as_str()),
                ("hub.callback", "ftp://x/"),
            ],
            400,
            "http or https",
        ),
        (
            vec![
                ("hub.mode", "publish"),
                ("hub.topic", t.as_str()),
                ("hub.callback", cb.as_str()),
            ],
            400,
            "hub.mode",
        ),
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", t.as_str()),
                ("hub.callback", cb.as_str()),
                ("hub.secret", &"k".repeat(200)),
            ],
            400,
            "200 bytes",
        ),
    ] {
        let r = post(d.addr, &form(&pairs));
        assert_eq!(r.status, status, "{pairs:?}: {}", r.text());
        assert!(r.text().contains(needle), "{pairs:?}: {}", r.text());
    }
    let huge = format!("hub.mode=subscribe&x={}", "a".repeat(20_000));
    assert_eq!(post(d.addr, &huge).status, 413);
    assert_eq!(d.get("/websub").status, 405);
    // The cap per topic.
    subscribe(&d, "/feed.atom", &cb, &[]);
    wait_active(&d, "/feed.atom", 1);
    let r = post(
        d.addr,
        &form(&[
            ("hub.mode", "subscribe"),
            ("hub.topic", &t),
            ("hub.callback", &sub.callback("y")),
        ]),
    );
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(
        sub.verifications().len() == 1,
        "refused requests are not verified"
    );
}

#[test]
fn a_subscription_over_the_cap_after_verification_is_denied() {
    let dirs = Dirs::new();
    let d = start(&dirs, "max_subscriptions_per_topic = 1\n");
    let sub = Subscriber::start();
    sub.set_verify(Verify::Slow);
    // Both pass the cap when asked (none active yet); only one fits.
    subscribe(&d, "/feed.atom", &sub.callback("one"), &[]);
    subscribe(&d, "/feed.atom", &sub.callback("two"), &[]);
    assert!(sub.wait(PATIENCE, |v, _| v.iter().any(|v| v.mode == "denied")));
    let denied: Vec<_> = sub
        .verifications()
        .into_iter()
        .filter(|v| v.mode == "denied")
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].topic, topic(&d, "/feed.atom"));
    assert!(
        denied[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("maximum")),
        "{denied:?}"
    );
    assert_eq!(active(&d, "/feed.atom"), 1);
    assert_eq!(
        metric(
            &d,
            "bulletind_websub_verifications_total{result=\"denied\"}"
        ),
        1
    );
}

#[test]
fn private_callbacks_are_refused_by_default() {
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    d.wait_for("/feed.atom", "the first snapshot", |r| r.status == 200);
    let t = topic(&d, "/feed.atom");
    for cb in [
        "http://127.0.0.1:9/cb",
        "http://localhost:9/cb",
        "http://[::1]:9/cb",
        "http://169.254.169.254/",
        "http://10.0.0.1/cb",
    ] {
        let r = post(
            d.addr,
            &form(&[
                ("hub.mode", "subscribe"),
                ("hub.topic", &t),
                ("hub.callback", cb),
            ]),
        );
        assert_eq!(r.status, 400, "{cb}: {}", r.text());
    }
}

#[test]
fn subscriptions_and_a_pending_delivery_survive_a_restart() {
    let dirs = Dirs::new();
    let sub = Subscriber::start();
    {
        let d = start(&dirs, "");
        subscribe(
            &d,
            "/feed.atom",
            &sub.callback("keep"),
            &[("hub.secret", "kept")],
        );
        wait_active(&d, "/feed.atom", 1);
        d.stop();
    }
    let d = start(&dirs, "");
    assert_eq!(active(&d, "/feed.atom"), 1, "restored");
    drop_note(&dirs, "restarted");
    let push = sub.wait_deliveries(1, PATIENCE)[0].clone();
    assert_eq!(
        push.signature,
        Some(format!("sha256={}", hmac_hex(b"kept", &push.body)))
    );

    // A delivery cut short by a crash is made once the daemon is back.
    sub.hang(true);
    drop_note(&dirs, "crash");
    d.wait_for("/feed.atom", "the new note", |r| {
        r.text().contains("note crash")
    });
    std::thread::sleep(Duration::from_millis(500));
    let mut d = d;
    d.child.kill().expect("kill -9");
    let _ = d.child.wait();
    sub.hang(false);
    let d = start(&dirs, "");
    let got = sub.wait_deliveries(2, PATIENCE);
    assert!(String::from_utf8_lossy(&got[1].body).contains("note crash"));
    assert_eq!(active(&d, "/feed.atom"), 1);
}
