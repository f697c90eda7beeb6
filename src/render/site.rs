//! The site and its channels as publications: what the configuration and
//! each channel's `channel.toml` say, resolved into the values every format
//! and page writes ([`Masthead`]).

use std::collections::BTreeMap;

use super::text;
use crate::model::Publication;

/// Feed-level metadata: the main channel's (the configuration's top-level
/// keys), the base URL, and each named channel's own settings.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Title of the main channel and of the feeds of all channels.
    pub title: String,
    /// Description / subtitle of the main channel.
    pub description: String,
    /// BCP 47 language tag (`zh-CN`, `en`); blank for none.
    pub language: String,
    /// Feed-level author of the main channel, if configured.
    pub author: Option<String>,
    /// Absolute URL of the main channel's icon.
    pub icon: Option<String>,
    /// Absolute URL of the main channel's home on the web.
    pub homepage: Option<String>,
    /// Absolute base URL, always ending in `/` (`http://127.0.0.1:8080/`).
    pub base_url: String,
    /// Named channels' own settings (configuration, overridden by their
    /// `channel.toml`); channels without any are described from the main.
    pub channels: BTreeMap<String, Publication>,
    /// The WebSub hub feeds advertise (`<link rel="hub">`, JSON `hubs`,
    /// the `Link` header), if any.
    pub hub: Option<String>,
}

/// A channel as a publication, every value resolved: its own setting, else
/// the main channel's (a named channel's title, else `MAIN — NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masthead {
    /// The channel (`""` for the main channel and the feeds of all).
    pub channel: String,
    /// Title of its feeds and pages.
    pub title: String,
    /// Description (may be empty).
    pub description: String,
    /// Language tag (may be empty: then no format states one).
    pub language: String,
    /// Whether the channel set its own language; else each article's
    /// language is detected, the site's being the fallback.
    pub language_set: bool,
    /// Feed-level author: its own, else the site's, else the site's title.
    pub author: String,
    /// Icon URL, if any.
    pub icon: Option<String>,
    /// Home page URL: the configured one, else the site's index.
    pub homepage: String,
}

impl Site {
    /// `channel` as a publication.
    pub fn masthead(&self, channel: &str) -> Masthead {
        let main = Publication {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            language: Some(self.language.clone()),
            author: self.author.clone(),
            icon: self.icon.clone(),
            homepage: self.homepage.clone(),
        };
        let own = if channel.is_empty() {
            Publication::default()
        } else {
            self.channels.get(channel).cloned().unwrap_or_default()
        };
        // The site's language is a default: articles of the main channel,
        // and of channels that set none, are read one by one.
        let language_set = own.language.is_some();
        let merged = own.or(&main);
        let title = match (&own.title, channel.is_empty()) {
            (Some(t), _) => t.clone(),
            (None, true) => self.title.clone(),
            (None, false) => format!("{} — {}", self.title, channel),
        };
        // Who publishes it: its own author, else the site's, else the site.
        let author = merged
            .author
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| self.title.clone());
        Masthead {
            channel: channel.to_string(),
            description: merged.description.unwrap_or_default(),
            language: merged.language.unwrap_or_default().trim().to_string(),
            language_set,
            author,
            icon: merged.icon,
            homepage: merged
                .homepage
                .unwrap_or_else(|| text::cleaned(&self.base_url)),
            title,
        }
    }

    /// Title of a channel's feeds.
    pub fn feed_title(&self, channel: &str) -> String {
        self.masthead(channel).title
    }
}

impl Masthead {
    /// The language tag, cleaned; `None` when blank.
    pub fn language_tag(&self) -> Option<String> {
        let lang = text::cleaned(&self.language);
        (!lang.is_empty()).then_some(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_inherit_what_they_do_not_set() {
        let mut site = Site {
            title: "Gazette".into(),
            description: "All the news".into(),
            language: "en".into(),
            base_url: "https://news.example/".into(),
            icon: Some("https://news.example/icon.png".into()),
            ..Site::default()
        };
        site.channels.insert(
            "city".into(),
            Publication {
                title: Some("City Desk".into()),
                language: Some("zh-CN".into()),
                ..Publication::default()
            },
        );
        let main = site.masthead("");
        assert_eq!(
            (main.title.as_str(), main.author.as_str()),
            ("Gazette", "Gazette")
        );
        assert_eq!(main.homepage, "https://news.example/");
        let city = site.masthead("city");
        assert_eq!(city.title, "City Desk");
        assert_eq!(city.description, "All the news");
        assert_eq!((city.language.as_str(), city.language_set), ("zh-CN", true));
        assert_eq!(city.icon.as_deref(), Some("https://news.example/icon.png"));
        let sport = site.masthead("sport");
        assert_eq!(sport.title, "Gazette — sport");
        assert_eq!(city.author, "Gazette", "the site publishes its channels");
        assert_eq!((sport.language.as_str(), sport.language_set), ("en", false));
        assert!(!main.language_set, "the site's language is only a default");
    }
}
