//! Which callbacks the hub may call: `http`/`https` URLs whose host passes
//! the configured allow and deny lists, and whose addresses are public
//! unless private ones are allowed, so that nobody can use the hub to
//! probe the operator's network.
//!
//! Host names are checked twice: their name against the lists when a
//! request arrives ([`Policy::check_url`]), and every address they resolve
//! to at connect time ([`Policy::check_addr`], by the client's resolver),
//! so a name that later resolves to `127.0.0.1` is still refused. A literal
//! address is checked with the name, before every request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::config::WebSubConfig;

/// One entry of an allow or deny list: a host name (`feeds.example`), a
/// domain and its subdomains (`*.example`), or an address range
/// (`192.0.2.7`, `10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host name, lower-cased.
    Name(String),
    /// This domain and every name under it (without the `*.`).
    Domain(String),
    /// Addresses within this prefix.
    Range(IpAddr, u8),
}

impl HostPattern {
    /// Parses a list entry.
    pub fn parse(entry: &str) -> Result<HostPattern, String> {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            return Err("an empty entry".into());
        }
        if let Some((addr, bits)) = entry.split_once('/') {
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| format!("{entry:?}: not an address range"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits: u8 = bits
                .parse()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("{entry:?}: prefix length must be 0 to {max}"))?;
            return Ok(HostPattern::Range(addr, bits));
        }
        if let Ok(addr) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
            let bits = if addr.is_ipv4() { 32 } else { 128 };
            return Ok(HostPattern::Range(addr, bits));
        }
        if let Some(domain) = entry.strip_prefix("*.") {
            return Ok(HostPattern::Domain(domain.to_string()));
        }
        if entry.contains(['*', '/', ' ']) {
            return Err(format!("{entry:?}: not a host name, *.domain or range"));
        }
        Ok(HostPattern::Name(entry))
    }

    fn matches_name(&self, host: &str) -> bool {
        match self {
            HostPattern::Name(name) => host == name,
            HostPattern::Domain(domain) => {
                host == domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
            HostPattern::Range(..) => false,
        }
    }

    fn matches_addr(&self, addr: IpAddr) -> bool {
        let HostPattern::Range(net, bits) = self else {
            return false;
        };
        match (canonical(addr), canonical(*net)) {
            (IpAddr::V4(a), IpAddr::V4(n)) => prefix_eq(&a.octets(), &n.octets(), *bits),
            (IpAddr::V6(a), IpAddr::V6(n)) => prefix_eq(&a.octets(), &n.octets(), *bits),
            _ => false,
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a[whole] & mask == b[whole] & mask
}

/// The callback policy, from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Allow everything (the operator's own external hub).
    trusted: bool,
    allow_private: bool,
    allow: Vec<HostPattern>,
    deny: Vec<HostPattern>,
}

impl Policy {
    /// The policy `config` describes. Entries were checked when the
    /// configuration was resolved; one that no longer parses is skipped.
    pub fn new(config: &WebSubConfig) -> Policy {
        let parse = |list: &[String]| {
            list.iter()
                .filter_map(|e| HostPattern::parse(e).ok())
                .collect()
        };
        Policy {
            trusted: false,
            allow_private: config.allow_private_callbacks,
            allow: parse(&config.callback_allow),
            deny: parse(&config.callback_deny),
        }
    }

    /// A policy that allows every address: for the configured external
    /// hub, which the operator chose.
    pub fn trusted() -> Policy {
        Policy {
            trusted: true,
            ..Policy::default()
        }
    }

    /// Whether `url` may be called, as far as its scheme and host (name or
    /// literal address) tell; addresses behind a name are checked at
    /// connect time.
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "callback scheme {:?} is not http or https",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("callback must not carry credentials".into());
        }
        if self.trusted {
            return Ok(());
        }
        match url.host() {
            None => Err("callback has no host".into()),
            Some(Host::Ipv4(a)) => self.check_addr(None, IpAddr::V4(a)),
            Some(Host::Ipv6(a)) => self.check_addr(None, IpAddr::V6(a)),
            Some(Host::Domain(name)) => self.check_name(name),
        }
    }

    /// Whether a host name passes the lists (before it is resolved).
    fn check_name(&self, name: &str) -> Result<(), String> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if self.deny.iter().any(|p| p.matches_name(&name)) {
            return Err(format!("callback host {name} is denied"));
        }
        if (name == "localhost" || name.ends_with(".localhost")) && !self.allow_private {
            return Err(format!("callback host {name} is a loopback name"));
        }
        let by_name = self.allow.iter().any(|p| p.matches_name(&name));
        let ranges = self
            .allow
            .iter()
            .any(|p| matches!(p, HostPattern::Range(..)));
        if !self.allow.is_empty() && !by_name && !ranges {
            return Err(format!("callback host {name} is not on the allow list"));
        }
        Ok(())
    }

    /// Whether `addr` (that `host` resolved to, if it was a name) may be
    /// connected to.
    pub fn check_addr(&self, host: Option<&str>, addr: IpAddr) -> Result<(), String> {
        if self.trusted {
            return Ok(());
        }
        let addr = canonical(addr);
        let named_ok = host.is_some_and(|h| {
            let h = h.trim_end_matches('.').to_ascii_lowercase();
            self.allow.iter().any(|p| p.matches_name(&h))
        });
        let listed = self.allow.iter().any(|p| p.matches_addr(addr));
        if self.deny.iter().any(|p| p.matches_addr(addr)) {
            return Err(format!("callback address {addr} is denied"));
        }
        if !self.allow.is_empty() && !named_ok && !listed {
            return Err(format!("callback address {addr} is not on the allow list"));
        }
        if !self.allow_private && !listed {
            if let Some(kind) = special(addr) {
                return Err(format!(
                    "callback address {addr} is {kind} (set [websub] allow_private_callbacks to allow it)"
                ));
            }
        }
        Ok(())
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// What kind of non-public address `addr` is, if it is one.
fn special(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(a) => special_v4(a),
        IpAddr::V6(a) => special_v6(a),
    }
}

