//! Bylines: `"By Asif Shahzad"`, `"By Jane Doe and John Roe, Reuters"`.

/// A byline paragraph, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    /// The author names as printed, without "By" (`"Jane Doe and John Roe"`).
    pub names: String,
    /// The agency or outlet after the names (`"Reuters"`), if any.
    pub agency: Option<String>,
}

/// Lower-case words allowed inside author names (`Ursula von der Leyen`).
const NAME_PARTICLES: &[&str] = &[
    "al", "and", "bin", "binti", "da", "de", "del", "della", "der", "di", "dos", "du", "el", "la",
    "le", "st", "van", "von", "&",
];

/// The most words a byline may have after "By".
const MAX_BYLINE_WORDS: usize = 14;

/// Reads `paragraph` as a byline: "By" followed by names (capitalized
/// words, initials, particles such as `van` or `al`, joined by commas,
/// `and` or `&`), optionally followed by `, Agency` / `- Agency` /
/// `| Agency` or `in Place`. Anything else (a sentence starting "By the
/// end of the year...") is not a byline.
///
/// ```
/// use copydesk_clean::layout::byline::parse_byline;
/// let b = parse_byline("By Jane Doe and John Roe, Reuters").unwrap();
/// assert_eq!(b.names, "Jane Doe and John Roe");
/// assert_eq!(b.agency.as_deref(), Some("Reuters"));
/// assert!(parse_byline("By the end of March, prices had doubled.").is_none());
/// ```
pub fn parse_byline(paragraph: &str) -> Option<Byline> {
    let text = paragraph.trim();
    let rest = text
        .strip_prefix("By ")
        .or_else(|| text.strip_prefix("BY "))
        .or_else(|| text.strip_prefix("by "))?
        .trim();
    if rest.ends_with(['.', '!', '?', ';', ':']) && !ends_with_initial(rest) {
        return None;
    }
    if rest.split_whitespace().count() > MAX_BYLINE_WORDS {
        return None;
    }
    let (names, agency) = split_agency(rest);
    if !is_name_list(names) {
        return None;
    }
    Some(Byline {
        names: names.trim().to_string(),
        agency: agency.map(|a| a.trim().to_string()),
    })
}

/// Splits `"Jane Doe, Reuters"`, `"Jane Doe - AP"`, `"Jane Doe | Dawn"` and
/// `"Jane Doe in Islamabad"` into names and the trailing agency or place.
fn split_agency(rest: &str) -> (&str, Option<&str>) {
    for sep in [" | ", " - ", " – ", " — "] {
        if let Some((names, agency)) = rest.rsplit_once(sep) {
            return (names, Some(agency));
        }
    }
    if let Some((names, agency)) = rest.rsplit_once(',') {
        // "Jane Doe, Reuters": one word after the comma is an agency; two or
        // more capitalized words are another author ("Jane Doe, John Roe").
        if agency.split_whitespace().count() == 1 || is_known_agency(agency.trim()) {
            return (names, Some(agency));
        }
    }
    if let Some((names, _place)) = rest.rsplit_once(" in ") {
        return (names, None);
    }
    (rest, None)
}

/// Agencies and wires often named after a byline.
fn is_known_agency(s: &str) -> bool {
    const AGENCIES: &[&str] = &[
        "Agence France-Presse",
        "Associated Press",
        "Bloomberg News",
        "Press Trust of India",
        "Reuters Breakingviews",
        "Thomson Reuters",
    ];
    AGENCIES.iter().any(|a| a.eq_ignore_ascii_case(s))
}

/// Whether `s` ends with an initial such as `"J."` (a byline may end so).
fn ends_with_initial(s: &str) -> bool {
    s.split_whitespace().next_back().is_some_and(|w| {
        w.len() <= 3 && w.ends_with('.') && w.chars().next().is_some_and(char::is_uppercase)
    })
}

/// Whether `s` is a list of person names (at least two capitalized words:
/// a first and a last name).
fn is_name_list(s: &str) -> bool {
    let mut capitalized = 0;
    for word in s.split([' ', ',']).filter(|w| !w.is_empty()) {
        let first = word.chars().next();
        if first.is_some_and(char::is_uppercase) {
            if !word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
            {
                return false;
            }
            capitalized += 1;
        } else if !NAME_PARTICLES.contains(&word.to_lowercase().as_str()) {
            return false;
        }
    }
    capitalized >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bylines() {
        let b = parse_byline("By Asif Shahzad").unwrap();
        assert_eq!((b.names.as_str(), b.agency), ("Asif Shahzad", None));
        let b = parse_byline("BY JOHN A. SMITH").unwrap();
        assert_eq!(b.names, "JOHN A. SMITH");
        let b = parse_byline("By Jane Doe, John Roe and Ali bin Salem").unwrap();
        assert_eq!(b.names, "Jane Doe, John Roe and Ali bin Salem");
        let b = parse_byline("By Jane Doe | Dawn").unwrap();
        assert_eq!(b.agency.as_deref(), Some("Dawn"));
        let b = parse_byline("By Jane Doe in Islamabad").unwrap();
        assert_eq!((b.names.as_str(), b.agency), ("Jane Doe", None));
    }

    #[test]
    fn rejects_sentences() {
        for s in [
            "By the end of March, prices had doubled.",
            "By 2030 the plant will close",
            "By Monday",
            "Bypass road opened",
            "By contrast, Beijing said nothing.",
        ] {
            assert!(parse_byline(s).is_none(), "{s}");
        }
    }
}
