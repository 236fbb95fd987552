//! English inflection: reduce a word to possible lemmas with the form it
//! carries, and inflect a lemma back into that form.
//!
//! Regular suffix rules cover most words; irregular forms come from WordNet's
//! exception lists. Both directions over-generate on purpose: candidates are
//! later kept only when the vocabulary knows them.

use std::collections::HashMap;

/// The inflection a word carries relative to its lemma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// The lemma itself.
    Base,
    /// Plural noun or third-person singular verb (`-s`).
    S,
    /// Past tense or past participle (`-ed`).
    Ed,
    /// Present participle or gerund (`-ing`).
    Ing,
    /// Comparative (`-er`).
    Er,
    /// Superlative (`-est`).
    Est,
}

/// Irregular forms in both directions.
#[derive(Debug, Default)]
pub struct Morphology {
    /// Inflected form → (lemma, form).
    lemmas: HashMap<String, Vec<(String, Form)>>,
    /// (lemma, form) → inflected forms.
    forms: HashMap<(String, Form), Vec<String>>,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether the word ends consonant-vowel-consonant (so `stop` → `stopped`).
fn ends_cvc(w: &[u8]) -> bool {
    let n = w.len();
    n >= 3
        && !is_vowel(w[n - 1])
        && !matches!(w[n - 1], b'w' | b'x' | b'y')
        && is_vowel(w[n - 2])
        && !is_vowel(w[n - 3])
}

fn guess_form(pos: &str, word: &str) -> Form {
    match pos {
        "noun" => Form::S,
        "adj" | "adv" if word.ends_with("st") => Form::Est,
        "adj" | "adv" => Form::Er,
        _ if word.ends_with("ing") => Form::Ing,
        _ if word.ends_with('s') && !word.ends_with("ss") => Form::S,
        _ => Form::Ed,
    }
}

impl Morphology {
    /// Builds the irregular tables from `pos inflected lemma` lines.
    pub fn from_text(exceptions: &str) -> Self {
        let mut m = Morphology::default();
        for line in exceptions.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            let [pos, word, lemma] = parts.as_slice() else {
                continue;
            };
            let form = guess_form(pos, word);
            m.lemmas
                .entry((*word).to_string())
                .or_default()
                .push(((*lemma).to_string(), form));
            m.forms
                .entry(((*lemma).to_string(), form))
                .or_default()
                .push((*word).to_string());
        }
        m
    }

    /// Possible (lemma, form) readings of a lowercase word, the word itself
    /// as `Base` first.
    pub fn analyze(&self, word: &str) -> Vec<(String, Form)> {
        let mut out = vec![(word.to_string(), Form::Base)];
        if let Some(irregular) = self.lemmas.get(word) {
            out.extend(irregular.iter().cloned());
        }
        let b = word.as_bytes();
        let n = b.len();
        let mut push = |stem: &str, form: Form| {
            if stem.len() >= 2 && !out.iter().any(|(l, f)| l == stem && *f == form) {
                out.push((stem.to_string(), form));
            }
        };
        let strip = |suffix: &str| word.strip_suffix(suffix);
        if let Some(stem) = strip("ies") {
            push(&format!("{stem}y"), Form::S);
        }
        if let Some(stem) = strip("es") {
            push(stem, Form::S);
        }
        if let Some(stem) = strip("s")
            && !word.ends_with("ss")
        {
            push(stem, Form::S);
        }
        for (suffix, form) in [
            ("ed", Form::Ed),
            ("ing", Form::Ing),
            ("er", Form::Er),
            ("est", Form::Est),
        ] {
            let Some(stem) = strip(suffix) else { continue };
            push(stem, form);
            push(&format!("{stem}e"), form);
            if let Some(y) = stem.strip_suffix('i') {
                push(&format!("{y}y"), form);
            }
            let sb = stem.as_bytes();
            if sb.len() >= 3 && sb[sb.len() - 1] == sb[sb.len() - 2] && n > suffix.len() {
                push(&stem[..stem.len() - 1], form);
            }
        }
        out
    }

