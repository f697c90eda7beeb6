//! The README's "Install as a service" commands, run into a temporary root
//! instead of `/`, then `systemd-analyze verify` and `security` on the
//! result. Skipped, loudly, where systemd's tools are not installed
//! (`.ci/run` installs them), or when not run as root (the folders are
//! given to the service's user).
//!
//! Each command of the README's block is translated, not rewritten here:
//! `sudo` dropped, absolute paths moved under the root, `--root=` given to
//! `systemd-sysusers`, `systemd-tmpfiles` and `systemctl`, owners dropped
//! from `install` (the root's user exists only in its own `/etc/passwd`),
//! and what needs a running systemd (`daemon-reload`, `start`, `--now`)
//! left out. A command the translator does not know fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// The shell lines between `<!-- install:begin -->` and `<!-- install:end -->`.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(MANIFEST).join("README.md")).expect("README");
    let start = readme
        .find("<!-- install:begin -->")
        .expect("install:begin marker in README");
    let end = readme
        .find("<!-- install:end -->")
        .expect("install:end marker in README");
    readme[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with('#') && !l.starts_with("```") && !l.starts_with("<!--")
        })
        .map(str::to_string)
        .collect()
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `argv` in the repository, failing the test with its output.
fn run(argv: &[String]) -> String {
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(MANIFEST)
        .env("SYSTEMD_COLORS", "0")
        .env("SYSTEMD_PAGER", "cat")
        .output()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{argv:?} failed: {text}");
    text
}

/// `line` as it runs against `root`, or `None` for what needs a booted
/// systemd.
fn translate(line: &str, root: &Path) -> Option<Vec<String>> {
    let rooted = |p: &str| format!("{}{p}", root.display());
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if words.first() == Some(&"sudo") {
        words.remove(0);
        if words.first() == Some(&"-u") {
            words.drain(..2);
        }
    }
    let root_flag = format!("--root={}", root.display());
    let owned = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match words.as_slice() {
        ["cargo", "build", "--release"] => None,
        ["install", rest @ ..] => {
            let mut argv = vec!["install".to_string()];
            let mut rest = rest.iter();
            while let Some(w) = rest.next() {
                match *w {
                    "-o" | "-g" => {
                        rest.next();
                    }
                    "target/release/bulletind" => argv.push(env!("CARGO_BIN_EXE_bulletind").into()),
                    w if w.starts_with('/') => argv.push(rooted(w)),
                    w => argv.push(w.into()),
                }
            }
            Some(argv)
        }
        [tool @ ("systemd-sysusers" | "systemd-tmpfiles"), rest @ ..] => {
            let mut argv = vec![tool.to_string(), root_flag];
            argv.extend(owned(rest));
            Some(argv)
        }
        [bin, "check-config", "--config", file] if bin.ends_with("/bulletind") => Some(vec![
            env!("CARGO_BIN_EXE_bulletind").into(),
            "check-config".into(),
            "--config".into(),
            rooted(file),
        ]),
        ["systemctl", "daemon-reload"] | ["systemctl", "start", ..] => None,
        ["systemctl", "enable", rest @ ..] => {
            let mut argv = vec!["systemctl".to_string(), root_flag, "enable".into()];
            argv.extend(
                rest.iter()
                    .filter(|w| **w != "--now")
                    .map(|w| w.to_string()),
            );
            Some(argv)
        }
        _ => panic!("the install test does not know how to run {line:?}: teach translate()"),
    }
}

/// This host's stock units (sysinit.target, …), which verify resolves.
fn stock_units(root: &Path) {
    let dir = Command::new("systemd-path")
        .arg("systemd-system-unit")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|d| d.join("sysinit.target").exists())
        .unwrap_or_else(|| PathBuf::from("/usr/lib/systemd/system"));
    let target = root.join("usr/lib/systemd");
    std::fs::create_dir_all(&target).expect("mkdir");
    run(&[
        "cp".into(),
        "-a".into(),
        dir.display().to_string(),
        target.join("system").display().to_string(),
    ]);
}

#[test]
fn the_readme_install_verifies_in_a_temporary_root() {
    if !have("systemd-analyze") || !have("systemd-sysusers") {
        eprintln!(
            "\n*** SKIPPED the_readme_install_verifies_in_a_temporary_root: systemd-analyze or \
             systemd-sysusers is not installed (apt-get install systemd) ***\n"
        );
        return;
    }
    if !crate::common::is_root() {
        eprintln!(
            "\n*** SKIPPED the_readme_install_verifies_in_a_temporary_root: not root \
             (systemd-tmpfiles must give the folders to the bulletind user) ***\n"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    stock_units(root);
    let commands = readme_commands();
    assert!(
        commands
            .first()
            .is_some_and(|c| c == "cargo build --release"),
        "{commands:?}"
    );
    assert!(
        commands
            .last()
            .is_some_and(|c| c.ends_with("systemctl enable --now bulletind.socket")),
        "{commands:?}"
    );
    for line in &commands {
        if let Some(argv) = translate(line, root) {
            run(&argv);
        }
    }
    // ExecReload's /bin/kill, from the host (verify resolves Exec paths).
    let kill = root.join("bin/kill");
    std::fs::create_dir_all(kill.parent().expect("parent")).expect("mkdir");
    std::fs::copy("/bin/kill", &kill).expect("copy /bin/kill");

    // The link points at /etc/… inside the root: look at the link itself.
    let wants = root.join("etc/systemd/system/sockets.target.wants/bulletind.socket");
    assert!(
        wants.symlink_metadata().is_ok(),
        "systemctl enable made no {}",
        wants.display()
    );
    let passwd = std::fs::read_to_string(root.join("etc/passwd")).expect("passwd");
    assert!(
        passwd.lines().any(|l| l.starts_with("bulletind:")),
        "{passwd}"
    );
    for dir in ["srv/bulletind/inbox", "srv/bulletind/quarantine"] {
        assert!(root.join(dir).is_dir(), "{dir} not made by tmpfiles.d");
    }
    let r = root.display().to_string();
    let verify = run(&[
        "systemd-analyze".into(),
        "verify".into(),
        format!("--root={r}"),
        "--man=no".into(),
        "--generators=no".into(),
        "bulletind.service".into(),
        "bulletind.socket".into(),
    ]);
    assert!(
        verify.trim().is_empty(),
        "systemd-analyze verify said: {verify}"
    );
    let security = run(&[
        "systemd-analyze".into(),
        "security".into(),
        "--offline=yes".into(),
        format!("--root={r}"),
        "--no-pager".into(),
        "bulletind.service".into(),
    ]);
    let score: f64 = security
        .lines()
        .find_map(|l| l.split("bulletind.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in {security}"));
    assert!(score <= 1.6, "exposure {score} > 1.6:\n{security}");
}
