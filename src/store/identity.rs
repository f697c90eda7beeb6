//! Which stored item an incoming article is: the matching rules that keep an
//! article's id when its headline is corrected, its body edited, its file
//! renamed, or it moves to another bulletin.
//!
//! Pure: the store hands over the incoming articles, the items the bulletin
//! claimed before, and a way to look items up by source id and by
//! fingerprint; [`assign`] answers, per incoming article, the item it is (or
//! `None`: a new item). The rules, in order (each item is given to at most
//! one article of the bulletin, earlier rules first):
//!
//! 1. **Source id.** An article that carries the source's own id (a JSON
//!    item's `id`) is the item with that id in the same channel, wherever it
//!    lives and whether or not it is still published.
//! 2. **Fingerprint.** An article whose [`fingerprint`] (its body, letters and
//!    digits only, case folded; title and body for short bodies) equals an
//!    item's is that item, preferring in turn: an item this bulletin claimed
//!    before, a published item of the same channel (an article moved or
//!    copied between bulletins), a retracted item of the same channel (an
//!    article that comes back), and a retracted item of another channel (a
//!    renamed channel folder). A published item of *another* channel is never
//!    taken: the same text published in two channels is two items, one per
//!    channel's readers.
//! 3. **Similarity, same bulletin only.** Of the items the bulletin claimed
//!    before and the articles still unmatched, pairs are scored on headline
//!    (character-bigram Dice) and body (character-trigram Jaccard) and taken
//!    greedily, best first, when the body is mostly the same (≥ 0.5), or the
//!    headline is close (≥ 0.6) and a fifth of the body survives, or the
//!    headline is nearly the same (≥ 0.8) at the same position.
//!
//! Everything else is a new item. The rules are conservative where they
//! cannot decide: a different article at the same place with a different
//! headline and body is new, and nothing is matched across bulletins on
//! similarity alone.

use std::collections::HashSet;

use crate::model::Article;

/// Bodies with fewer letters and digits than this are fingerprinted
/// together with their headline: on their own they are too short to tell
/// articles apart ("见图", "Photo only").
pub const MIN_BODY_CHARS: usize = 24;

/// Characters of the normalised body compared for similarity: enough to tell
/// an edit from a different article, and a bound on the cost.
const SIMILARITY_CHARS: usize = 4000;

/// What the matcher knows about an incoming article.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The source's own id, if it gave one.
    pub source_key: Option<String>,
    /// [`fingerprint_bytes`] of the article.
    pub fingerprint: [u8; 16],
    /// Normalised headline ([`normalize`]).
    pub title: String,
    /// Normalised body ([`normalize`]).
    pub body: String,
}

impl Incoming {
    /// Prepares `article` for matching.
    pub fn new(article: &Article) -> Incoming {
        let title = normalize(&article.title);
        let body = normalize(&article.body_text());
        Incoming {
            source_key: article
                .key
                .as_deref()
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string),
            fingerprint: fingerprint_of(&title, &body),
            title,
            body,
        }
    }
}

/// An item the bulletin claimed before this version.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The item's key in the store.
    pub id: i64,
    /// Where it stood in the bulletin.
    pub position: usize,
    /// Its article, prepared the same way as incoming ones.
    pub seen: Incoming,
}

/// An item found by source id or fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The item's key in the store.
    pub id: i64,
    /// Whether it is in the bulletin's own channel.
    pub same_channel: bool,
    /// Whether it is currently published.
    pub published: bool,
}

/// Lookups the matcher needs from the store.
pub trait Lookup {
    /// Error of the lookups.
    type Error;
    /// Items of the bulletin's channel carrying this source id.
    fn by_source_key(&mut self, key: &str) -> Result<Vec<Candidate>, Self::Error>;
    /// Items with this fingerprint, in any channel.
    fn by_fingerprint(&mut self, fingerprint: &[u8; 16]) -> Result<Vec<Candidate>, Self::Error>;
}

