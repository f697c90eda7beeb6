//! Content-coding negotiation: `Accept-Encoding` with q-values (RFC 9110
//! §12.5.3), deciding between the identity bytes and the gzip copy.

/// The coding chosen for a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// The bytes as they are.
    Identity,
    /// The prepared gzip copy.
    Gzip,
}

/// Chooses gzip when the client accepts it (`gzip`, `x-gzip` or `*` with
/// q > 0) and does not rank identity above it explicitly; ties go to gzip,
/// the smaller response. `gzip;q=0` (or `*;q=0` without a gzip entry) means
/// no. No header at all means identity: old clients that send nothing may
/// not cope with gzip.
pub fn choose(accept_encoding: Option<&str>) -> Coding {
    let Some(header) = accept_encoding else {
        return Coding::Identity;
    };
    let mut gzip: Option<u16> = None;
    let mut identity: Option<u16> = None;
    let mut star: Option<u16> = None;
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
            &mut gzip
        } else if is("identity") {
            &mut identity
        } else if coding == "*" {
            &mut star
        } else {
            continue;
        };
        *slot = Some(slot.map_or(q, |old| old.max(q)));
    }
    let gzip = gzip.or(star).unwrap_or(0);
    let identity = identity.or(star);
    if gzip > 0 && !matches!(identity, Some(id) if id > gzip) {
        Coding::Gzip
    } else {
        Coding::Identity
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
    use super::*;

    #[test]
    fn negotiation_table() {
        use Coding::*;
        let cases: &[(Option<&str>, Coding)] = &[
            (None, Identity),
            (Some(""), Identity),
            (Some("gzip"), Gzip),
            (Some("GZip"), Gzip),
            (Some("x-gzip"), Gzip),
            (Some("gzip, deflate, br"), Gzip),
            (Some("br, deflate"), Identity),
            (Some("gzip;q=0"), Identity),
            (Some("gzip; q=0.000"), Identity),
            (Some("gzip;q=0.001"), Gzip),
            (Some("gzip;q=0.5"), Gzip),
            (Some("gzip;q=0.5, identity"), Identity),
            (Some("gzip;q=0.5, identity;q=0.5"), Gzip),
            (Some("gzip, identity;q=0"), Gzip),
            (Some("*"), Gzip),
            (Some("*;q=0"), Identity),
            (Some("*;q=0, gzip"), Gzip),
            (Some("gzip;q=0, *"), Identity),
            (Some("*;q=0.5, gzip;q=0.4"), Identity),
            (Some("identity"), Identity),
            (Some("gzip;q=1.0"), Gzip),
            (Some("gzip;q=2"), Identity),
            (Some("gzip;q=abc"), Identity),
            (Some("deflate, gzip;q=0.8"), Gzip),
        ];
        for (header, want) in cases {
            assert_eq!(choose(*header), *want, "Accept-Encoding: {header:?}");
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
