//! `report.markdown.v1`: a bounded, readable `report.md` for a terminal.

use crate::corpus::{Relations, scalar_text, summary_lines};
use crate::error::ReportError;
use crate::facts::{self, PROVENANCE_KEY};
use crate::output::{OutputFile, check_relative_path};
use copydesk_core::{
    BuiltStage, CorpusSummary, Document, OptionDoc, OptionError, ReportStage, StageConfig,
    StageError, StageKind,
};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const NAME: &str = "report.markdown.v1";

/// Longest a quoted passage, caption or other excerpt gets, in characters.
const EXCERPT_CHARS: usize = 240;

/// Options of `report.markdown.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownReportConfig {
    /// File the report is written to, relative to the output directory.
    pub path: String,
    /// Documents given a section; later ones are counted in one closing line.
    pub max_documents: usize,
    /// Items listed per section (quotes, numbers, substitutions, captions, failures).
    pub max_items_per_section: usize,
    /// Relations listed in the corpus section.
    pub max_relations: usize,
}

impl Default for MarkdownReportConfig {
    fn default() -> Self {
        MarkdownReportConfig {
            path: "report.md".into(),
            max_documents: 200,
            max_items_per_section: 10,
            max_relations: 100,
        }
    }
}

impl StageConfig for MarkdownReportConfig {
    const NAME: &'static str = NAME;
    const KIND: StageKind = StageKind::Report;
    const DESCRIPTION: &'static str = "Writes report.md: run summary, relations and a bounded \
        section per document (metadata, quotes, numbers, spin)";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "path",
            kind: "string",
            doc: "File the report is written to, relative to the output directory \
                  (default \"report.md\").",
        },
        OptionDoc {
            name: "max_documents",
            kind: "integer",
            doc: "Documents given a section; later ones are counted in one closing line \
                  (default 200).",
        },
        OptionDoc {
            name: "max_items_per_section",
            kind: "integer",
            doc: "Items listed per section: quotes, numbers, substitutions, captions, \
                  failures (default 10).",
        },
        OptionDoc {
            name: "max_relations",
            kind: "integer",
            doc: "Relations listed in the corpus section (default 100).",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        check_relative_path("path", &self.path)?;
        if self.max_items_per_section == 0 {
            return Err(OptionError::for_key(
                "max_items_per_section",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Report(Box::new(MarkdownReport::new(
            self.clone(),
        ))))
    }
}

/// The runtime of `report.markdown.v1`. Document sections (at most
/// `max_documents`, each bounded) are kept until `finish`, which writes the
/// run and corpus summaries first.
pub struct MarkdownReport {
    config: MarkdownReportConfig,
    out_dir: Option<PathBuf>,
    sections: Vec<String>,
    seen: usize,
}

impl MarkdownReport {
    /// A report with the given options; call [`ReportStage::begin`] first.
    pub fn new(config: MarkdownReportConfig) -> Self {
        MarkdownReport {
            config,
            out_dir: None,
            sections: Vec::new(),
            seen: 0,
        }
    }
}

impl ReportStage for MarkdownReport {
    fn reads_documents_back(&self) -> bool {
        false
    }

    fn reads_raw(&self) -> bool {
        false
    }

    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError> {
        self.out_dir = Some(out_dir.to_path_buf());
        self.sections.clear();
        self.seen = 0;
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        if self.out_dir.is_none() {
            return Err(ReportError::NotStarted { stage: NAME }.into());
        }
        self.seen += 1;
        if self.sections.len() < self.config.max_documents {
            let section = document_section(self.seen, doc, self.config.max_items_per_section);
            self.sections.push(section);
        }
        Ok(())
    }

    fn finish(&mut self, summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
        let out_dir = self
            .out_dir
            .take()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let mut file = OutputFile::create(NAME, out_dir.join(&self.config.path))?;
        file.write_str(&header(summary, self.seen, &self.config))?;
        if self.seen > 0 {
            let shown = self.sections.len();
            let title = if shown < self.seen {
                format!("## Documents (first {shown} of {})\n\n", self.seen)
            } else {
                format!("## Documents ({})\n\n", self.seen)
            };
            file.write_str(&title)?;
            for section in self.sections.drain(..) {
                file.write_str(&section)?;
            }
            if shown < self.seen {
                file.write_str(&format!(
                    "… {} more document(s) left out (max_documents = {}).\n",
                    self.seen - shown,
                    self.config.max_documents
                ))?;
            }
        }
        Ok(vec![file.close()?])
    }
}

/// Title, run table, corpus section and failures.
fn header(summary: &CorpusSummary<'_>, documents: usize, config: &MarkdownReportConfig) -> String {
    let max_items = config.max_items_per_section;
    let mut out = String::from("# copydesk report\n\n## Run\n\n");
    let _ = writeln!(
        out,
        "{documents} document(s) written, {} failure(s).\n",
        summary.failures.len()
    );
    if !summary.stats.is_empty() {
        out.push_str("| stage | in | out | failed | seconds |\n|---|--:|--:|--:|--:|\n");
        for s in summary.stats {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.2} |",
                cell(&s.stage),
                s.docs_in,
                s.docs_out,
                s.failed,
                s.time.as_secs_f64()
            );
        }
        out.push('\n');
    }

    let relations = Relations::from_corpus(summary.corpus);
    out.push_str("## Corpus\n\n");
    let lines = summary_lines(summary.corpus);
    if relations.relations.is_empty() && lines.is_empty() {
        out.push_str("No corpus findings.\n\n");
    }
    if !relations.relations.is_empty() {
        out.push_str("| relation kind | count |\n|---|--:|\n");
        for (kind, n) in relations.counts_by_kind() {
            let _ = writeln!(out, "| {} | {n} |", kind.as_str());
        }
        let _ = writeln!(
            out,
            "\n{} relation(s) between {} document(s).\n",
            relations.relations.len(),
            relations.documents_involved()
        );
    }
    for (key, value) in &lines {
        let _ = writeln!(
            out,
            "- {}: {}",
            inline(key),
            inline(&facts::one_line(value, 120))
        );
    }
    if !lines.is_empty() {
        out.push('\n');
    }
    if !relations.relations.is_empty() {
        let total = relations.relations.len();
        let shown = total.min(config.max_relations);
        let _ = writeln!(
            out,
            "### Relations{}\n",
            if shown < total {
                format!(" (first {shown} of {total})")
            } else {
                String::new()
            }
        );
        for r in relations.relations.iter().take(shown) {
            let _ = write!(
                out,
                "- {} → {}: **{}**, score {:.2}",
                code(&r.doc),
                code(&r.source),
                r.kind.as_str(),
                r.score
            );
            let subs = &r.evidence.substitutions;
            if !subs.is_empty() {
                let pairs = substitution_list(
                    subs.iter().map(|s| (s.spun.as_str(), s.original.as_str())),
                    max_items,
                );
                let _ = write!(out, "; substitutions: {pairs}");
            }
            let e = &r.evidence;
            let _ = writeln!(
                out,
                " ({} aligned, {} added, {} dropped passage(s))",
                e.aligned.len(),
                e.added.len(),
                e.dropped.len()
            );
        }
        out.push('\n');
    }
    if !relations.malformed.is_empty() {
        let _ = writeln!(
            out,
            "{} relation row(s) could not be read; first: {}\n",
            relations.malformed.len(),
            inline(&relations.malformed[0])
        );
    }

    if !summary.failures.is_empty() {
        let total = summary.failures.len();
        let shown = total.min(max_items);
        let _ = writeln!(out, "## Failures ({total})\n");
        for f in summary.failures.iter().take(shown) {
            let _ = writeln!(out, "- {}", inline(&facts::one_line(f, EXCERPT_CHARS)));
        }
        if shown < total {
            let _ = writeln!(out, "- … {} more in failures.jsonl", total - shown);
        }
        out.push('\n');
    }
    out
}

