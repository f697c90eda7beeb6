//! A WebSub subscriber written for the tests, following the spec: it
//! answers verification requests by echoing `hub.challenge` (or, when told
//! to, by refusing), records every verification, denial and delivered
//! notification with its headers, and answers deliveries with the statuses
//! it is given (one per delivery, then 200), or never (a dead subscriber).
//! Plain threads over `std::net` on loopback; each answer closes the
//! connection.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How verification requests are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// 200 with the challenge: intent confirmed.
    Echo,
    /// 200 with something else: not confirmed.
    WrongChallenge,
    /// Echo, after 300 ms.
    Slow,
}

/// A verification request (or denial) as received.
#[derive(Debug, Clone)]
pub struct Verification {
    pub mode: String,
    pub topic: String,
    pub lease: Option<u64>,
    pub reason: Option<String>,
    pub query: String,
}

/// A delivered notification as received.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub at: Instant,
    pub content_type: Option<String>,
    pub link: Option<String>,
    pub signature: Option<String>,
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
}

#[derive(Debug)]
struct State {
    verify: Verify,
    /// Statuses for the next deliveries, in order; then 200.
    statuses: VecDeque<u16>,
    /// Never answer deliveries (hold the connection open).
    hang: bool,
    verifications: Vec<Verification>,
    deliveries: Vec<Delivery>,
}

/// A running subscriber; its threads end with the test process.
#[derive(Clone)]
pub struct Subscriber {
    pub addr: SocketAddr,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl Subscriber {
    pub fn start() -> Subscriber {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind subscriber");
        let addr = listener.local_addr().expect("subscriber addr");
        let sub = Subscriber {
            addr,
            state: Arc::new((
                Mutex::new(State {
                    verify: Verify::Echo,
                    statuses: VecDeque::new(),
                    hang: false,
                    verifications: Vec::new(),
                    deliveries: Vec::new(),
                }),
                Condvar::new(),
            )),
        };
        let shared = sub.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sub = shared.clone();
                std::thread::spawn(move || sub.handle(stream));
            }
        });
        sub
    }

    /// The callback URL (with a query of its own, which the hub must keep).
    pub fn callback(&self, name: &str) -> String {
        format!("http://{}/cb/{name}?sub=1", self.addr)
    }

    pub fn set_verify(&self, verify: Verify) {
        self.lock().verify = verify;
    }

    /// The next deliveries are answered with these statuses.
    pub fn answer_with(&self, statuses: &[u16]) {
        self.lock().statuses.extend(statuses.iter().copied());
    }

    pub fn hang(&self, hang: bool) {
        self.lock().hang = hang;
    }

    pub fn verifications(&self) -> Vec<Verification> {
        self.lock().verifications.clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Waits (at most `within`) until `ok` holds for the state.
    pub fn wait(
        &self,
        within: Duration,
        ok: impl Fn(&[Verification], &[Delivery]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + within;
        let (lock, cond) = &*self.state;
        let mut state = lock.lock().expect("subscriber lock");
        loop {
            if ok(&state.verifications, &state.deliveries) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = cond.wait_timeout(state, left).expect("subscriber lock").0;
        }
    }

    /// Waits until there are `n` deliveries; returns them.
    pub fn wait_deliveries(&self, n: usize, within: Duration) -> Vec<Delivery> {
        assert!(
            self.wait(within, |_, d| d.len() >= n),
            "no {n} deliveries within {within:?}: {:?}",
            self.deliveries().len()
        );
        self.deliveries()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().expect("subscriber lock")
    }

    fn record(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.state.1.notify_all();
    }

    fn handle(&self, stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let Some((method, target, headers, body)) = read_request(&stream) else {
            return;
        };
        let query = target
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let header = |k: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        if method == "GET" {
            assert_eq!(
                get("sub").as_deref(),
                Some("1"),
                "the callback's own query is kept"
            );
            let mode = get("hub.mode").unwrap_or_default();
            let challenge = get("hub.challenge").unwrap_or_default();
            let verify = self.lock().verify;
            self.record(|s| {
                s.verifications.push(Verification {
                    mode: mode.clone(),
                    topic: get("hub.topic").unwrap_or_default(),
                    lease: get("hub.lease_seconds").and_then(|l| l.parse().ok()),
                    reason: get("hub.reason"),
                    query: query.clone(),
                })
            });
            let answer = match verify {
                Verify::Echo => challenge,
                Verify::Slow => {
                    std::thread::sleep(Duration::from_millis(300));
                    challenge
                }
                Verify::WrongChallenge => format!("{challenge}x"),
            };
            respond(stream, 200, &answer);
            return;
        }
        let (hang, status) = {
            let mut s = self.lock();
            let status = s.statuses.pop_front().unwrap_or(200);
            (s.hang, status)
        };
        if hang {
            // A dead subscriber: the connection stays open, unanswered.
            std::thread::sleep(Duration::from_secs(60));
            return;
        }
        self.record(|s| {
            s.deliveries.push(Delivery {
                at: Instant::now(),
                content_type: header("content-type"),
                link: header("link"),
                signature: header("x-hub-signature"),
                body,
                status,
            })
        });
        respond(stream, status, "");
    }
}

type Head = (String, String, Vec<(String, String)>, Vec<u8>);

/// Method, target, headers and body (by `Content-Length`).
fn read_request(stream: &TcpStream) -> Option<Head> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, target, headers, body))
}

fn respond(mut stream: TcpStream, status: u16, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}
