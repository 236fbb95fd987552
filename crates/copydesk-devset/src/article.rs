//! A news article as the generator handles it: headline, dateline,
//! paragraphs and page debris, rendered to the text a loader would deliver.

use serde::{Deserialize, Serialize};

/// An article in parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The headline (first line of the rendered text), if any.
    pub headline: Option<String>,
    /// The dateline that opens the first paragraph (`"SALVADOR, Feb 26 -"`), if any.
    pub dateline: Option<String>,
    /// Body paragraphs.
    pub paragraphs: Vec<String>,
    /// Page debris lines placed after the paragraph of the given index
    /// (`usize::MAX` for the end).
    pub debris: Vec<(usize, String)>,
    /// Separator between blocks (`"\n\n"` or `"\n"`).
    pub separator: String,
}

impl Article {
    /// An article with blank lines between paragraphs and no debris.
    pub fn new(
        headline: Option<String>,
        dateline: Option<String>,
        paragraphs: Vec<String>,
    ) -> Self {
        Article {
            headline,
            dateline,
            paragraphs,
            debris: Vec::new(),
            separator: "\n\n".to_string(),
        }
    }

    /// The text as a loader would deliver it.
    pub fn render(&self) -> String {
        let mut blocks: Vec<String> = Vec::new();
        if let Some(h) = &self.headline {
            blocks.push(h.clone());
        }
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i == 0 {
                match &self.dateline {
                    Some(d) if d.ends_with(':') => {
                        blocks.push(d.clone());
                        blocks.push(p.clone());
                    }
                    Some(d) => blocks.push(format!("{d} {p}")),
                    None => blocks.push(p.clone()),
                }
            } else {
                blocks.push(p.clone());
            }
            for (_, line) in self.debris.iter().filter(|(at, _)| *at == i) {
                blocks.push(line.clone());
            }
        }
        for (at, line) in &self.debris {
            if *at >= self.paragraphs.len() {
                blocks.push(line.clone());
            }
        }
        blocks.join(&self.separator)
    }

    /// Number of words in the body.
    pub fn body_words(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headline_dateline_debris() {
        let mut a = Article::new(
            Some("Head".into()),
            Some("PARIS, March 2 -".into()),
            vec!["One.".into(), "Two.".into()],
        );
        a.debris.push((usize::MAX, "Load Next Story".into()));
        assert_eq!(
            a.render(),
            "Head\n\nPARIS, March 2 - One.\n\nTwo.\n\nLoad Next Story"
        );
        a.dateline = Some("PARIS:".into());
        a.separator = "\n".into();
        assert_eq!(a.render(), "Head\nPARIS:\nOne.\nTwo.\nLoad Next Story");
    }
}
