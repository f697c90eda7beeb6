//! The daemon's memory depends on what it serves, not on history: after
//! ingesting many bulletins it stays under a generous bound. (The real
//! figures, at 100,000 and 300,000 articles, come from
//! `../shared/perf/scale.py` and are in the README.)

mod common;

use common::{Daemon, Dirs};

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

fn items(d: &Daemon) -> u64 {
    d.get("/metrics")
        .text()
        .lines()
        .find_map(|l| l.strip_prefix("bulletind_items "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn memory_stays_bounded_while_ingesting_many_bulletins() {
    /// Far above what the debug build uses (the release build stays under
    /// 100 MB at 100,000 articles): this catches memory growing with the
    /// number of articles, not a few megabytes.
    const BOUND_KIB: u64 = 400 * 1024;
    const FILES: usize = 600;
    const ARTICLES: usize = 4;
    let dirs = Dirs::new();
    let d = Daemon::start(&dirs);
    let mut peak = 0;
    for f in 0..FILES {
        let mut note = format!("---\ntitle: Notes {f}\ndate: 2024-03-05\n---\n");
        for a in 0..ARTICLES {
            note.push_str(&format!(
                "\n# Notice {f}-{a} for the ward\n\nThe council says item {f}-{a} is on the agenda; residents may write in before the meeting on Tuesday.\n"
            ));
        }
        dirs.drop_file(&format!("ch{:02}/n{f:04}.md", f % 20), note.as_bytes());
        if f % 100 == 0 {
            peak = peak.max(rss_kib(d.child.id()));
        }
    }
    // A debug build on a busy machine: give it time, bounded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while items(&d) != (FILES * ARTICLES) as u64 {
        if std::time::Instant::now() > deadline {
            let log = std::fs::read_to_string(dirs.log()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            panic!(
                "{} of {} articles published; the log ends:\n{}",
                items(&d),
                FILES * ARTICLES,
                tail.join("\n")
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let after = rss_kib(d.child.id());
    peak = peak.max(after);
    println!(
        "VmRSS after ingesting {} articles: {after} KiB (peak seen {peak} KiB)",
        FILES * ARTICLES
    );
    assert!(peak < BOUND_KIB, "VmRSS {peak} KiB");
}
