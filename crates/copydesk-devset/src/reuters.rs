//! Reading Reuters-21578 records (`reuters21578.jsonl`) into [`Article`]s.

use crate::article::Article;
use serde::Deserialize;
use std::io::BufRead;
use std::path::Path;

/// One Reuters-21578 record as stored in the JSON lines file.
#[derive(Debug, Clone, Deserialize)]
pub struct ReutersRecord {
    /// `reuters-N`.
    pub id: String,
    /// `26-FEB-1987 15:01:01.79`.
    #[serde(default)]
    pub date: Option<String>,
    /// The all-caps title.
    #[serde(default)]
    pub title: Option<String>,
    /// `SALVADOR, Feb 26 -`.
    #[serde(default)]
    pub dateline: Option<String>,
    /// The body with hard line wraps, or `None`.
    #[serde(default)]
    pub text: Option<String>,
}

/// Why the Reuters file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReutersError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a record.
    #[error("{path}:{line}: {source}")]
    Json {
        /// The file.
        path: String,
        /// The line, from 1.
        line: usize,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// Reads every record of a `reuters21578.jsonl` file.
pub fn read_records(path: &Path) -> Result<Vec<ReutersRecord>, ReutersError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReutersError::Io {
        path: name.clone(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| ReutersError::Io {
            path: name.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let rec = serde_json::from_str(&line).map_err(|source| ReutersError::Json {
            path: name.clone(),
            line: i + 1,
            source,
        })?;
        out.push(rec);
    }
    Ok(out)
}

/// The body's paragraphs: indented lines start a paragraph, wrapped lines
/// are joined, the closing `Reuter` sign-off is dropped.
pub fn paragraphs(body: &str) -> Vec<String> {
    let mut paras: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        let trimmed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let starts_para = line.starts_with("  ")
            || line.starts_with('\t')
            || trimmed.is_empty()
            || trimmed.eq_ignore_ascii_case("reuter");
        if starts_para && !current.is_empty() {
            paras.push(std::mem::take(&mut current));
        }
        if trimmed.is_empty() {
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&trimmed);
    }
    if !current.is_empty() {
        paras.push(current);
    }
    while paras
        .last()
        .is_some_and(|p| p.eq_ignore_ascii_case("reuter") || p.eq_ignore_ascii_case("reuters"))
    {
        paras.pop();
    }
    paras
}

/// `26-FEB-1987 15:01:01.79` as `1987-02-26T15:01:01`, if it parses.
pub fn iso_date(date: &str) -> Option<String> {
    let (day_part, time) = date.trim().split_once(' ')?;
    let mut it = day_part.split('-');
    let day: u32 = it.next()?.parse().ok()?;
    let month = match it.next()?.to_ascii_uppercase().as_str() {
        "JAN" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" => 8,
        "SEP" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" => 12,
        _ => return None,
    };
    let year: u32 = it.next()?.parse().ok()?;
    let hms = time.split('.').next()?;
    Some(format!("{year:04}-{month:02}-{day:02}T{hms}"))
}

impl ReutersRecord {
    /// The record as an article (title as headline, dateline, paragraphs),
    /// or `None` when it has no body.
    pub fn article(&self) -> Option<Article> {
        let body = self.text.as_deref()?;
        let paras = paragraphs(body);
        if paras.is_empty() {
            return None;
        }
        Some(Article::new(
            self.title.clone().filter(|t| !t.trim().is_empty()),
            self.dateline.clone().filter(|d| !d.trim().is_empty()),
            paras,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_paragraphs() {
        let body = "Showers continued in\nthe zone.\n    The dry period\nends.\n Reuter";
        assert_eq!(
            paragraphs(body),
            ["Showers continued in the zone.", "The dry period ends."]
        );
    }

    #[test]
    fn parses_reuters_dates() {
        assert_eq!(
            iso_date("26-FEB-1987 15:01:01.79").as_deref(),
            Some("1987-02-26T15:01:01")
        );
        assert_eq!(iso_date("garbage"), None);
    }
}