/// Decides, for each incoming article (in page order), which stored item it
/// is; `None` means a new item. See the module docs for the rules.
pub fn assign<L: Lookup>(
    incoming: &[Incoming],
    previous: &[Previous],
    lookup: &mut L,
) -> Result<Vec<Option<i64>>, L::Error> {
    let mut out: Vec<Option<i64>> = vec![None; incoming.len()];
    let mut taken: HashSet<i64> = HashSet::new();
    let own: HashSet<i64> = previous.iter().map(|p| p.id).collect();

    // 1. Source ids.
    for (i, article) in incoming.iter().enumerate() {
        let Some(key) = &article.source_key else {
            continue;
        };
        let found = lookup.by_source_key(key)?;
        if let Some(c) = best(&found, &own, &taken, true) {
            taken.insert(c);
            out[i] = Some(c);
        }
    }
    // 2. Fingerprints.
    for (i, article) in incoming.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let found = lookup.by_fingerprint(&article.fingerprint)?;
        if let Some(c) = best(&found, &own, &taken, false) {
            taken.insert(c);
            out[i] = Some(c);
        }
    }
    // 3. Similarity within the bulletin.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let shingles: Vec<HashSet<u32>> = incoming.iter().map(|a| trigrams(&a.body)).collect();
    for (p_index, prev) in previous.iter().enumerate() {
        if taken.contains(&prev.id) {
            continue;
        }
        let prev_shingles = trigrams(&prev.seen.body);
        for (i, article) in incoming.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            let title = dice(&article.title, &prev.seen.title);
            let body = jaccard(&shingles[i], &prev_shingles);
            let same_place = prev.position == i;
            let accept =
                body >= 0.5 || (title >= 0.6 && body >= 0.2) || (title >= 0.8 && same_place);
            if accept {
                let bonus = if same_place { 0.01 } else { 0.0 };
                pairs.push((title.max(body) + body + bonus, i, p_index));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, i, p_index) in pairs {
        let id = previous[p_index].id;
        if out[i].is_none() && !taken.contains(&id) {
            taken.insert(id);
            out[i] = Some(id);
        }
    }
    Ok(out)
}

/// The preferred candidate not yet taken: this bulletin's own, then
/// published in the channel, then retracted in the channel, then (for
/// fingerprints only) retracted elsewhere.
fn best(
    found: &[Candidate],
    own: &HashSet<i64>,
    taken: &HashSet<i64>,
    channel_only: bool,
) -> Option<i64> {
    let rank = |c: &Candidate| -> Option<u8> {
        if taken.contains(&c.id) {
            return None;
        }
        match (own.contains(&c.id), c.same_channel, c.published) {
            (true, _, _) => Some(0),
            (false, true, true) => Some(1),
            (false, true, false) => Some(2),
            (false, false, false) if !channel_only => Some(3),
            _ => None,
        }
    };
    found
        .iter()
        .filter_map(|c| rank(c).map(|r| (r, c.id)))
        .min()
        .map(|(_, id)| id)
}

/// Letters and digits only, case folded: what survives re-wrapping,
/// re-punctuating and re-spacing.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The identity fingerprint of an article: a digest of its normalised
/// body, or of its normalised headline and body when the body is shorter
/// than [`MIN_BODY_CHARS`].
pub fn fingerprint_bytes(article: &Article) -> [u8; 16] {
    Incoming::new(article).fingerprint
}

fn fingerprint_of(title: &str, body: &str) -> [u8; 16] {
    let material = if body.chars().count() >= MIN_BODY_CHARS {
        format!("b\n{body}")
    } else {
        format!("t\n{title}\n{body}")
    };
    super::digest16(material.as_bytes())
}

