//! Append-only storage of per-document slices in chunks of fixed capacity.
//!
//! The stage keeps a sketch and the sentence fingerprints of every
//! document until `finish`: hundreds of megabytes at a gigabyte of text,
//! appended one document at a time on the thread that absorbs them. In
//! one `Vec` that grows by doubling, every growth copies all of it into
//! fresh memory, whose pages the kernel must first clear: the appends then
//! touch about twice the final size, and a virtual machine pays dearly for
//! each first touch. In chunks of fixed capacity nothing is copied and
//! each byte is touched once.

/// Elements a chunk holds (4 MiB of `u32`s).
const CHUNK_ELEMENTS: usize = 1 << 20;

/// Slices of `T`, each kept whole in one chunk, addressed by their order
/// of arrival.
#[derive(Debug, Clone)]
pub struct ChunkedSlices<T> {
    chunks: Vec<Vec<T>>,
    /// Each slice's chunk, and its start and end in that chunk.
    spans: Vec<(u32, u32, u32)>,
    /// Capacity of a chunk (a slice longer than this gets a chunk of its own).
    capacity: usize,
}

impl<T: Copy> Default for ChunkedSlices<T> {
    fn default() -> Self {
        ChunkedSlices::with_chunk_capacity(CHUNK_ELEMENTS)
    }
}

impl<T: Copy> ChunkedSlices<T> {
    /// Storage whose chunks hold `capacity` elements (at least 1).
    pub fn with_chunk_capacity(capacity: usize) -> Self {
        ChunkedSlices {
            chunks: Vec::new(),
            spans: Vec::new(),
            capacity: capacity.max(1),
        }
    }

    /// Appends a slice (the next one in order).
    pub fn push(&mut self, items: &[T]) {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + items.len() <= c.capacity());
        if !fits {
            self.chunks
                .push(Vec::with_capacity(self.capacity.max(items.len())));
        }
        let chunk = self.chunks.len() - 1;
        if let Some(c) = self.chunks.last_mut() {
            let start = c.len();
            c.extend_from_slice(items);
            self.spans
                .push((chunk as u32, start as u32, c.len() as u32));
        }
    }

    /// The `k`th slice appended (empty when there is none).
    pub fn get(&self, k: usize) -> &[T] {
        let Some(&(chunk, start, end)) = self.spans.get(k) else {
            return &[];
        };
        self.chunks
            .get(chunk as usize)
            .and_then(|c| c.get(start as usize..end as usize))
            .unwrap_or(&[])
    }

    /// How many slices were appended.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no slice was appended.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every element, slice after slice, chunk by chunk.
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> {
        self.chunks.iter().map(Vec::as_slice)
    }
}

/// Slices of one fixed width (a sketch per document), `k` at offset
/// `k × width` of the concatenation, kept in chunks of whole slices.
#[derive(Debug, Clone)]
pub struct FixedWidthSlices<T> {
    chunks: Vec<Vec<T>>,
    width: usize,
    /// Slices a chunk holds.
    per_chunk: usize,
    len: usize,
}

impl<T: Copy> FixedWidthSlices<T> {
    /// Storage of slices of `width` elements (at least 1), in chunks of
    /// about a million elements.
    pub fn new(width: usize) -> Self {
        FixedWidthSlices::with_chunk_capacity(width, CHUNK_ELEMENTS)
    }

    /// Storage of slices of `width` elements in chunks of about `capacity`
    /// elements (at least one slice a chunk).
    pub fn with_chunk_capacity(width: usize, capacity: usize) -> Self {
        let width = width.max(1);
        FixedWidthSlices {
            chunks: Vec::new(),
            width,
            per_chunk: (capacity / width).max(1),
            len: 0,
        }
    }

    /// Appends a slice: its first `width` elements, padded with `fill`.
    pub fn push(&mut self, items: &[T], fill: T) {
        if self.len.is_multiple_of(self.per_chunk) {
            self.chunks
                .push(Vec::with_capacity(self.per_chunk * self.width));
        }
        if let Some(c) = self.chunks.last_mut() {
            let items = items.get(..self.width).unwrap_or(items);
            c.extend_from_slice(items);
            c.extend(std::iter::repeat_n(fill, self.width - items.len()));
            self.len += 1;
        }
    }

    /// The `k`th slice appended (empty when there is none).
    pub fn get(&self, k: usize) -> &[T] {
        if k >= self.len {
            return &[];
        }
        let (chunk, at) = (k / self.per_chunk, k % self.per_chunk);
        self.chunks
            .get(chunk)
            .and_then(|c| c.get(at * self.width..(at + 1) * self.width))
            .unwrap_or(&[])
    }

    /// How many slices were appended.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no slice was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every element, slice after slice, chunk by chunk.
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> {
        self.chunks.iter().map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn slices_read_back_as_a_list_of_vectors_holds_them(
            slices in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..12), 0..60),
            capacity in 1usize..20,
        ) {
            let mut store = ChunkedSlices::with_chunk_capacity(capacity);
            for s in &slices {
                store.push(s);
            }
            prop_assert_eq!(store.len(), slices.len());
            for (k, s) in slices.iter().enumerate() {
                prop_assert_eq!(store.get(k), s.as_slice());
            }
            prop_assert!(store.get(slices.len()).is_empty());
            let all: Vec<u16> = store.chunks().flatten().copied().collect();
            prop_assert_eq!(all, slices.concat());
        }

        #[test]
        fn fixed_width_slices_read_back_as_one_padded_vector_holds_them(
            slices in prop::collection::vec(prop::collection::vec(any::<u32>(), 0..9), 0..60),
            width in 1usize..8,
            capacity in 1usize..40,
        ) {
            let mut store = FixedWidthSlices::with_chunk_capacity(width, capacity);
            let mut flat = Vec::new();
            for s in &slices {
                store.push(s, u32::MAX);
                let mut padded = s.clone();
                padded.resize(width, u32::MAX);
                flat.extend_from_slice(&padded);
            }
            prop_assert_eq!(store.len(), slices.len());
            for k in 0..slices.len() {
                prop_assert_eq!(store.get(k), &flat[k * width..(k + 1) * width]);
            }
            prop_assert!(store.get(slices.len()).is_empty());
            let all: Vec<u32> = store.chunks().flatten().copied().collect();
            prop_assert_eq!(all, flat);
        }
    }
}
