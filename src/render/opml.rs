//! `/opml.xml`: every channel as an OPML 2.0 subscription list, through the
//! `opml` crate. One outline per channel (its title, description, language
//! and home page) holding one `type="rss"` outline per format, which is how
//! OPML readers import feeds of any format.

use super::text::cleaned;
use super::{feed_url, Format, RenderError, Site};

/// `Content-Type` of the OPML list.
pub const OPML_TYPE: &str = "text/x-opml; charset=utf-8";

/// Path of the OPML list.
pub const OPML_PATH: &str = "/opml.xml";

/// Renders the OPML list: the main channel (every channel's articles)
/// first, then `channels` (`(name, item count)`) in the order given.
pub fn render_opml(site: &Site, channels: &[(String, usize)]) -> Result<Vec<u8>, RenderError> {
    let main = site.masthead("");
    let mut document = opml::OPML {
        version: "2.0".to_string(),
        head: Some(opml::Head {
            title: Some(cleaned(&main.title)),
            ..opml::Head::default()
        }),
        ..opml::OPML::default()
    };
    let names = std::iter::once("").chain(channels.iter().map(|(name, _)| name.as_str()));
    for name in names {
        let masthead = site.masthead(name);
        let title = cleaned(&masthead.title);
        let description = cleaned(&masthead.description);
        let feeds = Format::ALL
            .iter()
            .map(|&format| opml::Outline {
                text: format!("{title} ({})", format.label()),
                title: Some(format!("{title} ({})", format.label())),
                r#type: Some("rss".to_string()),
                xml_url: Some(feed_url(site, name, format)),
                html_url: Some(cleaned(&masthead.homepage)),
                version: (format == Format::Rss).then(|| "RSS2".to_string()),
                ..opml::Outline::default()
            })
            .collect();
        document.body.outlines.push(opml::Outline {
            text: title.clone(),
            title: Some(title),
            description: (!description.trim().is_empty()).then_some(description),
            language: masthead.language_tag(),
            html_url: Some(cleaned(&masthead.homepage)),
            outlines: feeds,
            ..opml::Outline::default()
        });
    }
    let body = document
        .to_string()
        .map_err(|e| RenderError::Opml(e.to_string()))?;
    let mut out = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
    out.extend_from_slice(body.as_bytes());
    out.push(b'\n');
    Ok(out)
}
