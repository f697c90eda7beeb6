//! Feeds, the index and the OPML list: rendered for the channels a change
//! touched, given validators, compressed, kept in memory and mirrored into
//! the feeds folder.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use super::{decide, encode_copies, mirror, servable, PublishError, Publisher};
use crate::model::Item;
use crate::par::par_map;
use crate::render::{
    self, digest, feed_path, system_time, utc_time, Coding, Codings, Entity, FeedDoc, Format, Page,
    Stamped, HTML_TYPE, OPML_PATH, OPML_TYPE,
};
use crate::store::{ChannelInfo, Document, Store, Validators};

/// One hot document to render: its path, and how.
enum Job<'a> {
    /// A channel's current feed in one format (linking its newest archive
    /// document written).
    Feed {
        doc: FeedDoc<'a>,
        items: &'a [Item],
    },
    Index {
        channels: &'a [(String, usize)],
        latest: &'a [Item],
    },
    Opml {
        channels: &'a [(String, usize)],
    },
}

impl Job<'_> {
    fn path(&self) -> String {
        match self {
            Job::Feed { doc, .. } => feed_path(doc.channel, doc.format),
            Job::Index { .. } => "/".to_string(),
            Job::Opml { .. } => OPML_PATH.to_string(),
        }
    }

    fn content_type(&self) -> &'static str {
        match self {
            Job::Feed { doc, .. } => doc.format.content_type(),
            Job::Index { .. } => HTML_TYPE,
            Job::Opml { .. } => OPML_TYPE,
        }
    }

    /// The bytes, ready to take the document's own date where it has one.
    fn render(&self, site: &render::Site) -> Result<Stamped, PublishError> {
        match self {
            Job::Feed { doc, items } => Ok(render::render_stamped(site, doc, items)?),
            Job::Index { .. } | Job::Opml { .. } => self.render_at(site, 0).map(Stamped::Fixed),
        }
    }

    /// The bytes with `modified` as the document's own date (a feed's:
    /// the others have none), rendered for it.
    fn render_at(&self, site: &render::Site, modified: i64) -> Result<Vec<u8>, PublishError> {
        match self {
            Job::Feed { doc, items } => Ok(render::render_document(
                site,
                doc,
                items,
                utc_time(modified),
            )?),
            Job::Index { channels, latest } => Ok(render::render_index(site, channels, latest)),
            Job::Opml { channels } => Ok(render::render_opml(site, channels)?),
        }
    }
}

