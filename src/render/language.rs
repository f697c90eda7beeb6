//! The language of one article: the channel's when it sets one, else the
//! article's own as its text tells (`crate::language`, recorded when it was
//! stored), else the site's. It picks the byline's words, the JSON item's
//! `language` and the page's `lang`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{LazyLock, Mutex};

use super::Masthead;
use crate::language::{detect, tag};
use crate::model::{Article, Detected};

pub(crate) use crate::language::is_chinese;

/// Detections of articles not stored yet (or stored before detections were
/// recorded), remembered up to this many (then all are forgotten at once).
const MEMO_ENTRIES: usize = 16_384;

/// Detections by the hash and length of the article's title and body: a
/// feed renders each item in three formats, and the main feed repeats the
/// channels' items. Two articles agreeing in both by chance: about one in
/// 2⁶⁴.
static MEMO: LazyLock<Mutex<HashMap<(u64, usize), Detected>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The article's language tag (BCP 47), or `""` when neither channel, text
/// nor site gives one.
pub(crate) fn article_language(masthead: &Masthead, article: &Article) -> String {
    if masthead.language_set {
        return masthead.language.clone();
    }
    let detected = match &article.detected {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(remembered(article)),
    };
    tag(&detected, &masthead.language).unwrap_or_else(|| masthead.language.clone())
}

/// [`detect`], remembered in [`MEMO`].
fn remembered(article: &Article) -> Detected {
    let mut hasher = DefaultHasher::new();
    (&article.title, &article.blocks).hash(&mut hasher);
    let key = (hasher.finish(), article.title.len());
    let memo = || {
        MEMO.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(known) = memo().get(&key) {
        return known.clone();
    }
    let found = detect(article);
    let mut memo = memo();
    if memo.len() >= MEMO_ENTRIES {
        memo.clear();
    }
    memo.insert(key, found.clone());
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Block;

    fn masthead(language: &str, set: bool) -> Masthead {
        Masthead {
            channel: String::new(),
            title: "t".into(),
            description: String::new(),
            language: language.into(),
            language_set: set,
            author: "t".into(),
            icon: None,
            homepage: "https://x.example/".into(),
        }
    }

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: title.into(),
            blocks: vec![Block::Paragraph(body.into())],
            ..Article::default()
        }
    }

    #[test]
    fn detected_unless_the_channel_says() {
        let english = art(
            "Library opens on Sundays",
            "From April the central library opens on Sundays between ten and four, the council said.",
        );
        let chinese = art("江海区实行六学模式", "为深入学习宣传贯彻精神，扎实推进全区宣讲工作，江海区召开集体备课会，邀请专家分享备课过程。");
        let cases = [
            ("zh-CN", false, &english, "en"),
            ("zh-CN", false, &chinese, "zh-CN"),
            ("en-GB", false, &english, "en-GB"),
            ("en", false, &chinese, "zh"),
            ("zh-CN", true, &english, "zh-CN"),
            ("fr", false, &art("Hi", "Too short."), "fr"),
        ];
        // The second pass answers from the memo, the third from detections
        // recorded with the articles: the same article on another site
        // language must not get the first one's answer.
        let stored: Vec<Article> = cases
            .iter()
            .map(|(_, _, a, _)| Article {
                detected: Some(detect(a)),
                ..(*a).clone()
            })
            .collect();
        for pass in 0..3 {
            for (i, &(site, set, article, want)) in cases.iter().enumerate() {
                let article = if pass == 2 { &stored[i] } else { article };
                assert_eq!(
                    article_language(&masthead(site, set), article),
                    want,
                    "pass {pass}: {site} {set} {}",
                    article.title
                );
            }
        }
    }
}
