//! Repair of UTF-8 text that was decoded as windows-1252 ("mojibake").
//!
//! When UTF-8 bytes are read as windows-1252, each multi-byte character
//! turns into two or three Latin characters: `’` (E2 80 99) becomes `â€™`,
//! `é` (C3 A9) becomes `Ã©`. [`repair_mojibake`] maps such runs back to the
//! bytes they came from and decodes them again, but only when the bytes
//! form a complete UTF-8 sequence starting with one of the lead bytes that
//! real mojibake shows (`Â`/`Ã` for Latin-1 letters and signs, `Å` for
//! `Œ š Ž`-style letters, `â` for punctuation such as quotes and dashes,
//! `ï»¿` for a byte-order mark). A lone `Ã` or `â` followed by an ordinary
//! letter (Portuguese `SÃO`, French `â` in `pâte`) is never touched.

/// UTF-8 lead bytes whose windows-1252 reading is repaired.
const REPAIRED_LEADS: [u8; 5] = [0xC2, 0xC3, 0xC5, 0xE2, 0xEF];

/// How many times the repair is repeated, for text mis-decoded twice.
const MAX_ROUNDS: usize = 3;

/// The windows-1252 byte a character stands for, if it has one.
///
/// The five bytes that windows-1252 leaves undefined (81, 8D, 8F, 90, 9D)
/// usually come through as the C1 control of the same number, so those
/// controls map back to their bytes too.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        '\u{0081}' | '\u{008D}' | '\u{008F}' | '\u{0090}' | '\u{009D}' => c as u8,
        c if ('\u{00A0}'..='\u{00FF}').contains(&c) => c as u8,
        _ => return None,
    };
    Some(b)
}

/// The number of bytes of a UTF-8 sequence starting with `lead`, for the
/// lead bytes this module repairs.
fn sequence_len(lead: u8) -> Option<usize> {
    if !REPAIRED_LEADS.contains(&lead) {
        return None;
    }
    Some(if lead >= 0xE0 { 3 } else { 2 })
}

/// Whether `c` can start a sequence that [`repair_mojibake`] repairs: the
/// windows-1252 reading of one of the repaired UTF-8 lead bytes (`Â`, `Ã`,
/// `Å`, `â`, `ï`). Text without such characters has nothing to repair.
pub(crate) fn is_mojibake_lead(c: char) -> bool {
    cp1252_byte(c).is_some_and(|b| sequence_len(b).is_some())
}

/// Repairs windows-1252 mojibake once; returns whether anything changed.
fn repair_round(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if let Some((decoded, used)) = decode_at(&chars[i..]) {
            out.push(decoded);
            i += used;
            changed = true;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// Decodes the mojibake sequence at the start of `chars`, if there is one:
/// the repaired character and how many characters it replaces.
fn decode_at(chars: &[char]) -> Option<(char, usize)> {
    let lead = cp1252_byte(*chars.first()?)?;
    let len = sequence_len(lead)?;
    let mut bytes = [0u8; 4];
    bytes[0] = lead;
    for (slot, c) in bytes[1..len].iter_mut().zip(chars.get(1..len)?) {
        let b = cp1252_byte(*c)?;
        if !(0x80..=0xBF).contains(&b) {
            return None;
        }
        *slot = b;
    }
    let decoded = std::str::from_utf8(&bytes[..len]).ok()?;
    let c = decoded.chars().next()?;
    Some((c, len))
}

/// Repairs UTF-8-read-as-windows-1252 sequences (`â€™` → `’`, `Ã©` → `é`,
/// `â€”` → `—`), repeating for text that was mis-decoded more than once.
///
/// Text without such sequences is returned unchanged.
///
/// ```
/// use copydesk_clean::mojibake::repair_mojibake;
/// assert_eq!(repair_mojibake("Itâ€™s a cafÃ© â€” open"), "It’s a café — open");
/// assert_eq!(repair_mojibake("SÃO PAULO, pâte"), "SÃO PAULO, pâte");
/// ```
pub fn repair_mojibake(text: &str) -> String {
    let mut current = text.to_string();
    for _ in 0..MAX_ROUNDS {
        match repair_round(&current) {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_common_punctuation_and_letters() {
        assert_eq!(repair_mojibake("â€œHiâ€\u{9D}"), "“Hi”");
        assert_eq!(repair_mojibake("â€˜quoteâ€™"), "‘quote’");
        assert_eq!(repair_mojibake("1â€“2 â€¦"), "1–2 …");
        assert_eq!(repair_mojibake("Brandâ„¢"), "Brand™");
        assert_eq!(
            repair_mojibake("Ã¼ber naÃ¯ve MÃ¼nchen"),
            "über naïve München"
        );
        assert_eq!(repair_mojibake("ï»¿Text"), "\u{FEFF}Text");
    }

    #[test]
    fn repairs_double_encoding() {
        // ’ encoded to UTF-8, read as cp1252, encoded again, read again.
        assert_eq!(repair_mojibake("Ã¢â‚¬â„¢"), "’");
    }

    #[test]
    fn leaves_legitimate_text_alone() {
        for s in [
            "SÃO PAULO",
            "pâte à choux",
            "È vero",
            "Ñoño",
            "Crème brûlée",
            "“Quotes” – dashes — and … ellipses",
            "Ã",
            "â€",
            "Å",
        ] {
            assert_eq!(repair_mojibake(s), s);
        }
    }
}