/// One document's section.
fn document_section(number: usize, doc: &Document, max_items: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {number}. {}\n", code(&doc.id));
    let _ = writeln!(out, "- source: {}", code(&doc.source.locator()));
    let meta = &doc.meta;
    let fields = [
        ("headline", meta.headline.as_deref()),
        ("byline", meta.byline.as_deref()),
        ("dateline", meta.dateline.as_deref()),
        ("credit", meta.credit.as_deref()),
        ("outlet", meta.outlet.as_deref()),
        ("date", meta.date.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            let _ = writeln!(
                out,
                "- {name}: {}",
                inline(&facts::one_line(v, EXCERPT_CHARS))
            );
        }
    }
    list_removed(&mut out, "captions removed", &meta.captions, max_items);
    list_removed(&mut out, "debris removed", &meta.debris, max_items);
    let words = copydesk_core::text::word_spans(&doc.text).len();
    let _ = write!(out, "- text: {words} word(s)");
    let counts = facts::layer_counts(doc);
    if !counts.is_empty() {
        let listed: Vec<String> = counts
            .iter()
            .map(|(layer, n)| format!("{} {n}", inline(layer)))
            .collect();
        let _ = write!(out, "; layers: {}", listed.join(" · "));
    }
    out.push('\n');
    if let Some(p) = doc.ext.get(PROVENANCE_KEY) {
        let _ = writeln!(out, "- provenance: {}", provenance_line(p));
    }
    out.push('\n');

    let quotes = facts::quotes(doc);
    if !quotes.is_empty() {
        let _ = writeln!(out, "Quotes ({}):\n", quotes.len());
        for q in quotes.iter().take(max_items) {
            let speaker = q
                .speaker
                .as_deref()
                .map(|s| format!(" — {}", inline(&facts::one_line(s, 80))))
                .unwrap_or_else(|| " — (speaker unknown)".to_string());
            let _ = writeln!(
                out,
                "> {}{speaker}\n",
                inline(&facts::one_line(&q.text, EXCERPT_CHARS))
            );
        }
        more(&mut out, quotes.len(), max_items);
    }

    let numbers = facts::numbers(doc);
    if !numbers.is_empty() {
        let listed: Vec<String> = numbers
            .iter()
            .take(max_items)
            .map(|(label, text)| {
                format!("{} ({})", inline(&facts::one_line(text, 60)), inline(label))
            })
            .collect();
        let _ = write!(out, "Numbers ({}): {}", numbers.len(), listed.join(", "));
        if numbers.len() > max_items {
            let _ = write!(out, ", … +{} more", numbers.len() - max_items);
        }
        out.push_str("\n\n");
    }

    if let Some(v) = facts::spin_verdict(doc) {
        let _ = write!(
            out,
            "Spin: {}, score {:.2}",
            if v.spun { "**spun**" } else { "not spun" },
            v.score
        );
        if let Some(source) = &v.source {
            let _ = write!(out, ", against {}", code(source));
        }
        if !v.substitutions.is_empty() {
            let pairs = substitution_list(
                v.substitutions
                    .iter()
                    .map(|s| (s.spun.as_str(), s.original.as_str())),
                max_items,
            );
            let _ = write!(out, "; substitutions ({}): {pairs}", v.substitutions.len());
        }
        out.push_str("\n\n");
    } else if doc.ext.contains_key(facts::SPIN_KEY) {
        out.push_str("Spin: verdict present but not readable.\n\n");
    }
    out
}

