//! Rendering extracted article HTML as plain text blocks: one block per
//! paragraph, heading, list item or table row, whitespace collapsed,
//! `<br>` kept as a line break.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};
use trafilatura::dom::{Document, NodeId};

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
    document_blocks(&Document::parse(html))
}

/// The text blocks of a page already parsed by the extractor (the same
/// blocks [`page_blocks`] gives for its HTML), so that a page is parsed
/// once for both the extractor and the link densities.
pub fn document_blocks(doc: &Document) -> Vec<Block> {
    let mut out = Blocks::default();
    if let Some(&html) = doc.children(doc.root()).first() {
        out.walk_document(doc, html);
    }
    out.flush();
    out.blocks
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
    /// How many skipped elements (`script`, ...) enclose the current node.
    skip_depth: usize,
    /// The kinds of the blocks enclosing the current one.
    outer_kinds: Vec<Option<BlockKind>>,
}

impl Blocks {
    /// Walks the tree without recursion, so that deeply nested markup
    /// cannot exhaust the stack.
    fn walk(&mut self, root: ElementRef<'_>) {
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Text(t) => self.text(t),
                    Node::Element(e) => self.open(e.name()),
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(e) = node.value() {
                        self.close(e.name());
                    }
                }
            }
        }
    }

    /// The same walk over the extractor's tree, by its element text and
    /// tails (every text node once, in document order), without recursion.
    fn walk_document(&mut self, doc: &Document, root: NodeId) {
        struct Frame {
            id: NodeId,
            children: Vec<NodeId>,
            next: usize,
        }
        self.open(doc.tag_name(root));
        self.text(&doc.text(root));
        let mut stack = vec![Frame {
            id: root,
            children: doc.children(root),
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            if let Some(&child) = top.children.get(top.next) {
                top.next += 1;
                self.open(doc.tag_name(child));
                self.text(&doc.text(child));
                stack.push(Frame {
                    id: child,
                    children: doc.children(child),
                    next: 0,
                });
            } else if let Some(done) = stack.pop() {
                self.close(doc.tag_name(done.id));
                if !stack.is_empty() {
                    self.text(&doc.tail(done.id));
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        if self.skip_depth > 0 || t.is_empty() {
            return;
        }
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

    fn open(&mut self, name: &str) {
        if self.skip_depth > 0 || SKIPPED_ELEMENTS.contains(&name) {
            self.skip_depth += 1;
        } else if name == "a" {
            self.link_depth += 1;
        } else if name == "br" {
            self.current.push('\n');
        } else if BLOCK_ELEMENTS.contains(&name) {
            self.flush();
            self.outer_kinds.push(self.kind);
            self.kind = Some(heading_level(name).map_or(BlockKind::Text, BlockKind::Heading));
            self.pre_depth += usize::from(name == "pre");
        }
    }

    fn close(&mut self, name: &str) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
        } else if name == "a" {
            self.link_depth = self.link_depth.saturating_sub(1);
        } else if BLOCK_ELEMENTS.contains(&name) {
            self.flush();
            self.pre_depth = self.pre_depth.saturating_sub(usize::from(name == "pre"));
            self.kind = self.outer_kinds.pop().flatten();
        } else if matches!(name, "td" | "th") {
            self.current.push(' ');
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

    /// The reference: a page's blocks by html5ever's tree walked edge by
    /// edge (what `page_blocks` did before it shared the extractor's tree).
    fn page_blocks_by_edges(html: &str) -> Vec<Block> {
        blocks_of(&Html::parse_document(html))
    }

    #[test]
    fn a_page_gives_the_same_blocks_walked_either_way() {
        let html = "<!doctype html><html><head><title>T</title><script>x</script></head>\
            <body>lead <!-- c --> text<div><p>One <a href=x>link</a> two</p>\
            <ul><li><a>a</a></li><li>b<br>c</li></ul><pre>p\n q</pre>\
            <table><tr><td>x</td><th>y</th></tr></table></div>tail<h2>H</h2></body></html>";
        let blocks = page_blocks(html);
        assert_eq!(blocks, page_blocks_by_edges(html));
        assert!(
            blocks
                .iter()
                .any(|b| b.text == "One link two" && b.link_chars == 4)
        );
        let depth = 50_000;
        let deep = format!(
            "{}<p>deep</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(page_blocks(&deep), page_blocks_by_edges(&deep));
    }

    proptest! {
        #[test]
        fn pages_give_the_same_blocks_walked_either_way(
            s in "(<p>|</p>|<br>|<h2>|</h2>|<li>|<a href=x>|</a>|<script>|</script>|<pre>|</pre>|<td>|<!--|-->|<table>|\\PC{0,12}){0,30}"
        ) {
            prop_assert_eq!(page_blocks(&s), page_blocks_by_edges(&s));
        }

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
