//! Measures for spin repair: word error rate against the original text.

use crate::tokens::fold_word;
use copydesk_core::text::word_spans;

/// The words of a text, lowercased with apostrophes folded.
pub fn words(text: &str) -> Vec<String> {
    word_spans(text)
        .into_iter()
        .map(|(s, e)| fold_word(&text[s..e]))
        .collect()
}

/// Word-level Levenshtein distance.
pub fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Word error rate of `hypothesis` against `reference` (edits per reference word).
pub fn word_error_rate(hypothesis: &str, reference: &str) -> f64 {
    let (h, r) = (words(hypothesis), words(reference));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    edit_distance(&h, &r) as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wer_counts_word_edits() {
        assert_eq!(word_error_rate("the car is red", "the car is red"), 0.0);
        assert_eq!(
            word_error_rate("the automobile is red", "the car is red"),
            0.25
        );
        assert_eq!(word_error_rate("had been red", "were red"), 1.0);
    }

    proptest! {
        #[test]
        fn edit_distance_is_symmetric_and_bounded(a in "[a-c ]{0,30}", b in "[a-c ]{0,30}") {
            let (wa, wb) = (words(&a), words(&b));
            let d = edit_distance(&wa, &wb);
            prop_assert_eq!(d, edit_distance(&wb, &wa));
            prop_assert!(d <= wa.len().max(wb.len()));
            prop_assert_eq!(edit_distance(&wa, &wa), 0);
        }
    }
}