fn list_removed(out: &mut String, what: &str, items: &[String], max_items: usize) {
    if items.is_empty() {
        return;
    }
    let listed: Vec<String> = items
        .iter()
        .take(max_items)
        .map(|c| format!("“{}”", inline(&facts::one_line(c, 120))))
        .collect();
    let _ = write!(out, "- {what} ({}): {}", items.len(), listed.join("; "));
    if items.len() > max_items {
        let _ = write!(out, "; … +{} more", items.len() - max_items);
    }
    out.push('\n');
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(out, "… {} more\n", total - shown);
    }
}

/// The provenance extension, opaque: an object's scalar fields as
/// `key: value`, anything else as compact JSON, on one bounded line.
fn provenance_line(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| Some(format!("{k}: {}", provenance_value(v)?)))
            .collect::<Vec<_>>()
            .join("; "),
        other => provenance_value(other).unwrap_or_default(),
    };
    inline(&facts::one_line(&text, EXCERPT_CHARS))
}

/// One provenance value as short text; `None` for null and empty values.
/// Numbers keep at most three decimals; lists of scalars are joined.
fn provenance_value(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Number(n) if n.is_f64() => n.as_f64().map(|f| {
            let s = format!("{f:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }),
        Value::Array(items)
            if items
                .iter()
                .all(|i| !matches!(i, Value::Array(_) | Value::Object(_))) =>
        {
            Some(
                items
                    .iter()
                    .filter_map(provenance_value)
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        other => Some(scalar_text(other)),
    }
}

/// Distinct `spun → original` pairs in first-seen order, `×n` when a pair
/// repeats, at most `max_items` of them, then `(+k more)`.
fn substitution_list<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
    max_items: usize,
) -> String {
    let mut distinct: Vec<((&str, &str), usize)> = Vec::new();
    for pair in pairs {
        match distinct.iter_mut().find(|(p, _)| *p == pair) {
            Some((_, n)) => *n += 1,
            None => distinct.push((pair, 1)),
        }
    }
    let listed: Vec<String> = distinct
        .iter()
        .take(max_items)
        .map(|((spun, original), n)| {
            let s = substitution(spun, original);
            if *n > 1 { format!("{s} ×{n}") } else { s }
        })
        .collect();
    let text = listed.join(", ");
    if distinct.len() > max_items {
        format!("{text} (+{} more)", distinct.len() - max_items)
    } else {
        text
    }
}

/// `spun → original`.
fn substitution(spun: &str, original: &str) -> String {
    format!(
        "{} → {}",
        inline(&facts::one_line(spun, 60)),
        inline(&facts::one_line(original, 60))
    )
}

/// Text made safe for a Markdown line: backslash-escapes the characters that
/// would start markup (`<` HTML, `|` table cells, emphasis, links, code),
/// keeping the text readable in a terminal. Newlines become spaces.
pub(crate) fn inline(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '<' | '>' | '|' | '*' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                // Intraword underscores never start emphasis; keep ids readable.
                let before = i > 0 && chars[i - 1].is_alphanumeric();
                let after = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                if !(before && after) {
                    out.push('\\');
                }
                out.push('_');
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A table cell: like [`inline`].
fn cell(s: &str) -> String {
    inline(s)
}

/// A code span holding `s` verbatim, fenced with enough backticks.
pub(crate) fn code(s: &str) -> String {
    let s = facts::one_line(s, 200);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markup_but_keeps_ids() {
        assert_eq!(inline("a|b <script>"), "a\\|b \\<script\\>");
        assert_eq!(inline("000_ad93"), "000_ad93");
        assert_eq!(inline("_x_"), "\\_x\\_");
    }

    #[test]
    fn provenance_skips_empty_fields_and_rounds() {
        let v = serde_json::json!({
            "copies": ["b", "c"], "kind": null, "score": 0.324583, "source": "", "story": "a", "n": []
        });
        assert_eq!(provenance_line(&v), "copies: b, c; score: 0.325; story: a");
        assert_eq!(provenance_line(&serde_json::json!(7)), "7");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("abc"), "`abc`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }
}
