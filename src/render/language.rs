//! The language of one article: the channel's when it sets one, else the
//! article's own, detected from its text (`whatlang`), else the site's.
//! It picks the byline's words, the JSON item's `language` and the page's
//! `lang`.

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
    detect(&sample, &masthead.language).unwrap_or_else(|| masthead.language.clone())
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
        for (site, set, article, want) in cases {
            assert_eq!(
                article_language(&masthead(site, set), article),
                want,
                "{site} {set} {}",
                article.title
            );
        }
    }
}
