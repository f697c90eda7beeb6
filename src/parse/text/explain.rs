//! `--explain` for text pages: for every line, the label the model chose,
//! by how much it beat the next best label, and the features that weighed
//! most in that choice; for joined lines, why they were joined.

use super::joins;
use super::segment::{reasons, Decoded, Label, Weights};
use super::Observed;
use crate::parse::{Explained, LineKind};

/// How many features `--explain` names per line.
const REASONS_SHOWN: usize = 4;

/// The kind `--explain` reports for a label.
fn kind_of(label: Label) -> LineKind {
    match label {
        Label::Furniture | Label::Contents => LineKind::Furniture,
        Label::Section => LineKind::Section,
        Label::Kicker => LineKind::Kicker,
        Label::Headline | Label::HeadlineMore => LineKind::Headline,
        Label::Subtitle | Label::SubtitleMore => LineKind::Subtitle,
        Label::Credit => LineKind::Credit,
        Label::Body => LineKind::Paragraph,
        Label::Subheading => LineKind::Subheading,
        Label::Caption => LineKind::Caption,
    }
}

/// The label that came second on line `i`.
fn runner_up(decoded: &Decoded, i: usize) -> Option<(Label, f32)> {
    let chosen = decoded.labels[i];
    let s = &decoded.scores[i];
    Label::ALL
        .into_iter()
        .filter(|&l| l != chosen && s[l as usize].is_finite())
        .map(|l| (l, s[chosen as usize] - s[l as usize]))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Appends one explanation per line.
pub(super) fn lines(
    observed: &Observed,
    decoded: &Decoded,
    weights: &Weights,
    out: &mut Vec<Explained>,
) {
    let lines = &observed.lines;
    let mut last_body: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        let label = decoded.labels[i];
        let mut kind = kind_of(label);
        let mut why = String::new();
        if label == Label::Body {
            let joined = last_body.and_then(|p| {
                let gap = l.gap + (i - p - 1);
                joins::continues(&lines[p], l, gap, observed.flow)
            });
            if let Some(reason) = joined.filter(|_| last_body == Some(i.saturating_sub(1))) {
                kind = LineKind::Joined;
                why.push_str(reason);
                why.push_str("; ");
            }
            last_body = Some(i);
        } else if !matches!(label, Label::Furniture) {
            last_body = None;
        }
        if label == Label::Headline {
            why.push_str("article starts; ");
        }
        why.push_str(label.name());
        if let Some(d) = observed.declared[i] {
            why.push_str(if d == Label::Headline {
                ", declared: a Markdown heading at the stories' level above text"
            } else {
                ", declared: a rule line"
            });
        } else if let Some((alt, margin)) = runner_up(decoded, i) {
            let emit = weights.emit(&observed.observations[i]);
            let evidence = emit[label as usize] - emit[alt as usize];
            why.push_str(&format!(
                " by {margin:.1} over {} (line {evidence:+.1}, sequence {:+.1})",
                alt.name(),
                margin - evidence
            ));
            let top = reasons(&observed.observations[i], label, alt, weights);
            if !top.is_empty() {
                why.push(':');
                for (f, d) in top.into_iter().take(REASONS_SHOWN) {
                    why.push_str(&format!(" {}{d:+.1}", f.name()));
                }
            }
        }
        if let Some(f) = l.furniture {
            why.push_str(&format!("; detector: {}", f.why()));
        }
        if let Some(c) = l
            .credit
            .as_ref()
            .or(l.inline.as_ref())
            .or(l.trailing.as_ref())
        {
            why.push_str(&format!("; credit {}: {}", c.why, c.prefix));
        }
        out.push(Explained {
            line: l.no,
            kind,
            text: l.source.to_string(),
            why,
        });
    }
}
