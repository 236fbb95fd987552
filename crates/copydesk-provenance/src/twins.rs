//! Twins: documents whose clean text is byte for byte the same (a page
//! captured many times by a crawler, a wire story republished untouched).
//! Only the first of each group (its representative) goes through candidate
//! search and alignment; the others take the representative's relation
//! afterwards. A group of `k` twins then costs one document's work instead
//! of up to `k × max_candidates_per_doc` alignments.

#[cfg(test)]
use crate::hashing::PreHashedMap;

/// The hash twins are grouped by: the clean text's bytes.
pub fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// For every document, the representative of its twin group, or `None`
/// when it is its group's representative (or has no twin). The
/// representative is the one a pairwise comparison of identical texts
/// would call the original: the earliest date when every twin has one, else
/// the smallest id.
pub fn representatives(
    hashes: &[u64],
    dates: &[Option<String>],
    ids: &[String],
) -> Vec<Option<usize>> {
    // The documents by text hash, each group in document order (one sort,
    // not a list per document).
    let mut order: Vec<(u64, usize)> = hashes.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let mut rep = vec![None; hashes.len()];
    for group in order.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        let members = || group.iter().map(|&(_, o)| o);
        // As a pairwise comparison does: dates decide only when both sides
        // have one, ids otherwise.
        let all_dated = members().all(|o| dates.get(o).is_some_and(Option::is_some));
        let key = |o: usize| {
            let date = if all_dated {
                dates.get(o).and_then(|d| d.as_deref())
            } else {
                None
            };
            (date, ids.get(o).map(String::as_str))
        };
        let Some(first) = members().min_by_key(|&o| key(o)) else {
            continue;
        };
        for o in members() {
            if o != first {
                rep[o] = Some(first);
            }
        }
    }
    rep
}

/// The first implementation of [`representatives`] (a list of documents
/// per text hash), kept as the reference.
#[cfg(test)]
fn representatives_reference(
    hashes: &[u64],
    dates: &[Option<String>],
    ids: &[String],
) -> Vec<Option<usize>> {
    let mut groups: PreHashedMap<u64, Vec<usize>> = PreHashedMap::default();
    for (o, h) in hashes.iter().enumerate() {
        groups.entry(*h).or_default().push(o);
    }
    let mut rep = vec![None; hashes.len()];
    for members in groups.values().filter(|m| m.len() > 1) {
        let all_dated = members.iter().all(|&o| dates[o].is_some());
        let key = |&o: &usize| {
            let date = if all_dated { dates[o].as_deref() } else { None };
            (date, ids[o].as_str())
        };
        let Some(&first) = members.iter().min_by_key(|o| key(o)) else {
            continue;
        };
        for &o in members {
            if o != first {
                rep[o] = Some(first);
            }
        }
    }
    rep
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_of_each_text_stands_for_the_others() {
        let texts = ["a", "b", "a", "c", "b", "a"];
        let hashes: Vec<u64> = texts.iter().map(|t| text_hash(t)).collect();
        let ids: Vec<String> = ["d0", "d1", "d2", "d3", "d4", "d5"]
            .map(String::from)
            .into();
        let no_dates = vec![None; 6];
        assert_eq!(
            representatives(&hashes, &no_dates, &ids),
            [None, None, Some(0), None, Some(1), Some(0)]
        );
        // The earliest dated twin is the original when all have dates,
        // whatever the input order; otherwise the smallest id is.
        let mut dates = no_dates;
        dates[5] = Some("2019-01-02".to_string());
        dates[2] = Some("2019-01-03".to_string());
        assert_eq!(
            representatives(&hashes, &dates, &ids),
            [None, None, Some(0), None, Some(1), Some(0)]
        );
        dates[0] = Some("2019-01-04".to_string());
        assert_eq!(
            representatives(&hashes, &dates, &ids),
            [Some(5), None, Some(5), None, Some(1), None]
        );
    }

    proptest! {
        #[test]
        fn representatives_match_the_reference(
            docs in proptest::collection::vec((0u64..4, proptest::option::of(0u8..3), 0u8..5), 0..40)
        ) {
            // Few texts, dates and ids (ids repeat), so that every tie is met.
            let hashes: Vec<u64> = docs.iter().map(|d| d.0).collect();
            let dates: Vec<Option<String>> = docs.iter().map(|d| d.1.map(|x| format!("2020-01-0{x}"))).collect();
            let ids: Vec<String> = docs.iter().map(|d| format!("id{}", d.2)).collect();
            prop_assert_eq!(
                representatives(&hashes, &dates, &ids),
                representatives_reference(&hashes, &dates, &ids)
            );
        }

        #[test]
        fn every_group_has_one_representative_with_the_same_text(
            docs in proptest::collection::vec(("[ab]{0,2}", proptest::option::of(0u8..3)), 0..30)
        ) {
            let hashes: Vec<u64> = docs.iter().map(|(t, _)| text_hash(t)).collect();
            let dates: Vec<Option<String>> = docs.iter().map(|(_, d)| d.map(|d| format!("2020-01-0{d}"))).collect();
            let ids: Vec<String> = (0..docs.len()).map(|i| format!("id{i:03}")).collect();
            let reps = representatives(&hashes, &dates, &ids);
            for (o, rep) in reps.iter().enumerate() {
                match *rep {
                    Some(r) => {
                        prop_assert_eq!(&docs[r].0, &docs[o].0);
                        prop_assert_eq!(reps[r], None, "a representative stands for itself");
                    }
                    None => {
                        // No other document with this text is its representative.
                        for (p, other) in reps.iter().enumerate() {
                            if p != o && docs[p].0 == docs[o].0 {
                                prop_assert_eq!(*other, Some(o));
                            }
                        }
                    }
                }
            }
        }
    }
}
