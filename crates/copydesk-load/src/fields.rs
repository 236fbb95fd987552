//! Fields of a JSON record: lookup by name or dotted path, and turning
//! values into metadata strings.

use serde_json::{Map, Value};

/// Removes and returns the field at `path` from `record`.
///
/// A key equal to the whole `path` wins (so a field literally named
/// `"a.b"` is found); otherwise `path` is read as dotted segments into
/// nested objects (`"article.body"`). An empty path finds nothing.
pub fn take_field(record: &mut Map<String, Value>, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    if let Some(v) = record.remove(path) {
        return Some(v);
    }
    let (parents, leaf) = path.rsplit_once('.')?;
    let mut object = record;
    for segment in parents.split('.') {
        object = object.get_mut(segment)?.as_object_mut()?;
    }
    object.remove(leaf)
}

/// The JSON type of a value, for messages (`"null"`, `"number"`, ...).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A metadata value as text: strings trimmed, numbers and booleans
/// written out, a list of such values joined with `", "` (several authors).
/// `None` for null, empty strings, objects and lists holding anything else.
pub fn scalar_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| match i {
                    Value::Array(_) | Value::Object(_) => None,
                    other => scalar_text(other),
                })
                .collect();
            parts?.join(", ")
        }
        Value::Null | Value::Object(_) => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// [`scalar_text`] of a value taken over: a string that needs no trimming
/// is moved, not copied. `Err` gives the value back when it has no text.
pub fn into_scalar_text(v: Value) -> Result<String, Value> {
    match v {
        Value::String(s) if !s.is_empty() && s.trim().len() == s.len() => Ok(s),
        other => scalar_text(&other).ok_or(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn finds_plain_dotted_and_literal_keys() {
        let mut r = obj(json!({"a": 1, "article": {"body": "x", "k": 2}, "b.c": 3}));
        assert_eq!(take_field(&mut r, "article.body"), Some(json!("x")));
        assert_eq!(r["article"], json!({"k": 2}));
        assert_eq!(take_field(&mut r, "b.c"), Some(json!(3)));
        assert_eq!(take_field(&mut r, "a"), Some(json!(1)));
        assert_eq!(take_field(&mut r, "a"), None);
        assert_eq!(take_field(&mut r, "article.k.deeper"), None);
        assert_eq!(take_field(&mut r, ""), None);
        assert_eq!(take_field(&mut r, "."), None);
    }

    #[test]
    fn scalar_text_of_values() {
        assert_eq!(scalar_text(&json!("  Jo  ")), Some("Jo".into()));
        assert_eq!(scalar_text(&json!(12)), Some("12".into()));
        assert_eq!(scalar_text(&json!(["A", null, "B"])), Some("A, B".into()));
        assert_eq!(scalar_text(&json!([{"n": 1}])), None);
        assert_eq!(scalar_text(&json!("")), None);
        assert_eq!(scalar_text(&json!(null)), None);
        assert_eq!(scalar_text(&json!({"a": 1})), None);
    }

    proptest::proptest! {
        #[test]
        fn into_scalar_text_is_scalar_text(
            s in "[ a-z\u{a0}\u{2003}\t\n]{0,6}",
            n in proptest::num::i64::ANY,
            kind in 0u8..6,
        ) {
            let v = match kind {
                0 => json!(s),
                1 => json!(n),
                2 => json!([s, n, null]),
                3 => json!([{"s": s}]),
                4 => json!({"s": s}),
                _ => Value::Null,
            };
            let want = scalar_text(&v);
            match into_scalar_text(v.clone()) {
                Ok(text) => proptest::prop_assert_eq!(Some(text), want),
                Err(back) => {
                    proptest::prop_assert_eq!(want, None);
                    proptest::prop_assert_eq!(back, v);
                }
            }
        }
    }
}
