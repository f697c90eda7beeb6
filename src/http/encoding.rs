//! Content-coding negotiation: `Accept-Encoding` with q-values (RFC 9110
//! §12.5.3), choosing among a representation's prepared copies.

use crate::render::{Coding, Variant};

/// Chooses the variant to send: the highest q-value the client gives a
/// coding we have, ties going to the smallest body. `*` stands for codings
/// the header does not name; identity is acceptable unless excluded, and is
/// sent anyway when nothing else is acceptable (never a 406). No header at
/// all means identity: old clients that send nothing may not cope with a
/// coding. `variants[0]` is identity.
pub fn choose<'a>(accept_encoding: Option<&str>, variants: &'a [Variant]) -> &'a Variant {
    let identity = &variants[0];
    let Some(header) = accept_encoding else {
        return identity;
    };
    let weights = Weights::parse(header);
    let mut best: Option<(u16, &Variant)> = None;
    for v in variants {
        let q = weights.of(v.coding);
        if q == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((bq, bv)) => q > bq || (q == bq && v.body.len() < bv.body.len()),
        };
        if better {
            best = Some((q, v));
        }
    }
    best.map_or(identity, |(_, v)| v)
}

/// The q-values of one `Accept-Encoding` header, in thousandths.
#[derive(Debug, Default)]
struct Weights {
    gzip: Option<u16>,
    br: Option<u16>,
    zstd: Option<u16>,
    identity: Option<u16>,
    star: Option<u16>,
}

impl Weights {
    fn parse(header: &str) -> Weights {
        let mut w = Weights::default();
        for member in header.split(',') {
            let mut parts = member.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            if coding.is_empty() {
                continue;
            }
            let mut q = Some(1000);
            for param in parts {
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = qvalue(value.trim());
                    }
                }
            }
            let Some(q) = q else { continue };
            let is = |name: &str| coding.eq_ignore_ascii_case(name);
            let slot = if is("gzip") || is("x-gzip") {
                &mut w.gzip
            } else if is("br") {
                &mut w.br
            } else if is("zstd") {
                &mut w.zstd
            } else if is("identity") {
                &mut w.identity
            } else if coding == "*" {
                &mut w.star
            } else {
                continue;
            };
            *slot = Some(slot.map_or(q, |old| old.max(q)));
        }
        w
    }

    /// The q-value of `coding`: its own, else `*`'s; identity counts as
    /// acceptable (1) unless named or excluded through `*`.
    fn of(&self, coding: Coding) -> u16 {
        let named = match coding {
            Coding::Gzip => self.gzip,
            Coding::Brotli => self.br,
            Coding::Zstd => self.zstd,
            Coding::Identity => self.identity,
        };
        match (named, coding) {
            (Some(q), _) => q,
            (None, Coding::Identity) => self.star.unwrap_or(1),
            (None, _) => self.star.unwrap_or(0),
        }
    }
}

/// A `qvalue` in thousandths (`0`, `0.5`, `1`, `1.000`); `None` if malformed.
fn qvalue(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scaled = match int {
        "0" => format!("{frac:0<3}").parse::<u16>().ok()?,
        "1" if frac.bytes().all(|b| b == b'0') => 1000,
        _ => return None,
    };
    Some(scaled)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    /// identity 100 bytes, gzip 40, br 30, zstd 35.
    fn variants() -> Vec<Variant> {
        [
            (Coding::Identity, 100),
            (Coding::Gzip, 40),
            (Coding::Brotli, 30),
            (Coding::Zstd, 35),
        ]
        .into_iter()
        .map(|(c, n)| Variant::new(c, Bytes::from(vec![b'x'; n])))
        .collect()
    }

    #[test]
    fn negotiation_table() {
        use Coding::*;
        let all = variants();
        let gzip_only: Vec<Variant> = all[..2].to_vec();
        let cases: &[(Option<&str>, &[Variant], Coding)] = &[
            (None, &all, Identity),
            (Some(""), &all, Identity),
            (Some("gzip"), &all, Gzip),
            (Some("GZip"), &all, Gzip),
            (Some("x-gzip"), &all, Gzip),
            (Some("gzip, deflate, br"), &all, Brotli),
            (Some("gzip, deflate, br, zstd"), &all, Brotli),
            (Some("br,gzip"), &gzip_only, Gzip),
            (Some("zstd"), &all, Zstd),
            (Some("br;q=0, gzip"), &all, Gzip),
            (Some("br, deflate"), &gzip_only, Identity),
            (Some("gzip;q=0"), &all, Identity),
            (Some("gzip; q=0.000"), &all, Identity),
            (Some("gzip;q=0.001"), &all, Gzip),
            (Some("gzip;q=0.5, identity"), &all, Identity),
            (Some("gzip;q=0.5, identity;q=0.5"), &all, Gzip),
            (Some("gzip, identity;q=0"), &all, Gzip),
            (Some("*"), &all, Brotli),
            (Some("*;q=0"), &all, Identity),
            (Some("*;q=0, identity;q=0"), &all, Identity),
            (Some("*;q=0, gzip"), &all, Gzip),
            (Some("gzip;q=0, *"), &all, Brotli),
            (Some("*;q=0.5, gzip;q=0.4"), &all, Brotli),
            (Some("zstd;q=0.9, br;q=0.8"), &all, Zstd),
            (Some("identity"), &all, Identity),
            (Some("gzip;q=1.0"), &all, Gzip),
            (Some("gzip;q=2"), &all, Identity),
            (Some("gzip;q=abc"), &all, Identity),
            (Some("compress, deflate, unknown"), &all, Identity),
            (Some("deflate, gzip;q=0.8"), &all, Gzip),
        ];
        for (header, available, want) in cases {
            assert_eq!(
                choose(*header, available).coding,
                *want,
                "Accept-Encoding: {header:?}"
            );
        }
    }

    #[test]
    fn qvalue_table() {
        let cases: &[(&str, Option<u16>)] = &[
            ("0", Some(0)),
            ("0.", Some(0)),
            ("0.5", Some(500)),
            ("0.25", Some(250)),
            ("0.125", Some(125)),
            ("0.1255", None),
            ("1", Some(1000)),
            ("1.000", Some(1000)),
            ("1.5", None),
            ("-1", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(qvalue(input), *want, "q={input}");
        }
    }
}
