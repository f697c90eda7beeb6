//! `bulletind check-config`: resolves the configuration exactly as `serve`
//! would, without opening, binding or watching anything, and prints every
//! effective setting with where it came from.

use std::io::Write;

use crate::config::{ArgOrigins, Config, ServeArgs, Source, Sources};

/// Checks the configuration `args` name; prints the settings to `out`, or
/// the problem (file, line, key) to `err`. `Ok(false)` when it is invalid.
pub fn run(
    args: &ServeArgs,
    origins: &ArgOrigins,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<bool> {
    let (config, sources) = match Config::resolve_with(args, origins) {
        Ok(resolved) => resolved,
        Err(problem) => {
            writeln!(err, "bulletind: invalid configuration: {problem}")?;
            return Ok(false);
        }
    };
    for warning in &config.warnings {
        writeln!(err, "bulletind: warning: {warning}")?;
    }
    print_settings(&config, &sources, out)?;
    let nofile = crate::capacity::current_nofile();
    let cap = crate::capacity::connection_cap(config.max_connections, nofile);
    if cap < config.max_connections {
        writeln!(
            out,
            "# max_connections: at most {cap} are served with RLIMIT_NOFILE {nofile}"
        )?;
    }
    writeln!(out, "# configuration OK")?;
    Ok(true)
}

/// One `key = value  # source` line per setting, in the file's order.
fn print_settings(config: &Config, sources: &Sources, out: &mut impl Write) -> std::io::Result<()> {
    let quoted = |s: &str| format!("{s:?}");
    let path = |p: &std::path::Path| quoted(&p.display().to_string());
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    if let Some(file) = &config.config_file {
        rows.push(("config", path(file)));
    }
    rows.extend([
        ("inbox", path(&config.inbox)),
        ("quarantine_dir", path(&config.quarantine_dir)),
        ("state_dir", path(&config.state_dir)),
        ("store", quoted(&config.store.to_string())),
        ("feeds_dir", path(&config.feeds_dir)),
        ("listen", quoted(&config.listen.to_string())),
        (
            "base_url",
            config
                .base_url
                .as_deref()
                .map_or_else(|| "(from the bound address)".to_string(), quoted),
        ),
        ("title", quoted(&config.title)),
        ("description", quoted(&config.description)),
        ("language", quoted(&config.language)),
        (
            "author",
            config
                .author
                .as_deref()
                .map_or_else(|| "(none: the title)".to_string(), quoted),
        ),
        ("items_per_feed", config.items_per_feed.to_string()),
        ("max_age", config.max_age.to_string()),
        ("timezone", quoted(config.timezone.name())),
        (
            "on_delete",
            quoted(&format!("{:?}", config.on_delete).to_lowercase()),
        ),
        ("max_bytes", config.max_bytes.to_string()),
        ("settle_ms", config.settle.as_millis().to_string()),
        ("max_connections", config.max_connections.to_string()),
        ("log", quoted(&config.log)),
        (
            "icon",
            config
                .icon
                .as_deref()
                .map_or_else(|| "(none)".to_string(), quoted),
        ),
        (
            "homepage",
            config
                .homepage
                .as_deref()
                .map_or_else(|| "(none: the index)".to_string(), quoted),
        ),
        ("archive_size", config.archive_size.to_string()),
        (
            "channels",
            if config.channels.is_empty() {
                "(none configured)".to_string()
            } else {
                format!(
                    "[{}]",
                    config
                        .channels
                        .keys()
                        .map(|k| quoted(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
    ]);
    rows.extend(config.websub.rows());
    let width = rows
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .max()
        .unwrap_or(0)
        + 3;
    for (key, value) in rows {
        let source = sources.get(key).cloned().unwrap_or(Source::Default);
        // Unset values are not TOML: print them as comments.
        let comment = if value.starts_with('(') { "# " } else { "" };
        let setting = format!("{comment}{key} = {value}");
        writeln!(out, "{setting:<width$} # {source}")?;
    }
    Ok(())
}
