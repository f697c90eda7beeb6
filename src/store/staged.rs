//! A bulletin's articles made ready for the store: everything writing them
//! needs that depends on the bulletin alone (each article with the
//! bulletin's section and its detected language, prepared for matching,
//! encoded for its row), so it can be computed on another core while the
//! store writes the previous one.

use super::codec::encode_article;
use super::identity::Incoming;
use super::StoreError;
use crate::language;
use crate::model::{Article, Bulletin};

/// One bulletin's articles, ready to be written.
#[derive(Debug)]
pub struct Staged {
    pub(super) articles: Vec<Article>,
    pub(super) incoming: Vec<Incoming>,
    pub(super) encoded: Vec<Vec<u8>>,
}

impl Staged {
    /// Stages the articles of `bulletin`.
    pub fn new(bulletin: &Bulletin) -> Result<Staged, StoreError> {
        let articles: Vec<Article> = bulletin
            .articles
            .iter()
            .map(|a| Article {
                detected: Some(language::detect(a)),
                ..with_bulletin_section(a, bulletin)
            })
            .collect();
        let incoming = articles.iter().map(Incoming::new).collect();
        let encoded = articles
            .iter()
            .map(encode_article)
            .collect::<Result<_, _>>()?;
        Ok(Staged {
            articles,
            incoming,
            encoded,
        })
    }
}

/// `article` with the bulletin's section when it names none itself.
fn with_bulletin_section(article: &Article, bulletin: &Bulletin) -> Article {
    match (&article.section, &bulletin.section) {
        (None, Some(section)) => Article {
            section: Some(section.clone()),
            ..article.clone()
        },
        _ => article.clone(),
    }
}
