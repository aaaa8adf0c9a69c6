//! Walking a parsed template: rendering it for one recipient, listing its
//! placeholders, counting its variants. Recursion here is bounded by the
//! parser's nesting limit.

use std::collections::{BTreeMap, HashSet};

use super::parse::{Node, Placeholder};
use crate::excel::headers;

/// What a recipient brings to the template.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    pub phone: &'a str,
    pub name: Option<&'a str>,
    /// The list's other columns: header as written → cell text.
    pub columns: &'a BTreeMap<String, String>,
}

impl Values<'_> {
    fn lookup(&self, key: &str) -> Option<&str> {
        let value = if headers::is_name_header(key) {
            self.name
        } else if headers::is_phone_header(key) {
            Some(self.phone)
        } else {
            self.columns.iter().find(|(header, _)| headers::same_header(header, key)).map(|(_, v)| v.as_str())
        };
        value.map(str::trim).filter(|v| !v.is_empty())
    }
}

pub(super) fn render(nodes: &[Node], values: &Values<'_>, seed: u64, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Placeholder(p) => out.push_str(values.lookup(&p.key).or(p.fallback.as_deref()).unwrap_or("")),
            Node::Choice { index, options } => {
                let pick = draw(seed, *index, options.len());
                render(&options[pick], values, seed, out);
            }
        }
    }
}

/// A stable draw in `0..n` for (recipient, choice): SplitMix64, fixed here
/// so the text a recipient gets never changes with a library upgrade.
fn draw(seed: u64, index: usize, n: usize) -> usize {
    let mut z = seed.wrapping_add((index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % n.max(1) as u64) as usize
}

pub(super) fn collect_placeholders<'a>(nodes: &'a [Node], into: &mut Vec<&'a Placeholder>) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Placeholder(p) => into.push(p),
            Node::Choice { options, .. } => options.iter().for_each(|o| collect_placeholders(o, into)),
        }
    }
}

/// Texts are enumerated (and deduplicated) only up to this many
/// combinations; beyond it the count of combinations is reported.
const ENUMERATE_UP_TO: u64 = 4_096;

pub(super) fn variants(nodes: &[Node]) -> u64 {
    let combinations = combinations(nodes);
    if combinations > ENUMERATE_UP_TO {
        return combinations;
    }
    enumerate(nodes).into_iter().collect::<HashSet<_>>().len() as u64
}

fn combinations(nodes: &[Node]) -> u64 {
    nodes.iter().fold(1u64, |acc, node| match node {
        Node::Choice { options, .. } => {
            acc.saturating_mul(options.iter().map(|o| combinations(o)).fold(0u64, u64::saturating_add))
        }
        _ => acc,
    })
}

fn enumerate(nodes: &[Node]) -> Vec<String> {
    let mut texts = vec![String::new()];
    for node in nodes {
        let parts = match node {
            Node::Text(text) => vec![text.clone()],
            // A placeholder is the same in every variant.
            Node::Placeholder(p) => vec![format!("\u{0}{}\u{0}", p.key)],
            Node::Choice { options, .. } => options.iter().flat_map(|o| enumerate(o)).collect(),
        };
        texts = texts.iter().flat_map(|t| parts.iter().map(move |p| format!("{t}{p}"))).collect();
    }
    texts
}