impl Publisher {
    /// Renders the main feed, the feeds of `dirty` channels and the index
    /// (when any feed is due), then records them as rendered.
    pub(super) fn publish_feeds(
        &mut self,
        store: &mut Store,
        channels: &[ChannelInfo],
        dirty: &BTreeSet<String>,
        codings: Codings,
    ) -> Result<(), PublishError> {
        if dirty.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let mut feeds: Vec<(String, Vec<Item>)> = Vec::new();
        for channel in channels.iter().filter(|c| servable(c)) {
            if channel.name.is_empty() || dirty.contains(&channel.name) {
                let scope = (!channel.name.is_empty()).then_some(channel.name.as_str());
                feeds.push((
                    channel.name.clone(),
                    store.newest(scope, self.items_per_feed)?,
                ));
            }
        }
        let named: Vec<(String, usize)> = channels
            .iter()
            .filter(|c| !c.name.is_empty() && servable(c))
            .map(|c| (c.name.clone(), c.items))
            .collect();
        let latest = feeds.first().map_or(&[][..], |(_, items)| items.as_slice());
        let archives = &self.archives;
        let mut jobs: Vec<Job> = feeds
            .iter()
            .flat_map(|(channel, items)| {
                Format::ALL.map(|format| Job::Feed {
                    doc: FeedDoc {
                        channel,
                        format,
                        page: Page::Current {
                            newest_archive: archives.get(channel).copied(),
                        },
                    },
                    items,
                })
            })
            .collect();
        jobs.push(Job::Index {
            channels: &named,
            latest,
        });
        jobs.push(Job::Opml { channels: &named });

        let now = Utc::now().timestamp();
        let olds: Vec<Option<Document>> = jobs
            .iter()
            .map(|j| store.document(&j.path()))
            .collect::<Result<_, _>>()?;
        let read = started.elapsed();
        let site = &self.site;
        let pairs: Vec<(&Job, Option<Validators>)> = jobs
            .iter()
            .zip(&olds)
            .map(|(j, o)| (j, o.as_ref().map(|d| d.validators)))
            .collect();
        let rendered = par_map(&pairs, |(job, old)| {
            render_with_validators(site, job, *old, now)
        });
        let renders = started.elapsed();
        // Compress only what is not already served as it is.
        let mut fresh: Vec<(String, &'static str, Vec<u8>, Validators)> = Vec::new();
        for ((job, _), result) in pairs.iter().zip(rendered) {
            let (bytes, validators) = result?;
            let path = job.path();
            let served = self.hot.get(&path).is_some_and(|e| {
                e.digest() == validators.etag && e.last_modified == system_time(validators.modified)
            });
            if !served {
                fresh.push((path, job.content_type(), bytes, validators));
            }
            crate::metrics::Metrics::bump(&self.metrics.renders);
        }
        // `codings` now (none after a change or at start, for the first
        // response; gzip after a reload); gzip right after a change, the
        // rest, which cost three times as much, once the queue is idle
        // (`complete_copies`).
        let site = &self.site;
        let entities = par_map(&fresh, |(path, content_type, bytes, v)| Entity {
            link: render::discovery_link(site, path),
            ..Entity::new(
                content_type,
                bytes.clone(),
                system_time(v.modified),
                codings,
            )
        });
        let compressed = started.elapsed();
        let mut documents = Vec::new();
        let mut files = Vec::new();
        for ((path, _, _, validators), entity) in fresh.into_iter().zip(entities) {
            let document = Document {
                validators,
                copies: encode_copies(&entity),
            };
            let old = jobs
                .iter()
                .position(|j| j.path() == path)
                .and_then(|i| olds[i].as_ref());
            if old != Some(&document) {
                documents.push((path.clone(), document));
            }
            files.push((path, Arc::new(entity)));
        }
        for (path, entity) in files {
            self.unmirrored.insert(path.clone());
            self.hot.insert(path, entity);
        }
        store.set_documents(&documents)?;
        let rendered: Vec<String> = feeds
            .into_iter()
            .map(|(name, _)| name)
            .chain(dirty.iter().cloned())
            .collect();
        store.clear_dirty(&rendered, &[])?;
        tracing::debug!(
            "feeds: read {read:?}, render {:?}, compress {:?}, record {:?}",
            renders - read,
            compressed - renders,
            started.elapsed() - compressed
        );
        Ok(())
    }

    /// Reads back from the feeds folder every hot document of a channel not
    /// in `due`; returns the channels some document of which could not be
    /// read back (they must be rendered).
    pub(super) fn restore_hot(
        &mut self,
        store: &Store,
        channels: &[ChannelInfo],
        due: &BTreeSet<String>,
    ) -> Result<BTreeSet<String>, PublishError> {
        let mut wanted: Vec<(String, String, &'static str, Document)> = Vec::new();
        let mut missing = BTreeSet::new();
        for channel in channels
            .iter()
            .filter(|c| servable(c) && !due.contains(&c.name))
        {
            let mut paths: Vec<(String, &'static str)> = Format::ALL
                .iter()
                .map(|f| (feed_path(&channel.name, *f), f.content_type()))
                .collect();
            if channel.name.is_empty() {
                paths.push(("/".to_string(), HTML_TYPE));
                paths.push((OPML_PATH.to_string(), OPML_TYPE));
            }
            for (path, content_type) in paths {
                match store.document(&path)? {
                    Some(doc) => wanted.push((channel.name.clone(), path, content_type, doc)),
                    None => {
                        missing.insert(channel.name.clone());
                    }
                }
            }
        }
        let root = &self.feeds_dir;
        let restored = par_map(&wanted, |(_, path, content_type, doc)| {
            super::restore::read_back(root, path, content_type, doc)
        });
        for ((channel, path, _, _), entity) in wanted.into_iter().zip(restored) {
            match entity {
                Some(entity) => {
                    let link = render::discovery_link(&self.site, &path);
                    self.hot.insert(path, Arc::new(Entity { link, ..entity }));
                }
                None => {
                    missing.insert(channel);
                }
            }
        }
        if !missing.is_empty() {
            // The index lists every channel: render it with the main feed.
            missing.insert(String::new());
        }
        Ok(missing)
    }

    /// Makes the copies of `codings` the first pass left out for every hot
    /// document lacking them, records their ETags, and returns the new
    /// snapshot; `None` when nothing lacked any.
    pub fn complete_copies(
        &mut self,
        store: &mut Store,
        codings: Codings,
    ) -> Result<Option<Arc<crate::render::Published>>, PublishError> {
        let lacking: Vec<(String, Arc<Entity>)> = self
            .hot
            .iter()
            .filter(|(_, e)| !e.has_all(codings))
            .map(|(p, e)| (p.clone(), Arc::clone(e)))
            .collect();
        if lacking.is_empty() {
            return Ok(None);
        }
        let completed = par_map(&lacking, |(_, e)| e.completed(codings));
        let mut documents = Vec::new();
        for ((path, _), entity) in lacking.into_iter().zip(completed) {
            let validators = crate::store::Validators {
                etag: entity.digest(),
                modified: entity
                    .last_modified
                    .duration_since(std::time::SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
            };
            documents.push((
                path.clone(),
                Document {
                    validators,
                    copies: encode_copies(&entity),
                },
            ));
            self.unmirrored.insert(path.clone());
            self.hot.insert(path, Arc::new(entity));
        }
        store.set_documents(&documents)?;
        Ok(Some(self.snapshot()))
    }

    /// Writes the hot documents changed since the last call (and their
    /// compressed copies) into the feeds folder. Called when the ingest
    /// queue is idle, and at least every few seconds during a burst: only the
    /// last version of a feed that changed many times is written, which
    /// spares the file system a new file (and a freed one) per version.
    pub fn flush_mirror(&mut self) {
        let mut files = Vec::new();
        let mut stale = Vec::new();
        for path in &self.unmirrored {
            let rel = mirror::rel_of(path);
            let Some(entity) = self.hot.get(path) else {
                // Gone since: its files go too.
                stale.extend(Self::hot_files(&rel));
                continue;
            };
            for coding in Codings::All
                .list()
                .iter()
                .copied()
                .chain([Coding::Identity])
            {
                let name = format!("{rel}{}", coding.suffix());
                match entity.variant(coding) {
                    Some(v) => files.push(mirror::MirrorFile {
                        rel: name,
                        bytes: &v.body,
                        modified: entity.last_modified,
                    }),
                    None => stale.push(name),
                }
            }
        }
        for (rel, err) in mirror::remove(&self.feeds_dir, &stale) {
            tracing::warn!("removing {rel}: {err}");
        }
        // The account of what the folder now holds, renamed into place last.
        let manifest = super::snapshot::encode(&self.hot, &self.gone, &self.archives);
        if manifest != self.manifest {
            files.push(mirror::MirrorFile {
                rel: super::snapshot::FILE.to_string(),
                bytes: &manifest,
                modified: std::time::SystemTime::now(),
            });
        }
        let failed = mirror::write_batch(&self.feeds_dir, &files);
        for (rel, err) in &failed {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        drop(files);
        self.manifest = if failed.is_empty() {
            manifest
        } else {
            Vec::new()
        };
        self.unmirrored.clear();
    }

    /// A hot document's files: identity and every compressed copy.
    fn hot_files(rel: &str) -> Vec<String> {
        std::iter::once(rel.to_string())
            .chain(
                Codings::All
                    .list()
                    .iter()
                    .map(|c| format!("{rel}{}", c.suffix())),
            )
            .collect()
    }
}

/// Renders one job and decides its validators: dated with the stored
/// time; with a new time when the bytes differ (the time is inside them).
fn render_with_validators(
    site: &render::Site,
    job: &Job<'_>,
    old: Option<Validators>,
    now: i64,
) -> Result<(Vec<u8>, Validators), PublishError> {
    let stamped = job.render(site)?;
    let dated = |t: i64| match stamped.at(utc_time(t)) {
        Some(bytes) => Ok(bytes),
        None => job.render_at(site, t),
    };
    let when = old.map_or(now, |v| v.modified);
    let mut bytes = dated(when)?;
    let mut validators = decide(old, &digest(&bytes), now);
    if validators.modified != when && stamped.is_dated() {
        bytes = dated(validators.modified)?;
        validators.etag = digest(&bytes);
    }
    Ok((bytes, validators))
}
