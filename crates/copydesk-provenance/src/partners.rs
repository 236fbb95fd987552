//! Candidate pairs held as integers: the LSH pairs as one `u64` each
//! (merged band by band into one sorted list without duplicates), the
//! documents' ids as ranks, and each document's strongest partners chosen
//! by comparing integer keys instead of floats and id strings.

use rayon::prelude::*;

/// A pair `(i, j)` as one integer that sorts as the pair does.
pub(crate) fn pair_key(i: u32, j: u32) -> u64 {
    (u64::from(i) << 32) | u64::from(j)
}

/// The pair of [`pair_key`].
pub(crate) fn pair_of(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// Keyed entries (a pair and its shared slots) gathered in batches and
/// kept as sorted runs without duplicates, merged like the digits of a
/// binary counter (a run is merged into the one below it once it is at
/// least as long), so that each entry is moved a logarithmic number of
/// times, not once per batch.
#[derive(Debug, Default)]
pub(crate) struct SortedRuns {
    runs: Vec<Vec<(u64, u32)>>,
}

impl SortedRuns {
    /// Adds a batch of entries (any order).
    pub(crate) fn add(&mut self, mut batch: Vec<(u64, u32)>) {
        batch.par_sort_unstable_by_key(|e| e.0);
        batch.dedup_by_key(|e| e.0);
        let mut run = batch;
        while self
            .runs
            .last()
            .is_some_and(|below| below.len() <= run.len())
        {
            if let Some(below) = self.runs.pop() {
                run = merge_sorted(below, run);
            }
        }
        self.runs.push(run);
    }

    /// Every entry added, by ascending key, one per key.
    pub(crate) fn into_sorted(self) -> Vec<(u64, u32)> {
        self.runs
            .into_iter()
            .rev()
            .fold(Vec::new(), |all, run| merge_sorted(run, all))
    }
}

/// `all` (ascending keys, no duplicates) with `new` (any order) merged
/// in: ascending keys, no duplicates. Entries of one key carry the same
/// value (which one is kept does not matter).
#[cfg(test)]
fn merge_unique(all: Vec<(u64, u32)>, mut new: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    new.sort_unstable_by_key(|e| e.0);
    new.dedup_by_key(|e| e.0);
    merge_sorted(all, new)
}

/// Entries below which two lists are merged on one thread.
const SERIAL_MERGE: usize = 1 << 16;

/// Two lists of ascending keys without duplicates, merged into one: cut
/// into segments at keys of the longer list (a key's entries of both
/// lists fall in one segment), merged in parallel, then joined.
fn merge_sorted(all: Vec<(u64, u32)>, new: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    if all.is_empty() {
        return new;
    }
    if new.is_empty() {
        return all;
    }
    if all.len() + new.len() < SERIAL_MERGE {
        return merge_slices(&all, &new);
    }
    let all_is_long = all.len() >= new.len();
    let (long, short) = if all_is_long {
        (&all, &new)
    } else {
        (&new, &all)
    };
    let segments = (long.len() + short.len()).div_ceil(SERIAL_MERGE / 2);
    // Where each segment starts in `all` and in `new`.
    let cuts: Vec<(usize, usize)> = (0..=segments)
        .map(|k| {
            let at = long.len() * k / segments;
            let (in_long, in_short) = match long.get(at) {
                _ if k == 0 => (0, 0),
                Some(&(key, _)) => (at, short.partition_point(|e| e.0 < key)),
                None => (long.len(), short.len()),
            };
            if all_is_long {
                (in_long, in_short)
            } else {
                (in_short, in_long)
            }
        })
        .collect();
    let parts: Vec<Vec<(u64, u32)>> = cuts
        .par_windows(2)
        .map(|w| merge_slices(&all[w[0].0..w[1].0], &new[w[0].1..w[1].1]))
        .collect();
    concat_in_parallel(&parts)
}

/// `parts.concat()`, the parts copied by the pool's threads at once (a
/// long list is copied, and its fresh pages cleared, by all threads
/// instead of the one calling).
pub(crate) fn concat_in_parallel(parts: &[Vec<(u64, u32)>]) -> Vec<(u64, u32)> {
    let total: usize = parts.iter().map(Vec::len).sum();
    if total < SERIAL_MERGE {
        return parts.concat();
    }
    // Zeroed memory comes fresh from the system, cleared as it is written.
    let mut out = vec![(0u64, 0u32); total];
    let mut places: Vec<&mut [(u64, u32)]> = Vec::with_capacity(parts.len());
    let mut rest = out.as_mut_slice();
    for part in parts {
        let (place, tail) = std::mem::take(&mut rest).split_at_mut(part.len());
        places.push(place);
        rest = tail;
    }
    places
        .into_par_iter()
        .zip(parts.par_iter())
        .for_each(|(place, part)| place.copy_from_slice(part));
    out
}

/// [`merge_sorted`] of two slices on this thread.
fn merge_slices(all: &[(u64, u32)], new: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(all.len() + new.len());
    let (mut x, mut y) = (all.iter().peekable(), new.iter().peekable());
    loop {
        match (x.peek(), y.peek()) {
            (Some(&&a), Some(&&b)) => {
                if a.0 <= b.0 {
                    x.next();
                    if a.0 == b.0 {
                        y.next();
                    }
                    out.push(a);
                } else {
                    y.next();
                    out.push(b);
                }
            }
            (Some(&&a), None) => {
                x.next();
                out.push(a);
            }
            (None, Some(&&b)) => {
                y.next();
                out.push(b);
            }
            (None, None) => break,
        }
    }
    out
}

/// Each document's id as a rank: ids compare as their ranks do, and equal
/// ids have equal ranks.
pub(crate) fn id_ranks(ids: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    let mut ranks = vec![0u32; ids.len()];
    let mut rank = 0u32;
    for (pos, &o) in order.iter().enumerate() {
        if pos > 0 && ids[order[pos - 1] as usize] != ids[o as usize] {
            rank = pos as u32;
        }
        ranks[o as usize] = rank;
    }
    ranks
}

/// A partner's key for its document: more shared sketch slots first, then
/// the smaller id (rank); a larger key is a stronger partner. Never 0 for
/// a rank below `u32::MAX`.
pub(crate) fn partner_key(same: u32, rank: u32) -> u64 {
    (u64::from(same) << 32) | u64::from(u32::MAX - rank)
}

/// For each of `n` documents, the key ([`partner_key`]) of its `k`-th
/// strongest partner among `pairs` (`(i, j, shared slots)`), or 0 when it
/// has at most `k`: a partner is among the `k` strongest (or tied with the
/// last of them) when its key reaches the cutoff.
pub(crate) fn partner_cutoffs(
    n: usize,
    pairs: &[(u32, u32, u32)],
    ranks: &[u32],
    k: usize,
) -> Vec<u64> {
    let rank = |o: u32| ranks.get(o as usize).copied().unwrap_or(u32::MAX - 1);
    let mut starts = vec![0usize; n + 1];
    for &(i, j, _) in pairs {
        for o in [i, j] {
            if let Some(s) = starts.get_mut(o as usize + 1) {
                *s += 1;
            }
        }
    }
    for d in 1..starts.len() {
        starts[d] += starts[d - 1];
    }
    let mut next = starts.clone();
    let mut keys = vec![0u64; starts[n]];
    for &(i, j, same) in pairs {
        for (doc, other) in [(i, j), (j, i)] {
            if let Some(slot) = next.get_mut(doc as usize) {
                keys[*slot] = partner_key(same, rank(other));
                *slot += 1;
            }
        }
    }
    (0..n)
        .into_par_iter()
        .map_init(Vec::new, |list: &mut Vec<u64>, d| {
            let mine = &keys[starts[d]..starts[d + 1]];
            if mine.len() <= k {
                return 0;
            }
            let Some(last) = k.checked_sub(1) else {
                return u64::MAX;
            };
            list.clear();
            list.extend_from_slice(mine);
            *list.select_nth_unstable_by(last, |a, b| b.cmp(a)).1
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The selection `strongest` made before the integer keys: each
    /// document's partners sorted by estimated Jaccard (descending), then
    /// id, the `k`-th as the cutoff.
    fn strongest_reference(
        ids: &[String],
        scored: &[(usize, usize, f64)],
        k: usize,
    ) -> Vec<(usize, usize, f64)> {
        let mut partners: HashMap<usize, Vec<(f64, usize)>> = HashMap::new();
        for &(i, j, s) in scored {
            partners.entry(i).or_default().push((s, j));
            partners.entry(j).or_default().push((s, i));
        }
        let mut cutoff: HashMap<usize, (f64, usize)> = HashMap::new();
        for (doc, list) in partners.iter_mut() {
            if list.len() <= k {
                continue;
            }
            list.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| ids[x.1].cmp(&ids[y.1])));
            cutoff.insert(*doc, list[k - 1]);
        }
        let keeps = |doc: usize, other: usize, s: f64| match cutoff.get(&doc) {
            None => true,
            Some(&(cs, co)) => s > cs || (s == cs && ids[other] <= ids[co]),
        };
        scored
            .iter()
            .copied()
            .filter(|&(i, j, s)| keeps(i, j, s) || keeps(j, i, s))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn parallel_concatenation_is_concat(
            lengths in prop::collection::vec(prop_oneof![0usize..3, 0usize..40_000], 0..6),
            seed in any::<u64>(),
        ) {
            // Long parts (past the serial threshold together) and empty ones.
            let parts: Vec<Vec<(u64, u32)>> = lengths
                .iter()
                .enumerate()
                .map(|(p, &len)| {
                    (0..len)
                        .map(|k| (seed ^ ((p as u64) << 40) ^ k as u64, k as u32))
                        .collect()
                })
                .collect();
            prop_assert_eq!(concat_in_parallel(&parts), parts.concat());
        }
    }

    proptest! {
        #[test]
        fn partner_cutoffs_keep_what_the_sorted_lists_kept(
            raw in prop::collection::vec((0u32..25, 0u32..25, 0u32..6), 0..300),
            k in 1usize..6,
            docs_per_id in 1usize..4,
            perms in prop::sample::select(vec![64usize, 100, 128]),
        ) {
            let n = 25;
            // Few distinct ids and shared slot counts, so that ties decide.
            let ids: Vec<String> = (0..n).map(|d| format!("d{}", d / docs_per_id)).collect();
            let mut keys: Vec<u64> = raw
                .iter()
                .filter(|p| p.0 != p.1)
                .map(|p| pair_key(p.0.min(p.1), p.0.max(p.1)))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let scored: Vec<(u32, u32, u32)> = keys
                .iter()
                .zip(raw.iter().cycle())
                .map(|(&key, p)| {
                    let (i, j) = pair_of(key);
                    (i, j, p.2)
                })
                .collect();
            let jaccard = |same: u32| f64::from(same) / perms as f64;
            let as_floats: Vec<(usize, usize, f64)> =
                scored.iter().map(|&(i, j, s)| (i as usize, j as usize, jaccard(s))).collect();
            let expected = strongest_reference(&ids, &as_floats, k);
            let ranks = id_ranks(&ids);
            let cutoff = partner_cutoffs(n, &scored, &ranks, k);
            let ours: Vec<(usize, usize, f64)> = scored
                .iter()
                .filter(|&&(i, j, s)| {
                    partner_key(s, ranks[j as usize]) >= cutoff[i as usize]
                        || partner_key(s, ranks[i as usize]) >= cutoff[j as usize]
                })
                .map(|&(i, j, s)| (i as usize, j as usize, jaccard(s)))
                .collect();
            prop_assert_eq!(ours, expected);
        }

        #[test]
        fn ranks_compare_as_ids(ids in prop::collection::vec("[a-c]{0,3}", 0..40)) {
            let ranks = id_ranks(&ids);
            for (a, x) in ids.iter().enumerate() {
                for (b, y) in ids.iter().enumerate() {
                    prop_assert_eq!(ranks[a].cmp(&ranks[b]), x.cmp(y));
                }
            }
        }

        #[test]
        fn merged_keys_are_the_sorted_distinct_union(
            all in prop::collection::vec(0u64..200, 0..100),
            new in prop::collection::vec(0u64..200, 0..100),
        ) {
            // Each key carries a value of its own, as a pair its shared slots.
            let entry = |k: u64| (k, (k * 7 % 13) as u32);
            let mut all = all;
            all.sort_unstable();
            all.dedup();
            let mut expected: Vec<u64> = all.iter().chain(&new).copied().collect();
            expected.sort_unstable();
            expected.dedup();
            let expected: Vec<(u64, u32)> = expected.into_iter().map(entry).collect();
            let merged = merge_unique(
                all.into_iter().map(entry).collect(),
                new.into_iter().map(entry).collect(),
            );
            prop_assert_eq!(merged, expected);
        }

        #[test]
        fn parallel_merges_merge_as_one_thread_does(
            all in prop::collection::vec(0u64..400_000, 0..70_000),
            new in prop::collection::vec(0u64..400_000, 0..70_000),
            narrow in any::<bool>(),
        ) {
            // Past SERIAL_MERGE entries in all, the segments; narrow keys
            // make long runs of one key in each list's neighbourhood.
            let squeeze = |k: u64| if narrow { k / 5_000 * 5_000 } else { k };
            let entry = |k: u64| (k, (k * 7 % 13) as u32);
            let prepare = |v: Vec<u64>| {
                let mut v: Vec<u64> = v.into_iter().map(squeeze).collect();
                v.sort_unstable();
                v.dedup();
                v.into_iter().map(entry).collect::<Vec<_>>()
            };
            let (all, new) = (prepare(all), prepare(new));
            let expected = merge_slices(&all, &new);
            prop_assert_eq!(merge_sorted(all.clone(), new.clone()), expected.clone());
            prop_assert_eq!(merge_sorted(new, all), expected);
        }

        #[test]
        fn sorted_runs_hold_the_sorted_distinct_union(
            batches in prop::collection::vec(prop::collection::vec(0u64..300, 0..80), 0..12),
        ) {
            let entry = |k: u64| (k, (k * 7 % 13) as u32);
            let mut expected: Vec<u64> = batches.iter().flatten().copied().collect();
            expected.sort_unstable();
            expected.dedup();
            let expected: Vec<(u64, u32)> = expected.into_iter().map(entry).collect();
            let mut runs = SortedRuns::default();
            for batch in batches {
                runs.add(batch.into_iter().map(entry).collect());
            }
            prop_assert_eq!(runs.into_sorted(), expected);
        }
    }

    #[test]
    fn pair_keys_sort_as_pairs() {
        let pairs = [(0u32, 5u32), (1, 0), (1, 2), (u32::MAX, 3)];
        let keys: Vec<u64> = pairs.iter().map(|&(i, j)| pair_key(i, j)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for (&key, &pair) in keys.iter().zip(&pairs) {
            assert_eq!(pair_of(key), pair);
        }
    }
}
