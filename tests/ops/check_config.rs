//! `bulletind check-config`: effective settings with their source on a
//! good file; file, line and key on a bad one.

use std::process::{Command, Output};

use crate::common::Dirs;

fn check(dirs: &Dirs, text: &str, args: &[&str], env: &[(&str, &str)]) -> (Output, String) {
    let file = dirs.root.path().join("c.toml");
    std::fs::write(&file, text).expect("write");
    let path = file.to_str().expect("utf-8").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_bulletind"))
        .args(["check-config", "--config", &path])
        .args(args)
        .env_remove("BULLETIND_LOG")
        .env_remove("STATE_DIRECTORY")
        .envs(env.iter().copied())
        .output()
        .expect("run check-config");
    (out, path)
}

#[test]
fn a_good_file_prints_every_setting_with_its_source() {
    let dirs = Dirs::new();
    let (out, path) = check(
        &dirs,
        "# feeds\ntitle = \"Town news\"\ntimezone = \"Asia/Shanghai\"\n",
        &["--listen", "127.0.0.1:9099"],
        &[("BULLETIND_INBOX", "/srv/in")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (setting, source) in [
        (format!("config = {path:?}"), "# flag --config"),
        ("title = \"Town news\"".to_string(), "# file, line 2"),
        ("timezone = \"Asia/Shanghai\"".to_string(), "# file, line 3"),
        ("inbox = \"/srv/in\"".to_string(), "# env BULLETIND_INBOX"),
        ("listen = \"127.0.0.1:9099\"".to_string(), "# flag --listen"),
        ("items_per_feed = 50".to_string(), "# default"),
        (
            "quarantine_dir = \"/srv/quarantine\"".to_string(),
            "# default",
        ),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&setting) && l.trim_end().ends_with(source)),
            "no `{setting} ... {source}` in\n{stdout}"
        );
    }
    assert!(stdout.contains("# configuration OK"), "{stdout}");
}

#[test]
fn bad_files_name_file_line_and_key() {
    let dirs = Dirs::new();
    for (text, line, key) in [
        ("title = \"x\"\ntimezone = \"Mars/Base\"\n", 2, "timezone"),
        ("base_url = \"news.example\"\n", 1, "base_url"),
        ("\n\nlisten = \"localhost:80:80\"\n", 3, "listen"),
        ("items_per_feed = \"many\"\n", 1, "items_per_feed"),
        ("items_per_feed = 0\n", 1, "items_per_feed"),
        ("title = \"x\"\ntitel = \"y\"\n", 2, "titel"),
        ("on_delete = \"shred\"\n", 1, "on_delete"),
        ("log = \"info,[{=bad\"\n", 1, "log"),
    ] {
        let (out, path) = check(&dirs, text, &[], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text:?} accepted");
        let want = format!("config file {path}, line {line}, key `{key}`");
        assert!(
            stderr.contains(&want),
            "{text:?}: want {want:?} in {stderr}"
        );
        assert!(out.stdout.is_empty(), "{text:?} printed settings");
    }
}

#[test]
fn bad_values_from_the_environment_name_the_variable() {
    let dirs = Dirs::new();
    let (out, _) = check(&dirs, "", &[], &[("BULLETIND_BASE_URL", "ftp://x")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("environment variable BULLETIND_BASE_URL"),
        "{stderr}"
    );
    let (out, _) = check(&dirs, "", &[], &[("BULLETIND_LOG", "[{=bad")]);
    assert!(
        out.status.success(),
        "an invalid BULLETIND_LOG is only a warning"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: BULLETIND_LOG ignored"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("log = \"info\"")),
        "{stdout}"
    );
}
