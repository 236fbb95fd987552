//! Rendering extracted article HTML as plain text blocks: one block per
//! paragraph, heading, list item or table row, whitespace collapsed,
//! `<br>` kept as a line break.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

/// What kind of element a block of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading, with its level (1 for `<h1>`).
    Heading(u8),
    /// Any other block (paragraph, list item, quote, table row, ...).
    Text,
}

/// One block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Where it came from.
    pub kind: BlockKind,
    /// Its text: whitespace collapsed, lines joined by `\n`.
    pub text: String,
    /// How many of the text's non-whitespace characters are inside links
    /// (`<a>` elements).
    pub link_chars: usize,
}

impl Block {
    /// The share of the block's non-whitespace characters inside links
    /// (0 for a block without text).
    pub fn link_density(&self) -> f64 {
        let chars = self.text.chars().filter(|c| !c.is_whitespace()).count();
        if chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / chars as f64
        }
    }
}

/// Elements that start and end a block.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
];

/// Elements whose content is never text.
const SKIPPED_ELEMENTS: &[&str] = &["script", "style", "noscript", "template", "head", "title"];

/// The text blocks of an HTML fragment, in document order.
pub fn html_blocks(html: &str) -> Vec<Block> {
    blocks_of(&Html::parse_fragment(html))
}

/// The text blocks of a whole HTML page (its `<head>` skipped), in
/// document order.
pub fn page_blocks(html: &str) -> Vec<Block> {
    blocks_of(&Html::parse_document(html))
}

fn blocks_of(tree: &Html) -> Vec<Block> {
    let mut out = Blocks::default();
    out.walk(tree.root_element());
    out.flush();
    out.blocks
}

#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    current: String,
    kind: Option<BlockKind>,
    /// How many `<pre>` elements enclose the current node (their line
    /// breaks are kept; elsewhere a source line break is a space).
    pre_depth: usize,
    /// How many `<a>` elements enclose the current node.
    link_depth: usize,
    /// Non-whitespace characters of `current` that are inside links.
    link_chars: usize,
}

impl Blocks {
    /// Walks the tree without recursion, so that deeply nested markup
    /// cannot exhaust the stack.
    fn walk(&mut self, root: ElementRef<'_>) {
        let mut outer_kinds: Vec<Option<BlockKind>> = Vec::new();
        let mut skip_depth = 0usize;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Text(_) if skip_depth > 0 => {}
                    Node::Text(t) => {
                        if self.link_depth > 0 {
                            self.link_chars += t.chars().filter(|c| !c.is_whitespace()).count();
                        }
                        if self.pre_depth > 0 {
                            self.current.push_str(t);
                        } else {
                            self.current.extend(
                                t.chars()
                                    .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                            );
                        }
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if skip_depth > 0 || SKIPPED_ELEMENTS.contains(&name) {
                            skip_depth += 1;
                        } else if name == "a" {
                            self.link_depth += 1;
                        } else if name == "br" {
                            self.current.push('\n');
                        } else if BLOCK_ELEMENTS.contains(&name) {
                            self.flush();
                            outer_kinds.push(self.kind);
                            self.kind = Some(
                                heading_level(name).map_or(BlockKind::Text, BlockKind::Heading),
                            );
                            self.pre_depth += usize::from(name == "pre");
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    let Node::Element(e) = node.value() else {
                        continue;
                    };
                    let name = e.name();
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if name == "a" {
                        self.link_depth = self.link_depth.saturating_sub(1);
                    } else if BLOCK_ELEMENTS.contains(&name) {
                        self.flush();
                        self.pre_depth -= usize::from(name == "pre");
                        self.kind = outer_kinds.pop().flatten();
                    } else if matches!(name, "td" | "th") {
                        self.current.push(' ');
                    }
                }
            }
        }
    }

    fn flush(&mut self) {
        let lines: Vec<String> = self
            .current
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        self.current.clear();
        let link_chars = std::mem::take(&mut self.link_chars);
        if !lines.is_empty() {
            self.blocks.push(Block {
                kind: self.kind.unwrap_or(BlockKind::Text),
                text: lines.join("\n"),
                link_chars,
            });
        }
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blocks_follow_the_markup() {
        let b = html_blocks(
            "<h1>Title</h1><h2>Standfirst  here</h2><p>One <b>bold</b>\n word.</p><p>Line<br>break</p><ul><li>a</li><li>b</li></ul><table><tr><td>x</td><td>y</td></tr></table><script>no</script><pre>a\n  b</pre>",
        );
        let got: Vec<(BlockKind, &str)> = b.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (BlockKind::Heading(1), "Title"),
                (BlockKind::Heading(2), "Standfirst here"),
                (BlockKind::Text, "One bold word."),
                (BlockKind::Text, "Line\nbreak"),
                (BlockKind::Text, "a"),
                (BlockKind::Text, "b"),
                (BlockKind::Text, "x y"),
                (BlockKind::Text, "a\nb"),
            ]
        );
    }

    #[test]
    fn text_outside_blocks_is_a_block() {
        let b = html_blocks("loose <i>text</i><p>para</p>tail<h3>Sub<div>in</div>head</h3>");
        let got: Vec<(BlockKind, &str)> = b.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (BlockKind::Text, "loose text"),
                (BlockKind::Text, "para"),
                (BlockKind::Text, "tail"),
                (BlockKind::Heading(3), "Sub"),
                (BlockKind::Text, "in"),
                (BlockKind::Heading(3), "head"),
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let depth = 100_000;
        let html = format!(
            "{}<p>deep</p>{}",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        let b = html_blocks(&html);
        assert_eq!(b.last().map(|b| b.text.as_str()), Some("deep"));
    }

    proptest! {
        #[test]
        fn blocks_are_trimmed_and_non_empty(s in "(<p>|</p>|<br>|<h2>|</h2>|<li>|\\PC{0,12}){0,20}") {
            for b in html_blocks(&s) {
                prop_assert!(!b.text.is_empty());
                prop_assert_eq!(b.text.trim(), b.text.as_str());
                prop_assert!(!b.text.contains("  "));
            }
        }
    }
}
