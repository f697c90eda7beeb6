//! A feed document rendered once for any date of its own: RSS carries the
//! time its bytes last changed (`lastBuildDate`), Atom too (`updated`),
//! and the publisher learns that time only by comparing the bytes with the
//! stored ones. Rendering with a placeholder date and splicing the real one
//! in gives the same bytes as rendering with it, at the cost of a copy.

use chrono::{DateTime, FixedOffset};

use super::{render_document, FeedDoc, Format, RenderError, Site};
use crate::model::Item;

/// The date rendered where the document's own goes. Chosen so that no
/// article carries it; one that does makes the document [`Stamped::Unsplit`].
fn placeholder() -> DateTime<FixedOffset> {
    DateTime::from_timestamp(253_402_300_799, 0) // 9999-12-31T23:59:59Z
        .unwrap_or(DateTime::UNIX_EPOCH)
        .fixed_offset()
}

/// The document's date as its format writes it.
fn written(format: Format, t: DateTime<FixedOffset>) -> String {
    match format {
        Format::Rss => t.to_rfc2822(),
        Format::Atom | Format::Json => t.to_rfc3339(),
    }
}

/// A rendered document, ready to take its date.
#[derive(Debug)]
pub enum Stamped {
    /// Bytes that carry no date of their own (JSON Feed, the index, OPML).
    Fixed(Vec<u8>),
    /// Bytes with the placeholder date at `at`.
    Dated {
        bytes: Vec<u8>,
        at: std::ops::Range<usize>,
        format: Format,
    },
    /// The placeholder is not at exactly one place: render per date.
    Unsplit,
}

impl Stamped {
    /// The bytes with `t` as the document's date; `None` when the document
    /// is [`Stamped::Unsplit`].
    pub fn at(&self, t: DateTime<FixedOffset>) -> Option<Vec<u8>> {
        match self {
            Stamped::Fixed(bytes) => Some(bytes.clone()),
            Stamped::Dated { bytes, at, format } => {
                let date = written(*format, t);
                let mut out = Vec::with_capacity(bytes.len() + date.len());
                out.extend_from_slice(&bytes[..at.start]);
                out.extend_from_slice(date.as_bytes());
                out.extend_from_slice(&bytes[at.end..]);
                Some(out)
            }
            Stamped::Unsplit => None,
        }
    }

    /// Whether the bytes depend on the date given to [`Stamped::at`].
    pub fn is_dated(&self) -> bool {
        !matches!(self, Stamped::Fixed(_))
    }
}

/// Renders a feed document once, for [`Stamped::at`] to date.
pub fn render_stamped(
    site: &Site,
    doc: &FeedDoc<'_>,
    items: &[Item],
) -> Result<Stamped, RenderError> {
    let bytes = render_document(site, doc, items, placeholder())?;
    if doc.format == Format::Json {
        return Ok(Stamped::Fixed(bytes));
    }
    let date = written(doc.format, placeholder());
    let mut found = memchr::memmem::find_iter(&bytes, date.as_bytes());
    Ok(match (found.next(), found.next()) {
        (Some(start), None) => Stamped::Dated {
            at: start..start + date.len(),
            bytes,
            format: doc.format,
        },
        _ => Stamped::Unsplit,
    })
}