/// Dice coefficient of the character-bigram multisets' supports.
fn dice(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let grams = |s: &str| -> HashSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, y) = (grams(a), grams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let common = x.intersection(&y).count();
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Hashed character trigrams of the first [`SIMILARITY_CHARS`] characters.
fn trigrams(text: &str) -> HashSet<u32> {
    let chars: Vec<char> = text.chars().take(SIMILARITY_CHARS).collect();
    chars
        .windows(3)
        .map(|w| {
            let mut h: u32 = 2_166_136_261;
            for c in w {
                h = (h ^ u32::from(*c)).wrapping_mul(16_777_619);
            }
            h
        })
        .collect()
}

fn jaccard(a: &HashSet<u32>, b: &HashSet<u32>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = a.intersection(b).count();
    common as f64 / (a.len() + b.len() - common) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Block;
    use std::collections::HashMap;

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: title.into(),
            blocks: vec![Block::Paragraph(body.into())],
            ..Article::default()
        }
    }

    #[derive(Default)]
    struct Fake {
        by_key: HashMap<String, Vec<Candidate>>,
        by_fp: HashMap<[u8; 16], Vec<Candidate>>,
    }

    impl Lookup for Fake {
        type Error = ();
        fn by_source_key(&mut self, key: &str) -> Result<Vec<Candidate>, ()> {
            Ok(self.by_key.get(key).cloned().unwrap_or_default())
        }
        fn by_fingerprint(&mut self, fp: &[u8; 16]) -> Result<Vec<Candidate>, ()> {
            Ok(self.by_fp.get(fp).cloned().unwrap_or_default())
        }
    }

    const B: i64 = 1;
    const L: i64 = 2;
    const X: i64 = 7;
    const BRIDGE: &str =
        "The river bridge reopens a week ahead of plan, the council said on Monday.";
    const LIBRARY: &str = "From April the central library opens on Sundays between ten and four.";

    fn prev(id: i64, position: usize, a: &Article) -> Previous {
        Previous {
            id,
            position,
            seen: Incoming::new(a),
        }
    }

    fn cand(id: i64, same_channel: bool, published: bool) -> Candidate {
        Candidate {
            id,
            same_channel,
            published,
        }
    }

    #[test]
    fn edits_within_a_bulletin() {
        let before = [
            art("Bridge works finish early", BRIDGE),
            art("Library opens", LIBRARY),
        ];
        let previous = [prev(B, 0, &before[0]), prev(L, 1, &before[1])];
        // (case, incoming articles, expected ids)
        type Case<'a> = (&'a str, Vec<Article>, Vec<Option<i64>>);
        let cases: Vec<Case> = vec![
            (
                "headline typo fixed",
                vec![
                    art("Bridge works finish earlier", BRIDGE),
                    before[1].clone(),
                ],
                vec![Some(B), Some(L)],
            ),
            (
                "body edited",
                vec![
                    art(
                        "Bridge works finish early",
                        &BRIDGE.replace("a week", "ten days"),
                    ),
                    before[1].clone(),
                ],
                vec![Some(B), Some(L)],
            ),
            (
                "order swapped",
                vec![before[1].clone(), before[0].clone()],
                vec![Some(L), Some(B)],
            ),
            (
                "headline and body rewritten at the same place",
                vec![
                    art(
                        "Tram line consultation opens",
                        "Residents may comment on the new tram route until May.",
                    ),
                    before[1].clone(),
                ],
                vec![None, Some(L)],
            ),
            (
                "same headline, new body, same place",
                vec![
                    art(
                        "Bridge works finish early",
                        "Workers left the site on Friday after the final inspection passed.",
                    ),
                    before[1].clone(),
                ],
                vec![Some(B), Some(L)],
            ),
            (
                "article inserted before",
                vec![
                    art(
                        "New",
                        "A brand new story about something else entirely, in detail.",
                    ),
                    before[0].clone(),
                    before[1].clone(),
                ],
                vec![None, Some(B), Some(L)],
            ),
        ];
        for (name, incoming, want) in cases {
            let incoming: Vec<Incoming> = incoming.iter().map(Incoming::new).collect();
            let got = assign(&incoming, &previous, &mut Fake::default()).expect("assign");
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn lookups_prefer_own_then_channel_and_never_published_elsewhere() {
        let a = art("Bridge works finish early", BRIDGE);
        let fp = fingerprint_bytes(&a);
        let cases: Vec<(&str, Vec<Candidate>, Option<i64>)> = vec![
            ("published in channel", vec![cand(X, true, true)], Some(X)),
            ("retracted in channel", vec![cand(X, true, false)], Some(X)),
            ("retracted elsewhere", vec![cand(X, false, false)], Some(X)),
            ("published elsewhere", vec![cand(X, false, true)], None),
            (
                "channel before elsewhere",
                vec![cand(10, false, false), cand(11, true, false)],
                Some(11),
            ),
            (
                "published before retracted",
                vec![cand(10, true, false), cand(11, true, true)],
                Some(11),
            ),
        ];
        for (name, found, want) in cases {
            let mut fake = Fake::default();
            fake.by_fp.insert(fp, found);
            let got = assign(&[Incoming::new(&a)], &[], &mut fake).expect("assign");
            assert_eq!(got, vec![want], "{name}");
        }
    }

    #[test]
    fn source_ids_stay_in_the_channel() {
        let mut a = art("Water notice", "Pipes fixed.");
        a.key = Some("n-1".into());
        for (found, want) in [
            (vec![cand(X, true, false)], Some(X)),
            (vec![cand(X, false, false)], None),
        ] {
            let mut fake = Fake::default();
            fake.by_key.insert("n-1".into(), found);
            let got = assign(&[Incoming::new(&a)], &[], &mut fake).expect("assign");
            assert_eq!(got, vec![want]);
        }
    }

    #[test]
    fn each_item_goes_to_one_article() {
        let a = art("Bridge works finish early", BRIDGE);
        let mut fake = Fake::default();
        fake.by_fp
            .insert(fingerprint_bytes(&a), vec![cand(X, true, true)]);
        let twice = [Incoming::new(&a), Incoming::new(&a)];
        let got = assign(&twice, &[], &mut fake).expect("assign");
        assert_eq!(got, vec![Some(X), None]);
    }

    #[test]
    fn fingerprints_ignore_wrapping_and_use_titles_for_short_bodies() {
        let wrapped = art("Bridge", &BRIDGE.replace(' ', "\n "));
        assert_eq!(
            fingerprint_bytes(&wrapped),
            fingerprint_bytes(&art("Other title", BRIDGE))
        );
        assert_ne!(
            fingerprint_bytes(&art("A", "见图")),
            fingerprint_bytes(&art("B", "见图"))
        );
    }
}