    /// Every word that [`Morphology::analyze`] may read as an inflection
    /// (not `Base`) of `lemma`, and possibly more: the regular suffix rules
    /// run backwards, plus the irregular forms. With `plural_only`, only
    /// the `S` readings. Used to index dictionary phrases by the words a
    /// text may show for them; an over-generated form only costs a lookup.
    pub fn analyzed_as(&self, lemma: &str, plural_only: bool) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_analyzed_as(lemma, plural_only, |form| out.push(form.to_string()));
        out
    }

    /// [`Morphology::analyzed_as`] without collecting: calls `each` with
    /// every form, in the same order, from one reused buffer.
    pub fn for_each_analyzed_as(&self, lemma: &str, plural_only: bool, mut each: impl FnMut(&str)) {
        let mut key = (lemma.to_string(), Form::S);
        for form in [Form::S, Form::Ed, Form::Ing, Form::Er, Form::Est] {
            if plural_only && form != Form::S {
                continue;
            }
            key.1 = form;
            if let Some(words) = self.forms.get(&key) {
                for word in words {
                    each(word);
                }
            }
        }
        let mut buf = String::with_capacity(lemma.len() + 5);
        let mut emit = |parts: &[&str]| {
            buf.clear();
            for part in parts {
                buf.push_str(part);
            }
            each(&buf);
        };
        let cut = |suffix: &str| lemma.strip_suffix(suffix);
        emit(&[lemma, "s"]);
        emit(&[lemma, "es"]);
        if let Some(stem) = cut("y") {
            emit(&[stem, "ies"]);
        }
        if plural_only {
            return;
        }
        let mut last = [0u8; 4];
        let last: Option<&str> = lemma.chars().last().map(|c| &*c.encode_utf8(&mut last));
        for suffix in ["ed", "ing", "er", "est"] {
            emit(&[lemma, suffix]);
            if let Some(stem) = cut("e") {
                emit(&[stem, suffix]);
            }
            if let Some(stem) = cut("y") {
                emit(&[stem, "i", suffix]);
            }
            if let Some(c) = last {
                emit(&[lemma, c, suffix]);
            }
        }
    }

    /// Candidate inflections of a lowercase lemma (single word or phrase:
    /// a phrase is inflected on its first word and, for `S`, on its last).
    pub fn inflect(&self, lemma: &str, form: Form) -> Vec<String> {
        if form == Form::Base {
            return vec![lemma.to_string()];
        }
        if let Some((first, rest)) = lemma.split_once(' ') {
            let mut out: Vec<String> = self
                .inflect_word(first, form)
                .into_iter()
                .map(|f| format!("{f} {rest}"))
                .collect();
            if form == Form::S
                && let Some((head, last)) = lemma.rsplit_once(' ')
            {
                out.extend(
                    self.inflect_word(last, form)
                        .into_iter()
                        .map(|f| format!("{head} {f}")),
                );
            }
            return out;
        }
        self.inflect_word(lemma, form)
    }

    fn inflect_word(&self, w: &str, form: Form) -> Vec<String> {
        if let Some(irregular) = self.forms.get(&(w.to_string(), form)) {
            return irregular.clone();
        }
        let b = w.as_bytes();
        let Some(&last) = b.last() else {
            return Vec::new();
        };
        let before_last = if b.len() >= 2 { b[b.len() - 2] } else { b'a' };
        let consonant_y = last == b'y' && !is_vowel(before_last);
        let stem_y = || format!("{}i", &w[..w.len() - 1]);
        let doubled = || format!("{w}{}", last as char);
        let mut out = Vec::new();
        match form {
            Form::Base => out.push(w.to_string()),
            Form::S => {
                if consonant_y {
                    out.push(format!("{}es", stem_y()));
                } else if w.ends_with('s')
                    || w.ends_with('x')
                    || w.ends_with('z')
                    || w.ends_with("ch")
                    || w.ends_with("sh")
                {
                    out.push(format!("{w}es"));
                } else {
                    out.push(format!("{w}s"));
                }
            }
            Form::Ed | Form::Er | Form::Est => {
                let suffix = match form {
                    Form::Ed => "ed",
                    Form::Er => "er",
                    _ => "est",
                };
                if last == b'e' {
                    out.push(format!("{w}{}", &suffix[1..]));
                } else if consonant_y {
                    out.push(format!("{}{suffix}", stem_y()));
                } else {
                    out.push(format!("{w}{suffix}"));
                    if ends_cvc(b) {
                        out.push(format!("{}{suffix}", doubled()));
                    }
                }
            }
            Form::Ing => {
                if let Some(stem) = w.strip_suffix("ie") {
                    out.push(format!("{stem}ying"));
                } else if last == b'e'
                    && !w.ends_with("ee")
                    && !w.ends_with("ye")
                    && !w.ends_with("oe")
                {
                    out.push(format!("{}ing", &w[..w.len() - 1]));
                } else {
                    out.push(format!("{w}ing"));
                    if ends_cvc(b) {
                        out.push(format!("{}ing", doubled()));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `analyzed_as` as it was before it was built on
    /// `for_each_analyzed_as`: the reference the property test holds it to.
    fn analyzed_as_reference(m: &Morphology, lemma: &str, plural_only: bool) -> Vec<String> {
        let mut out = Vec::new();
        for form in [Form::S, Form::Ed, Form::Ing, Form::Er, Form::Est] {
            if plural_only && form != Form::S {
                continue;
            }
            if let Some(words) = m.forms.get(&(lemma.to_string(), form)) {
                out.extend(words.iter().cloned());
            }
        }
        let cut = |suffix: &str| lemma.strip_suffix(suffix);
        out.push(format!("{lemma}s"));
        out.push(format!("{lemma}es"));
        if let Some(stem) = cut("y") {
            out.push(format!("{stem}ies"));
        }
        if plural_only {
            return out;
        }
        let last = lemma.chars().last();
        for suffix in ["ed", "ing", "er", "est"] {
            out.push(format!("{lemma}{suffix}"));
            if let Some(stem) = cut("e") {
                out.push(format!("{stem}{suffix}"));
            }
            if let Some(stem) = cut("y") {
                out.push(format!("{stem}i{suffix}"));
            }
            if let Some(c) = last {
                out.push(format!("{lemma}{c}{suffix}"));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn analyzed_as_gives_what_it_gave_before(
            lemma in prop_oneof![
                Just(String::new()),
                Just("go".to_string()),
                Just("say".to_string()),
                Just("child".to_string()),
                "[a-z]{1,8}(e|y)?",
                "\\PC{0,6}",
            ],
            plural_only in any::<bool>(),
        ) {
            let m = morph();
            prop_assert_eq!(
                m.analyzed_as(&lemma, plural_only),
                analyzed_as_reference(&m, &lemma, plural_only)
            );
        }
    }

    fn morph() -> Morphology {
        Morphology::from_text("verb said say\nverb went go\nverb gone go\nnoun children child\n")
    }

    #[test]
    fn analyzes_regular_and_irregular_forms() {
        let m = morph();
        let a = m.analyze("assaults");
        assert!(a.contains(&("assault".into(), Form::S)));
        assert!(m.analyze("said").contains(&("say".into(), Form::Ed)));
        assert!(m.analyze("stopped").contains(&("stop".into(), Form::Ed)));
        assert!(
            m.analyze("improving")
                .contains(&("improve".into(), Form::Ing))
        );
        assert!(m.analyze("studies").contains(&("study".into(), Form::S)));
    }

    #[test]
    fn analyzed_as_covers_every_reading() {
        let m = morph();
        for word in [
            "assaults",
            "said",
            "stopped",
            "improving",
            "studies",
            "children",
            "boxes",
            "taxied",
            "bigger",
            "latest",
            "goes",
            "going",
            "gone",
            "setting",
            "cried",
            "dying",
        ] {
            for (lemma, form) in m.analyze(word) {
                if form == Form::Base {
                    continue;
                }
                assert!(
                    m.analyzed_as(&lemma, false).contains(&word.to_string()),
                    "{word} as {lemma} {form:?}"
                );
                if form == Form::S {
                    assert!(m.analyzed_as(&lemma, true).contains(&word.to_string()));
                }
            }
        }
    }

    #[test]
    fn inflects_back() {
        let m = morph();
        assert_eq!(m.inflect("attack", Form::S), ["attacks"]);
        assert_eq!(m.inflect("say", Form::Ed), ["said"]);
        assert!(m.inflect("go", Form::Ed).contains(&"gone".to_string()));
        assert_eq!(m.inflect("improve", Form::Ing), ["improving"]);
        assert!(m.inflect("stop", Form::Ed).contains(&"stopped".to_string()));
        assert_eq!(m.inflect("study", Form::S), ["studies"]);
        assert!(
            m.inflect("set up", Form::Ing)
                .contains(&"setting up".to_string())
        );
        assert!(
            m.inflect("power plant", Form::S)
                .contains(&"power plants".to_string())
        );
    }
}
