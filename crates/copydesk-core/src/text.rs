//! Small text helpers shared by stages.

/// Folds typographic punctuation to ASCII for matching: curly quotes to
/// straight ones, dashes to `-`, non-breaking and other spaces to ` `, the
/// ellipsis character to `...`. Letters are left alone. Stages that compare
/// wording across documents use this; the clean text keeps the originals.
pub fn fold_for_matching(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            c if c != '\n' && c != '\t' && c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Byte spans of the words in `text`: maximal runs of alphanumeric
/// characters, joined by an apostrophe, hyphen or period between two
/// alphanumerics ("China's", "co-operation", "U.S", "65-billion", "3.5").
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    // A byte scan: ASCII characters (nearly every one in news) are read
    // as bytes, and only the others are decoded.
    let bytes = text.as_bytes();
    let char_at = |i: usize| -> Option<char> {
        match bytes.get(i) {
            Some(&b) if b < 0x80 => Some(char::from(b)),
            Some(_) => text.get(i..).and_then(|rest| rest.chars().next()),
            None => None,
        }
    };
    let mut spans = Vec::with_capacity(bytes.len() / 6 + 1);
    let mut start: Option<usize> = None;
    let mut prev_alnum = false;
    // Whether the character before `i` is an ASCII digit ("1,000" joins).
    let mut prev_digit = false;
    let mut i = 0;
    while let Some(c) = char_at(i) {
        if c.is_ascii_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            // The rest of an ASCII run at once.
            let mut j = i + 1;
            while bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                j += 1;
            }
            prev_alnum = true;
            prev_digit = bytes.get(j - 1).is_some_and(u8::is_ascii_digit);
            i = j;
            continue;
        }
        let len = c.len_utf8();
        if !c.is_ascii() && c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            prev_alnum = true;
            prev_digit = false;
            i += len;
            continue;
        }
        let joins = prev_alnum
            && matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',')
            && char_at(i + len).is_some_and(|n| {
                n.is_alphanumeric() && (c != ',' || (prev_digit && n.is_ascii_digit()))
            });
        if !joins && let Some(s) = start.take() {
            spans.push((s, i));
        }
        prev_alnum = false;
        prev_digit = false;
        i += len;
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_typographic_marks() {
        assert_eq!(fold_for_matching("“It’s” – ok…"), "\"It's\" - ok...");
    }

    #[test]
    fn word_spans_keep_joined_words() {
        let t = "China’s co-operation, $65-billion and 1,000 U.S. troops.";
        let words: Vec<&str> = word_spans(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(
            words,
            [
                "China’s",
                "co-operation",
                "65-billion",
                "and",
                "1,000",
                "U.S",
                "troops"
            ]
        );
    }

    /// `word_spans` as it was before the byte scan: char by char.
    fn word_spans_reference(text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut start: Option<usize> = None;
        let mut chars = text.char_indices().peekable();
        let mut prev_alnum = false;
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                }
                prev_alnum = true;
                continue;
            }
            let joiner = matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',');
            let next_alnum = chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            let joins = joiner
                && prev_alnum
                && next_alnum
                && (c != ',' || {
                    // "1,000" joins, "a,b" does not
                    let before = text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|p| p.is_ascii_digit());
                    let after = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
                    before && after
                });
            if !joins && let Some(s) = start.take() {
                spans.push((s, i));
            }
            prev_alnum = false;
        }
        if let Some(s) = start {
            spans.push((s, text.len()));
        }
        spans
    }

    #[test]
    fn word_spans_match_the_char_by_char_reference_on_joiners() {
        for t in [
            "1,000 a,b 1,b a,1 ,1 1, 'x' x'y x'' -x x- x--y U.S. 3.5. 9,9,9",
            "Caf\u{e9}\u{2019}s na\u{ef}ve \u{660},\u{661} 1,\u{661} \u{2160}.x \u{c9}-\u{e9}",
            "",
            ",",
            "a",
            "\u{e9}",
            "a\u{2019}",
        ] {
            assert_eq!(word_spans(t), word_spans_reference(t), "{t:?}");
        }
    }

    proptest! {
        #[test]
        fn word_spans_match_the_char_by_char_reference(
            s in "[a-zA-Z0-9 .,:;'`\u{2019}\u{2018}\u{c9}\u{e9}\u{df}\u{130}\u{660}\u{2160}\n-]{0,120}"
        ) {
            prop_assert_eq!(word_spans(&s), word_spans_reference(&s));
        }

        #[test]
        fn word_spans_match_the_char_by_char_reference_on_any_text(s in "\\PC{0,80}") {
            prop_assert_eq!(word_spans(&s), word_spans_reference(&s));
        }

        #[test]
        fn word_spans_are_ordered_char_boundaries(s in "\\PC{0,80}") {
            let mut last = 0;
            for (a, b) in word_spans(&s) {
                prop_assert!(a >= last && a < b && b <= s.len());
                prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b));
                last = b;
            }
        }

        #[test]
        fn folding_is_idempotent(s in "\\PC{0,80}") {
            let once = fold_for_matching(&s);
            prop_assert_eq!(fold_for_matching(&once), once);
        }
    }
}
