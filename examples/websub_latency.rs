//! Measures the built-in WebSub hub on loopback: push latency (bulletin
//! renamed into the inbox → the subscriber has the new feed), p50/p99 over
//! 50 drops, and how many subscribers one change reaches within a second.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example websub_latency -- target/release/bulletind
//! ```
//!
//! Runs the given daemon binary on `127.0.0.1:0` with temporary folders and
//! a hyper subscriber (keep-alive, echoes challenges, records arrivals) on
//! loopback. Bounded: 50 drops, then fan-out rounds of at most 16,000
//! subscribers, each waiting at most 20 s.

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// Fan-out sizes tried, in order, until one misses the second.
const FAN_OUT: [usize; 7] = [100, 500, 1000, 2000, 4000, 8000, 16000];
/// Drops for the latency figures.
const DROPS: usize = 50;
/// Bound on any single wait.
const PATIENCE: Duration = Duration::from_secs(20);

/// Arrivals of deliveries since the last reset.
#[derive(Default)]
struct Arrivals {
    times: Vec<Instant>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let binary = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/release/bulletind".into());
    let dir = tempfile::tempdir()?;
    let (mut daemon, addr) = start_daemon(&binary, dir.path())?;
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let subscriber = start_subscriber(Arc::clone(&arrivals)).await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    wait_until(|| async {
        client
            .get(format!("http://{addr}/feed.json").parse().expect("uri"))
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;

    subscribe(&client, addr, subscriber, 0..1).await?;
    let mut latencies = Vec::new();
    for n in 0..DROPS {
        reset(&arrivals);
        let dropped = drop_note(dir.path(), &format!("lat{n}"))?;
        let arrived = wait_for(&arrivals, 1)
            .await
            .ok_or("no delivery within 20 s")?;
        latencies.push(arrived[0] - dropped);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "push latency over {DROPS} drops: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(50)),
        ms(pct(99)),
        ms(latencies[latencies.len() - 1])
    );

    let mut subscribed = 1;
    for target in FAN_OUT {
        subscribe(&client, addr, subscriber, subscribed..target).await?;
        subscribed = target;
        tokio::time::sleep(Duration::from_millis(300)).await;
        reset(&arrivals);
        let dropped = drop_note(dir.path(), &format!("fan{target}"))?;
        let Some(arrived) = wait_for(&arrivals, target).await else {
            println!("fan-out {target}: not all delivered within {PATIENCE:?}");
            break;
        };
        let last = arrived.iter().max().copied().unwrap_or(dropped) - dropped;
        let within: usize = arrived
            .iter()
            .filter(|t| **t - dropped <= Duration::from_secs(1))
            .count();
        println!(
            "fan-out {target}: last delivery {:.0} ms after the drop; {within} within 1 s",
            ms(last)
        );
        if last > Duration::from_secs(1) {
            break;
        }
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn start_daemon(
    binary: &str,
    root: &std::path::Path,
) -> Result<(Child, SocketAddr), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(root.join("inbox"))?;
    let config = root.join("bulletind.toml");
    std::fs::write(
        &config,
        "log = \"warn\"\n[websub]\nallow_private_callbacks = true\nmax_subscriptions = 20000\nmax_subscriptions_per_topic = 20000\n",
    )?;
    let mut child = Command::new(binary)
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--inbox")
        .arg(root.join("inbox"))
        .arg("--state-dir")
        .arg(root.join("state"))
        .arg("--feeds-dir")
        .arg(root.join("feeds"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|s| s.strip_suffix('/'))
        .ok_or("no listening line")?
        .parse()?;
    Ok((child, addr))
}

/// A keep-alive subscriber: echoes `hub.challenge`, records each POST.
async fn start_subscriber(arrivals: Arc<Mutex<Arrivals>>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let arrivals = Arc::clone(&arrivals);
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let arrivals = Arc::clone(&arrivals);
                async move {
                    let query = req.uri().query().unwrap_or_default().to_string();
                    let post = req.method() == hyper::Method::POST;
                    let _ = req.into_body().collect().await;
                    let body = if post {
                        lock(&arrivals).times.push(Instant::now());
                        String::new()
                    } else {
                        form_urlencoded::parse(query.as_bytes())
                            .find(|(k, _)| k == "hub.challenge")
                            .map(|(_, v)| v.into_owned())
                            .unwrap_or_default()
                    };
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

/// Subscribes callbacks `/cb/I` for `range` to `/feed.json`, 200 at a time,
/// and waits until the hub counts them.
async fn subscribe(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    daemon: SocketAddr,
    subscriber: SocketAddr,
    range: std::ops::Range<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    let want = range.end;
    let ids: Vec<usize> = range.collect();
    for chunk in ids.chunks(200) {
        let mut requests = Vec::new();
        for i in chunk {
            let form = form_urlencoded::Serializer::new(String::new())
                .append_pair("hub.mode", "subscribe")
                .append_pair("hub.topic", &format!("http://{daemon}/feed.json"))
                .append_pair("hub.callback", &format!("http://{subscriber}/cb/{i}"))
                .finish();
            let request = Request::post(format!("http://{daemon}/websub"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Full::new(Bytes::from(form)))?;
            requests.push(tokio::spawn(client.request(request)));
        }
        for r in requests {
            if r.await??.status() != 202 {
                return Err("a subscription was not accepted".into());
            }
        }
        wait_until(|| async { active(client, daemon).await > chunk[chunk.len() - 1] }).await;
    }
    wait_until(|| async { active(client, daemon).await >= want }).await;
    Ok(())
}

/// Active subscriptions of `/feed.json`, from `/metrics`.
async fn active(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    daemon: SocketAddr,
) -> usize {
    let Ok(response) = client
        .get(format!("http://{daemon}/metrics").parse().expect("uri"))
        .await
    else {
        return 0;
    };
    let Ok(body) = response.into_body().collect().await else {
        return 0;
    };
    String::from_utf8_lossy(&body.to_bytes())
        .lines()
        .find_map(|l| l.strip_prefix("bulletind_websub_subscriptions{topic=\"/feed.json\"} "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn drop_note(root: &std::path::Path, n: &str) -> std::io::Result<Instant> {
    let staging = root.join(format!("{n}.md"));
    std::fs::write(&staging, format!("# Measured note {n}\n\nBody {n}.\n"))?;
    let at = Instant::now();
    std::fs::rename(&staging, root.join("inbox").join(format!("{n}.md")))?;
    Ok(at)
}

fn reset(arrivals: &Mutex<Arrivals>) {
    lock(arrivals).times.clear();
}

async fn wait_for(arrivals: &Mutex<Arrivals>, n: usize) -> Option<Vec<Instant>> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        {
            let a = lock(arrivals);
            if a.times.len() >= n {
                return Some(a.times.clone());
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

async fn wait_until<F: std::future::Future<Output = bool>>(f: impl Fn() -> F) {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline && !f().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
