//! The language of one article: the channel's when it sets one, else the
//! article's own, detected from its text (`whatlang`), else the site's.
//! It picks the byline's words, the JSON item's `language` and the page's
//! `lang`.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{LazyLock, Mutex};

use whatlang::{Detector, Lang, Script};

use super::Masthead;
use crate::model::Article;

/// Characters looked at: enough to tell a language, cheap on long bodies.
const SAMPLE_CHARS: usize = 1000;

/// Letters needed before a detection is believed: a headline alone is too
/// little to tell English from Dutch, or Chinese from Japanese kanji.
const MIN_LETTERS: usize = 40;

/// Letters needed to believe an article is written in another script than
/// the site's language (a Latin-script article on a Chinese site): the
/// script is plain from a few words, and whatlang's best guess within it
/// is then taken even when it is not sure.
const MIN_SCRIPT_LETTERS: usize = 12;

/// Detections made at most this long ago are remembered (then all are
/// forgotten at once): the items of the current feeds and pages, many times
/// over, in a few hundred kilobytes.
const MEMO_ENTRIES: usize = 16_384;

/// Detections by the hash and length of the text and site language they
/// were made for. A publish renders each feed item in three formats, the
/// main feed repeats the channels' items, and a restart renders every
/// feed: without this, whatlang (tens of microseconds an article) took
/// most of the time of rendering feeds.
static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Hash and length of (site language, sample) → the detection. Two
/// samples agreeing in both by chance: about one in 2⁶⁴.
type Memo = HashMap<(u64, usize), Option<String>>;

/// The article's language tag (BCP 47), or `""` when neither channel, text
/// nor site gives one.
pub(crate) fn article_language(masthead: &Masthead, article: &Article) -> String {
    if masthead.language_set {
        return masthead.language.clone();
    }
    let mut sample: String = article.title.clone();
    sample.push('\n');
    let body = article.body_text();
    sample.extend(body.chars().take(SAMPLE_CHARS));
    remembered(&sample, &masthead.language).unwrap_or_else(|| masthead.language.clone())
}

/// [`detect`], remembered in [`MEMO`].
fn remembered(sample: &str, site_language: &str) -> Option<String> {
    let mut hasher = DefaultHasher::new();
    (site_language, sample).hash(&mut hasher);
    let key = (hasher.finish(), sample.len() + site_language.len());
    let memo = || {
        MEMO.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(known) = memo().get(&key) {
        return known.clone();
    }
    let found = detect(sample, site_language);
    let mut memo = memo();
    if memo.len() >= MEMO_ENTRIES {
        memo.clear();
    }
    memo.insert(key, found.clone());
    found
}

/// A confident detection of `text`'s language, as a tag; Chinese keeps the
/// site's regional tag (`zh-CN`, `zh-TW`) when the site is Chinese.
fn detect(text: &str, site_language: &str) -> Option<String> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < MIN_SCRIPT_LETTERS {
        return None;
    }
    let info = Detector::new().detect(text)?;
    let other_script = script_of(site_language).is_some_and(|s| s != info.script());
    let believed = (info.is_reliable() && letters >= MIN_LETTERS) || other_script;
    if !believed {
        return None;
    }
    let lang = info.lang();
    if lang == Lang::Cmn {
        return Some(if is_chinese(site_language) {
            site_language.to_string()
        } else {
            "zh".to_string()
        });
    }
    let tag = two_letter(lang).unwrap_or_else(|| lang.code());
    // The site's own tag when it names the same language (`en-GB` for `en`).
    let base = site_language.split('-').next().unwrap_or_default();
    Some(if base.eq_ignore_ascii_case(tag) {
        site_language.to_string()
    } else {
        tag.to_string()
    })
}

/// The script a language tag is written in, for the languages this site
/// meets most; `None` when unknown.
fn script_of(language: &str) -> Option<Script> {
    let base = language
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    Some(match base.as_str() {
        "zh" => Script::Mandarin,
        "ja" => Script::Hiragana,
        "ko" => Script::Hangul,
        "ru" | "uk" | "bg" | "sr" => Script::Cyrillic,
        "ar" | "fa" | "ur" => Script::Arabic,
        "en" | "fr" | "de" | "es" | "pt" | "it" | "nl" | "vi" | "id" | "ms" | "pl" | "tr"
        | "sv" | "da" | "nb" | "fi" => Script::Latin,
        _ => return None,
    })
}

/// Whether a language tag is Chinese (picks the byline's role words).
pub(crate) fn is_chinese(language: &str) -> bool {
    let lang = language.to_ascii_lowercase();
    lang == "zh" || lang.starts_with("zh-")
}

/// The ISO 639-1 code of the languages readers of this site meet most; the
/// others keep their ISO 639-3 code, which BCP 47 also accepts.
fn two_letter(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Eng => "en",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Spa => "es",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Rus => "ru",
        Lang::Nld => "nl",
        Lang::Vie => "vi",
        Lang::Tha => "th",
        Lang::Ind => "id",
        Lang::Ara => "ar",
        Lang::Nob => "nb",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Fin => "fi",
        Lang::Pol => "pl",
        Lang::Tur => "tr",
        Lang::Ukr => "uk",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Heb => "he",
        Lang::Hin => "hi",
        _ => return None,
    })
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
        // The second pass answers from the memo: the same article on
        // another site language must not get the first one's answer.
        for pass in 0..2 {
            for (site, set, article, want) in cases {
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
