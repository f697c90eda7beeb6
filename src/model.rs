//! Plain data shared by every stage: what a bulletin is made of once it has
//! been read ([`Bulletin`], [`Article`], [`Block`], [`Author`]) and what the
//! store hands to the renderers ([`Item`]).
//!
//! Nothing here does I/O or knows about files, SQL or HTTP; the types are the
//! contract between `parse`, `store` and `render`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// One bulletin file after parsing: its articles in page order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bulletin {
    /// The articles, in the order they appear in the file.
    pub articles: Vec<Article>,
    /// The date the bulletin states for itself (front matter, JSON, a dated
    /// file name or a printed page date), if any.
    pub date: Option<Dated>,
    /// Page section / banner that applies to the bulletin as a whole, if any.
    pub section: Option<String>,
    /// Non-fatal problems met while reading (replaced bytes, skipped items).
    pub warnings: Vec<String>,
}

/// A date as precise as the source gave it. The store resolves it to an
/// instant with the configured time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dated {
    /// A calendar day (`2022-12-09`, `2022年12月9日`): midnight local time.
    Day(NaiveDate),
    /// A wall-clock time without an offset: local time.
    Local(NaiveDateTime),
    /// A complete timestamp with its offset.
    Exact(DateTime<FixedOffset>),
}

/// One article: becomes one feed item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The headline (主题). Never empty.
    pub title: String,
    /// Kicker printed above the headline (引题), if any.
    pub kicker: Option<String>,
    /// Sub-headline printed below the headline (副题), if any.
    pub subtitle: Option<String>,
    /// Reporters, correspondents and other credited people, in credit order.
    pub authors: Vec<Author>,
    /// Section or page banner the article belongs to.
    pub section: Option<String>,
    /// The body, in reading order. Credits are not part of it.
    pub blocks: Vec<Block>,
    /// A date given for this article alone (JSON items, front matter).
    pub date: Option<Dated>,
    /// An identifier the source gave the article (JSON `id`); when present it
    /// keys the article instead of its title.
    pub key: Option<String>,
    /// A summary the source gave explicitly (JSON `summary`).
    pub summary: Option<String>,
    /// External link the source gave for the article (JSON `url`), if any.
    pub url: Option<String>,
    /// 1-based line in the source where the article starts (0 if unknown).
    pub line: usize,
    /// What its text tells of its language, recorded when the article is
    /// stored (see `crate::language`); `None` before that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<Detected>,
}

/// What an article's text tells of its language, before any site's
/// language is taken into account: how many letters the sample held and
/// whatlang's best guess, if it made one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detected {
    /// Letters in the sample (title and the start of the body).
    pub letters: u32,
    /// The guess; `None` when the sample was too short or whatlang had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guess: Option<Guess>,
}

/// whatlang's best guess at a sample's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guess {
    /// ISO 639-3 code (`eng`, `cmn`).
    pub lang: String,
    /// The script's name (`Latin`, `Mandarin`).
    pub script: String,
    /// Whether whatlang called the guess reliable.
    pub reliable: bool,
}

/// A person or body credited on an article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Author {
    /// The name as printed, without role words (`陈婵`, `Jane Doe`).
    pub name: String,
    /// What they did.
    pub role: Role,
}

/// The part a credited person played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A writer with no more specific role (`By …`, Markdown/JSON authors).
    Author,
    /// A staff reporter (`记者`).
    Reporter,
    /// A correspondent or contributor (`通讯员`).
    Correspondent,
    /// A news agency or wire credited as the source (`新华社`, `AP`).
    Agency,
    /// An editor (`编辑`, `责任编辑`).
    Editor,
}

/// A piece of article body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Block {
    /// A paragraph of plain text (already re-joined across column breaks).
    Paragraph(String),
    /// A subheading inside the article (小标题).
    Subheading(String),
    /// A photo caption, as printed; `credit` is the photographer or source
    /// (`礼乐街道`, `Jane Doe`) when the caption names one.
    Caption {
        /// The whole caption line, credit included.
        text: String,
        /// Who took or supplied the photo.
        credit: Option<String>,
    },
    /// Already sanitised HTML (from Markdown or JSON `content_html`) with its
    /// plain-text rendering for summaries.
    Html {
        /// Safe HTML fragment: only allow-listed tags and attributes.
        html: String,
        /// The same content as plain text.
        text: String,
    },
}

/// What a channel says about itself as a publication, from the
/// configuration (`[channels.NAME]`, or the top-level keys for the main
/// channel) or from a `channel.toml` in its folder. Every field is
/// optional; what is missing comes from the main channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Title of its feeds and pages.
    pub title: Option<String>,
    /// What it is about (feed description / subtitle).
    pub description: Option<String>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Who publishes it (feed-level author).
    pub author: Option<String>,
    /// Absolute URL of a square icon (JSON Feed `icon`, Atom `icon`, RSS `image`).
    pub icon: Option<String>,
    /// Absolute URL of its home on the web, when it has one besides the index.
    pub homepage: Option<String>,
}

impl Publication {
    /// These values, each missing one taken from `base`.
    pub fn or(&self, base: &Publication) -> Publication {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        Publication {
            title: pick(&self.title, &base.title),
            description: pick(&self.description, &base.description),
            language: pick(&self.language, &base.language),
            author: pick(&self.author, &base.author),
            icon: pick(&self.icon, &base.icon),
            homepage: pick(&self.homepage, &base.homepage),
        }
    }
}

/// An article as stored and published: what the renderers receive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Globally unique, permanent id (`tag:` URI). Never reused.
    pub id: String,
    /// Short URL-safe key used in the permalink path (`/items/{slug}`).
    pub slug: String,
    /// Channel name; empty for the main channel.
    pub channel: String,
    /// The article content.
    pub article: Article,
    /// When the article was published (bulletin date or first sight).
    pub published: DateTime<FixedOffset>,
    /// When its content last changed (equal to `published` until edited).
    pub updated: DateTime<FixedOffset>,
    /// Whether `published` is a calendar day the source printed (then it is
    /// midnight local time, and pages show the date alone).
    #[serde(default)]
    pub date_only: bool,
}

impl Article {
    /// The body as plain text, blocks separated by blank lines.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            let text = match block {
                Block::Paragraph(t) | Block::Subheading(t) => t.as_str(),
                Block::Caption { text, .. } => text.as_str(),
                Block::Html { text, .. } => text.as_str(),
            };
            if text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(text);
        }
        out
    }

    /// The running text only (paragraphs and HTML, no subheadings or
    /// captions), for summaries; the whole plain text if there is none.
    pub fn body_text(&self) -> String {
        let parts: Vec<&str> = self
            .blocks
            .iter()
            .filter_map(|block| match block {
                Block::Paragraph(t) | Block::Html { text: t, .. } => Some(t.as_str()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect();
        if parts.is_empty() {
            self.plain_text()
        } else {
            parts.join("\n\n")
        }
    }

    /// Authors with the given role, in credit order.
    pub fn names_with(&self, role: Role) -> impl Iterator<Item = &str> {
        self.authors
            .iter()
            .filter(move |a| a.role == role)
            .map(|a| a.name.as_str())
    }
}