fn special_v4(a: Ipv4Addr) -> Option<&'static str> {
    let [b0, b1, ..] = a.octets();
    if a.is_loopback() {
        Some("loopback")
    } else if a.is_private() {
        Some("private")
    } else if a.is_link_local() {
        Some("link-local")
    } else if a.is_unspecified() || b0 == 0 {
        Some("unspecified")
    } else if b0 == 100 && (b1 & 0xc0) == 64 {
        Some("shared address space (carrier-grade NAT)")
    } else if a.is_multicast() || a.is_broadcast() || b0 >= 240 {
        Some("multicast or reserved")
    } else if b0 == 198 && (b1 & 0xfe) == 18 {
        Some("benchmarking")
    } else if a.is_documentation() {
        Some("documentation")
    } else {
        None
    }
}

fn special_v6(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if a.is_loopback() {
        Some("loopback")
    } else if a.is_unspecified() {
        Some("unspecified")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("private (unique local)")
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if a.is_multicast() {
        Some("multicast")
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        Some("documentation")
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64: judged by the IPv4 address it carries.
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        special_v4(Ipv4Addr::new(a, b, c, d))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(private: bool, allow: &[&str], deny: &[&str]) -> Policy {
        Policy::new(&WebSubConfig {
            allow_private_callbacks: private,
            callback_allow: allow.iter().map(|s| s.to_string()).collect(),
            callback_deny: deny.iter().map(|s| s.to_string()).collect(),
            ..WebSubConfig::default()
        })
    }

    fn url_ok(p: &Policy, url: &str) -> bool {
        p.check_url(&Url::parse(url).expect("url")).is_ok()
    }

    #[test]
    fn urls_by_default() {
        let p = policy(false, &[], &[]);
        for (url, ok) in [
            ("https://reader.example/cb", true),
            ("http://reader.example:8080/cb?x=1", true),
            ("ftp://reader.example/cb", false),
            ("http://user:pw@reader.example/cb", false),
            ("http://127.0.0.1/cb", false),
            ("http://127.9.9.9/cb", false),
            ("http://[::1]/cb", false),
            ("http://[::ffff:127.0.0.1]/cb", false),
            ("http://localhost/cb", false),
            ("http://a.localhost/cb", false),
            ("http://10.1.2.3/cb", false),
            ("http://172.20.0.1/cb", false),
            ("http://192.168.1.1/cb", false),
            ("http://169.254.169.254/latest/meta-data", false),
            ("http://[fe80::1]/cb", false),
            ("http://[fd12::1]/cb", false),
            ("http://100.64.0.1/cb", false),
            ("http://0.0.0.0/cb", false),
            ("http://[64:ff9b::a00:1]/cb", false),
            ("http://93.184.216.34/cb", true),
            ("http://[2606:4700::1]/cb", true),
        ] {
            assert_eq!(url_ok(&p, url), ok, "{url}");
        }
    }

    #[test]
    fn private_allowed_and_lists() {
        let p = policy(true, &[], &["evil.example", "10.9.0.0/16"]);
        assert!(url_ok(&p, "http://127.0.0.1:9/cb"));
        assert!(url_ok(&p, "http://localhost/cb"));
        assert!(!url_ok(&p, "http://evil.example/cb"));
        assert!(!url_ok(&p, "http://10.9.1.1/cb"));
        assert!(url_ok(&p, "http://10.8.1.1/cb"));

        let p = policy(false, &["*.reader.example", "10.0.0.5"], &[]);
        assert!(url_ok(&p, "https://a.reader.example/cb"));
        assert!(url_ok(&p, "https://reader.example/cb"));
        // A name off the list may still resolve into a listed range: its
        // addresses decide.
        assert!(p
            .check_addr(
                Some("xreader.example"),
                "93.184.216.34".parse().expect("ip")
            )
            .is_err());
        let names_only = policy(false, &["*.reader.example"], &[]);
        assert!(!url_ok(&names_only, "https://xreader.example/cb"));
        // Listed range: allowed although private.
        assert!(url_ok(&p, "http://10.0.0.5/cb"));
        assert!(!url_ok(&p, "http://10.0.0.6/cb"));
        // Names resolved later: their addresses must be public.
        assert!(p
            .check_addr(Some("a.reader.example"), "192.168.0.1".parse().expect("ip"))
            .is_err());
        assert!(p
            .check_addr(
                Some("a.reader.example"),
                "93.184.216.34".parse().expect("ip")
            )
            .is_ok());
        assert!(Policy::trusted()
            .check_url(&Url::parse("http://127.0.0.1/hub").expect("url"))
            .is_ok());
    }

    #[test]
    fn patterns_parse() {
        for (entry, ok) in [
            ("feeds.example", true),
            ("*.example", true),
            ("10.0.0.0/8", true),
            ("fd00::/8", true),
            ("[::1]", true),
            ("10.0.0.0/33", false),
            ("a*b", false),
            ("", false),
        ] {
            assert_eq!(HostPattern::parse(entry).is_ok(), ok, "{entry:?}");
        }
    }
}
