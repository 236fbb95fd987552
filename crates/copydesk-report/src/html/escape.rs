//! Escaping for the HTML page: text in markup, and JSON inside a
//! `<script type="application/json">` block.

use std::io::{self, Write};

/// `s` escaped for HTML text and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A writer for JSON embedded in a `<script>` element: it writes `<`, `>`
/// and `&` as the JSON escapes `\u003c`, `\u003e` and `\u0026`, so neither
/// `</script>` nor `<!--` can appear in the block whatever the documents
/// contain, and `JSON.parse` still reads the same strings back.
///
/// The three characters are ASCII, so they never occur inside a multi-byte
/// UTF-8 sequence, and in serialized JSON they can only stand inside string
/// literals, where the escapes mean the same character.
pub struct ScriptJsonWriter<W: Write> {
    inner: W,
}

impl<W: Write> ScriptJsonWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        ScriptJsonWriter { inner }
    }
}

impl<W: Write> Write for ScriptJsonWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            let escape: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.inner.write_all(&buf[start..i])?;
            self.inner.write_all(escape)?;
            start = i + 1;
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `value` serialized for a `<script type="application/json">` block.
pub fn script_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut buf = Vec::new();
    serde_json::to_writer(ScriptJsonWriter::new(&mut buf), value)?;
    // The writer only inserts ASCII into valid UTF-8 at ASCII positions.
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            escape_html(r#""><img onerror='x'>&"#),
            "&quot;&gt;&lt;img onerror=&#39;x&#39;&gt;&amp;"
        );
    }

    #[test]
    fn script_json_cannot_close_the_block() {
        let s = script_json(&"</script><!-- -->&").unwrap();
        assert_eq!(s, r#""\u003c/script\u003e\u003c!-- --\u003e\u0026""#);
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "</script><!-- -->&");
    }

    proptest! {
        #[test]
        fn script_json_round_trips_and_never_holds_markup(s in "\\PC{0,200}", t in "[<>/!&a-z-]{0,40}") {
            let value = vec![s.clone(), t.clone()];
            let json = script_json(&value).unwrap();
            prop_assert!(!json.contains("</"));
            prop_assert!(!json.contains("<!--"));
            prop_assert!(!json.contains('<'));
            let back: Vec<String> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, value);
        }

        #[test]
        fn escaped_html_has_no_markup(s in "\\PC{0,200}") {
            let e = escape_html(&s);
            prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"'));
        }
    }
}
