//! The site as it is written: the configuration, with each channel's own
//! `channel.toml` (kept in the store) over it, key by key.

use super::{PublishError, Publisher};
use crate::model::Publication;
use crate::render::Site;
use crate::store::Store;

impl Publisher {
    /// Reads the channels' own settings again and rebuilds the site.
    pub(super) fn refresh_site(&mut self, store: &Store) -> Result<(), PublishError> {
        self.site = overlay(&self.configured, store.channel_settings()?);
        Ok(())
    }
}

/// `configured` with `own` settings over it; `""` names the main channel.
fn overlay(configured: &Site, own: Vec<(String, Publication)>) -> Site {
    let mut site = configured.clone();
    for (channel, settings) in own {
        if channel.is_empty() {
            let pick = |own: Option<String>, base: &mut String| {
                if let Some(value) = own {
                    *base = value;
                }
            };
            pick(settings.title, &mut site.title);
            pick(settings.description, &mut site.description);
            pick(settings.language, &mut site.language);
            site.author = settings.author.or(site.author);
            site.icon = settings.icon.or(site.icon);
            site.homepage = settings.homepage.or(site.homepage);
        } else {
            let base = site.channels.get(&channel).cloned().unwrap_or_default();
            site.channels.insert(channel, settings.or(&base));
        }
    }
    site
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_toml_wins_key_by_key() {
        let mut configured = Site {
            title: "Gazette".into(),
            language: "en".into(),
            ..Site::default()
        };
        configured.channels.insert(
            "city".into(),
            Publication {
                title: Some("City (config)".into()),
                description: Some("From the config".into()),
                ..Publication::default()
            },
        );
        let own = vec![
            (
                String::new(),
                Publication {
                    title: Some("The Gazette".into()),
                    ..Publication::default()
                },
            ),
            (
                "city".into(),
                Publication {
                    title: Some("City Desk".into()),
                    ..Publication::default()
                },
            ),
        ];
        let site = overlay(&configured, own);
        assert_eq!(
            (site.title.as_str(), site.language.as_str()),
            ("The Gazette", "en")
        );
        let city = &site.channels["city"];
        assert_eq!(city.title.as_deref(), Some("City Desk"));
        assert_eq!(city.description.as_deref(), Some("From the config"));
    }
}
