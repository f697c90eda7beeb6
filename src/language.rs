//! The language an article is written in, as far as its text tells.
//!
//! [`detect`] runs whatlang over a sample of the article (tens of
//! microseconds for an English one) once, when the article is stored; the
//! result is kept with it. [`tag`] reads that result against a site's
//! language whenever a page or feed is rendered, which costs nothing.

use whatlang::{Detector, Lang, Script};

use crate::model::{Article, Detected, Guess};

/// Characters looked at: enough to tell a language, cheap on long bodies.
const SAMPLE_CHARS: usize = 1000;

/// Letters needed before a detection is believed: a headline alone is too
/// little to tell English from Dutch, or Chinese from Japanese kanji.
const MIN_LETTERS: u32 = 40;

/// Letters needed to believe an article is written in another script than
/// the site's language (a Latin-script article on a Chinese site): the
/// script is plain from a few words, and whatlang's best guess within it
/// is then taken even when it is not sure. Shorter samples are not looked at.
const MIN_SCRIPT_LETTERS: u32 = 12;

/// What `article`'s title and the start of its running text tell of its
/// language.
pub fn detect(article: &Article) -> Detected {
    let mut sample: String = article.title.clone();
    sample.push('\n');
    let body = article.body_text();
    sample.extend(body.chars().take(SAMPLE_CHARS));
    detect_text(&sample)
}

/// [`detect`] on a sample.
fn detect_text(sample: &str) -> Detected {
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    let letters = u32::try_from(letters).unwrap_or(u32::MAX);
    let guess = (letters >= MIN_SCRIPT_LETTERS)
        .then(|| Detector::new().detect(sample))
        .flatten()
        .map(|info| Guess {
            lang: info.lang().code().to_string(),
            script: info.script().name().to_string(),
            reliable: info.is_reliable(),
        });
    Detected { letters, guess }
}

/// The article's language tag (BCP 47) on a site written in
/// `site_language`, when the detection is to be believed; Chinese keeps the
/// site's regional tag (`zh-CN`, `zh-TW`) when the site is Chinese, and any
/// language the site's tag names keeps the site's tag (`en-GB` for `en`).
pub fn tag(detected: &Detected, site_language: &str) -> Option<String> {
    let guess = detected.guess.as_ref()?;
    let lang = Lang::from_code(&guess.lang)?;
    let script = *Script::all().iter().find(|s| s.name() == guess.script)?;
    let other_script = script_of(site_language).is_some_and(|s| s != script);
    let believed = (guess.reliable && detected.letters >= MIN_LETTERS) || other_script;
    if !believed {
        return None;
    }
    if lang == Lang::Cmn {
        return Some(if is_chinese(site_language) {
            site_language.to_string()
        } else {
            "zh".to_string()
        });
    }
    let code = two_letter(lang).unwrap_or_else(|| lang.code());
    let base = site_language.split('-').next().unwrap_or_default();
    Some(if base.eq_ignore_ascii_case(code) {
        site_language.to_string()
    } else {
        code.to_string()
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

    #[test]
    fn a_detection_survives_its_stored_form() {
        let d = detect_text(
            "The council opened the new library on Sunday, and readers came in hundreds.",
        );
        let guess = d.guess.clone().expect("a guess");
        assert_eq!(guess.lang, "eng");
        assert!(Lang::from_code(&guess.lang).is_some());
        assert!(
            Script::all().iter().any(|s| s.name() == guess.script),
            "{}",
            guess.script
        );
        let stored: Detected =
            serde_json::from_str(&serde_json::to_string(&d).expect("encodes")).expect("decodes");
        assert_eq!(stored, d);
        assert_eq!(tag(&stored, "en-GB").as_deref(), Some("en-GB"));
        assert_eq!(tag(&stored, "zh-CN").as_deref(), Some("en"));
    }

    #[test]
    fn short_samples_are_not_guessed() {
        let d = detect_text("Hi\nToo short.");
        assert_eq!(d.guess, None);
        assert_eq!(tag(&d, "fr"), None);
    }
}
