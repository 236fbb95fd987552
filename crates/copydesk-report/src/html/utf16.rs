//! Byte offsets (what copydesk spans use) to UTF-16 offsets (what
//! JavaScript strings use), so the page's script can cut the text it is given.

/// One non-ASCII character: where it starts in bytes and in UTF-16 units,
/// and its width in both.
#[derive(Clone, Copy)]
struct Wide {
    byte: usize,
    units: usize,
    bytes_len: usize,
    units_len: usize,
}

/// Maps byte offsets of one text to UTF-16 code-unit offsets.
pub struct Utf16Offsets {
    /// Every non-ASCII character, in text order; ASCII runs between them
    /// advance bytes and units in step.
    wide: Vec<Wide>,
    len: usize,
}

impl Utf16Offsets {
    /// The map for `text`.
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut shift = 0; // bytes minus units so far
        for (byte, c) in text.char_indices() {
            if !c.is_ascii() {
                wide.push(Wide {
                    byte,
                    units: byte - shift,
                    bytes_len: c.len_utf8(),
                    units_len: c.len_utf16(),
                });
                shift += c.len_utf8() - c.len_utf16();
            }
        }
        Utf16Offsets {
            wide,
            len: text.len(),
        }
    }

    /// The UTF-16 offset of byte offset `byte`, or `None` when it is past
    /// the end. A byte inside a character maps to the start of that character.
    pub fn at(&self, byte: usize) -> Option<usize> {
        if byte > self.len {
            return None;
        }
        let i = self.wide.partition_point(|w| w.byte <= byte);
        let Some(w) = i.checked_sub(1).map(|i| self.wide[i]) else {
            return Some(byte);
        };
        if byte < w.byte + w.bytes_len {
            Some(w.units)
        } else {
            Some(w.units + w.units_len + (byte - w.byte - w.bytes_len))
        }
    }

    /// A `[start, end]` span in UTF-16 units, or `None` when it does not fit.
    pub fn span(&self, start: usize, end: usize) -> Option<[usize; 2]> {
        let s = self.at(start)?;
        let e = self.at(end)?;
        (s <= e).then_some([s, e])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn maps_mixed_text() {
        let t = "a€b😀c";
        let m = Utf16Offsets::new(t);
        assert_eq!(m.at(0), Some(0));
        assert_eq!(m.at(1), Some(1)); // €
        assert_eq!(m.at(2), Some(1)); // inside €
        assert_eq!(m.at(4), Some(2)); // b
        assert_eq!(m.at(5), Some(3)); // 😀
        assert_eq!(m.at(9), Some(5)); // c
        assert_eq!(m.at(10), Some(6));
        assert_eq!(m.at(11), None);
    }

    proptest! {
        #[test]
        fn agrees_with_encode_utf16_on_char_boundaries(s in "\\PC{0,60}") {
            let m = Utf16Offsets::new(&s);
            for (i, _) in s.char_indices().chain([(s.len(), ' ')]) {
                prop_assert_eq!(m.at(i), Some(s[..i].encode_utf16().count()));
            }
        }
    }
}
