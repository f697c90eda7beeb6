//! Serves a rendered, hand-built sample through `bulletind::http::serve`,
//! without parser, store or daemon: for the conformance harness and the perf
//! tools.
//!
//! ```sh
//! cargo run --release --example serve_fixture -- --listen 127.0.0.1:8080 --items 30
//! shared/conformance/check.sh http://127.0.0.1:8080
//! ```
//!
//! Items are generated deterministically from a few paragraphs of the
//! Jianghai sample page, in two channels (`江海`, `news`); one title carries
//! `&`, `<` and `]]>` to exercise escaping end to end.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bulletind::http::{serve, HttpOptions};
use bulletind::metrics::Metrics;
use bulletind::model::{Article, Author, Block, Item, Role};
use bulletind::render::{
    feed_path, item_path, render_feed, render_index, render_item_page, Format, Published, Site,
};
use chrono::{DateTime, Duration as ChronoDuration, FixedOffset};
use clap::Parser;

/// Command line of the fixture server.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Number of items to generate (newest first in every feed).
    #[arg(long, default_value_t = 30)]
    items: usize,
    /// Base URL written into the feeds; default `http://LISTEN/`.
    #[arg(long)]
    base_url: Option<String>,
    /// Run on tokio's single-threaded runtime instead of the multi-threaded
    /// one (to compare scheduler overhead with the perf baseline).
    #[arg(long)]
    current_thread: bool,
}

const TITLES: [&str; 5] = [
    "江海区实行“六学模式” 推动党的二十大精神深入人心",
    "人大代表到社区听民声解民忧 推进老旧小区改造",
    "江海区组织领导干部旁听庭审 提高依法行政能力",
    "Tom & Jerry <b>not bold</b> ]]> test",
    "外海街道开展送课进村活动",
];

const PARAGRAPHS: [&str; 4] = [
    "为深入学习宣传贯彻党的二十大精神，扎实推进全区党的二十大精神宣讲工作，12月7日上午，江海区召开学习贯彻党的二十大精神宣讲团集体备课会。",
    "此次集体备课会既是一次宣讲动员会，又是一次培训会，为宣讲员精准把握党的二十大精神提供了理论支撑。",
    "全区党员干部坚持先学一步，深学一层，宣传宣讲党的二十大精神，面对面听取企业、群众心声，激发企业发展内生动力，凝聚群众奋进力量。",
    "江海区还在“江海发布”“江门高新”、抖音等平台推送党的二十大精神全文解读、关键词、金句等内容，做到宣讲学习全覆盖。",
];

/// Item `n`: dated one hour apart from a fixed start, so output never
/// depends on the clock.
fn item(n: usize, start: DateTime<FixedOffset>) -> Item {
    let channel = if n % 2 == 0 { "江海" } else { "news" };
    let published = start + ChronoDuration::hours(i64::try_from(n).unwrap_or(0));
    let mut blocks = Vec::new();
    for (i, p) in PARAGRAPHS.iter().enumerate() {
        if i == 2 {
            blocks.push(Block::Subheading("领导带头 先学一步 深学一层".into()));
        }
        blocks.push(Block::Paragraph((*p).into()));
    }
    blocks.push(Block::Caption {
        text: "图为宣讲现场。礼乐街道供图".into(),
        credit: Some("礼乐街道".into()),
    });
    Item {
        id: format!("tag:127.0.0.1,2022-12-09:fixture-{n}"),
        slug: format!("fixture-{n}"),
        channel: channel.into(),
        article: Article {
            title: format!("{} ({n})", TITLES[n % TITLES.len()]),
            kicker: (n % 3 == 0).then(|| "学习宣传贯彻党的二十大精神".to_string()),
            subtitle: None,
            authors: vec![
                Author {
                    name: "陈婵".into(),
                    role: Role::Reporter,
                },
                Author {
                    name: "黄雅玲".into(),
                    role: Role::Correspondent,
                },
            ],
            section: Some("要闻".into()),
            blocks,
            ..Article::default()
        },
        published,
        updated: published,
    }
}

/// Renders every feed, page and the index.
fn publish(site: &Site, count: usize) -> anyhow::Result<Published> {
    let start = DateTime::parse_from_rfc3339("2022-12-09T08:00:00+08:00")?;
    let mut items: Vec<Item> = (0..count).map(|n| item(n, start)).collect();
    items.reverse(); // newest first
    let mut entities = HashMap::new();
    let mut channels: Vec<(String, usize)> = Vec::new();
    for channel in ["", "江海", "news"] {
        let selected: Vec<Item> = items
            .iter()
            .filter(|i| channel.is_empty() || i.channel == channel)
            .cloned()
            .collect();
        if !channel.is_empty() {
            channels.push((channel.to_string(), selected.len()));
        }
        for format in Format::ALL {
            let entity = render_feed(site, channel, &selected, format)
                .with_context(|| format!("rendering {channel:?} {format:?}"))?;
            entities.insert(feed_path(channel, format), Arc::new(entity));
        }
    }
    let pages_started = std::time::Instant::now();
    for item in &items {
        entities.insert(
            item_path(&item.slug),
            Arc::new(render_item_page(site, item)),
        );
    }
    eprintln!(
        "item pages: {} in {:.1} ms",
        items.len(),
        pages_started.elapsed().as_secs_f64() * 1e3
    );
    entities.insert("/".into(), Arc::new(render_index(site, &channels, &[])));
    Ok(Published { entities })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = if args.current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let site = Site {
        title: "江门日报 · 江海新闻".into(),
        description: "Jianghai district news, as a fixture".into(),
        language: "zh-CN".into(),
        author: None,
        base_url: args.base_url.unwrap_or_else(|| format!("http://{addr}/")),
    };
    let started = std::time::Instant::now();
    let published = publish(&site, args.items)?;
    eprintln!(
        "rendered {} entities from {} items in {:.1} ms",
        published.entities.len(),
        args.items,
        started.elapsed().as_secs_f64() * 1e3
    );
    let (_keep, rx) = tokio::sync::watch::channel(Arc::new(published));
    let opts = HttpOptions {
        max_age: 60,
        max_connections: 1024,
        header_read_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(5),
    };
    println!("listening on http://{addr}/");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(listener, rx, Arc::new(Metrics::default()), opts, shutdown).await?;
    Ok(())
}
