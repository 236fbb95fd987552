//! Regular English inflection, so a spinner can keep a word's form when it
//! swaps it for a synonym (`attacks` → `assaults`, `said` → `mentioned`).

/// The inflection a word carries relative to its dictionary form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflection {
    /// The dictionary form itself.
    Base,
    /// Plural noun or third-person verb (`-s`).
    S,
    /// Past tense or participle (`-ed`).
    Ed,
    /// Present participle (`-ing`).
    Ing,
}

/// Irregular verbs: base, past, past participle.
const IRREGULAR: &[(&str, &str, &str)] = &[
    ("say", "said", "said"),
    ("tell", "told", "told"),
    ("make", "made", "made"),
    ("take", "took", "taken"),
    ("give", "gave", "given"),
    ("go", "went", "gone"),
    ("come", "came", "come"),
    ("get", "got", "got"),
    ("see", "saw", "seen"),
    ("know", "knew", "known"),
    ("think", "thought", "thought"),
    ("find", "found", "found"),
    ("leave", "left", "left"),
    ("keep", "kept", "kept"),
    ("hold", "held", "held"),
    ("bring", "brought", "brought"),
    ("buy", "bought", "bought"),
    ("sell", "sold", "sold"),
    ("pay", "paid", "paid"),
    ("meet", "met", "met"),
    ("lead", "led", "led"),
    ("send", "sent", "sent"),
    ("spend", "spent", "spent"),
    ("build", "built", "built"),
    ("begin", "began", "begun"),
    ("show", "showed", "shown"),
    ("rise", "rose", "risen"),
    ("fall", "fell", "fallen"),
    ("grow", "grew", "grown"),
    ("win", "won", "won"),
    ("lose", "lost", "lost"),
    ("break", "broke", "broken"),
    ("speak", "spoke", "spoken"),
    ("write", "wrote", "written"),
    ("drive", "drove", "driven"),
    ("choose", "chose", "chosen"),
    ("seek", "sought", "sought"),
    ("fight", "fought", "fought"),
    ("teach", "taught", "taught"),
    ("catch", "caught", "caught"),
    ("feel", "felt", "felt"),
    ("stand", "stood", "stood"),
    ("understand", "understood", "understood"),
    ("run", "ran", "run"),
    ("set", "set", "set"),
    ("put", "put", "put"),
    ("cut", "cut", "cut"),
    ("hit", "hit", "hit"),
    ("let", "let", "let"),
    ("bid", "bid", "bid"),
    ("become", "became", "become"),
    ("forecast", "forecast", "forecast"),
    ("hear", "heard", "heard"),
    ("mean", "meant", "meant"),
    ("deal", "dealt", "dealt"),
    ("draw", "drew", "drawn"),
    ("fly", "flew", "flown"),
    ("strike", "struck", "struck"),
    ("shut", "shut", "shut"),
    ("steal", "stole", "stolen"),
    ("swing", "swung", "swung"),
    ("wake", "woke", "woken"),
    ("withdraw", "withdrew", "withdrawn"),
    ("undertake", "undertook", "undertaken"),
    ("overtake", "overtook", "overtaken"),
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

fn ends_consonant_y(word: &str) -> bool {
    let mut rev = word.chars().rev();
    matches!(rev.next(), Some('y')) && rev.next().is_some_and(|c| !is_vowel(c))
}

/// Applies `inflection` to a dictionary form (last word of a phrase for
/// `S`, first word for verb forms is the caller's choice: this inflects the
/// whole string as one word).
pub fn inflect(base: &str, inflection: Inflection) -> String {
    match inflection {
        Inflection::Base => base.to_string(),
        Inflection::S => {
            if base.ends_with('s')
                || base.ends_with('x')
                || base.ends_with('z')
                || base.ends_with("ch")
                || base.ends_with("sh")
            {
                format!("{base}es")
            } else if ends_consonant_y(base) {
                format!("{}ies", &base[..base.len() - 1])
            } else {
                format!("{base}s")
            }
        }
        Inflection::Ed => {
            if let Some(&(_, past, _)) = IRREGULAR.iter().find(|(b, _, _)| *b == base) {
                past.to_string()
            } else if base.ends_with('e') {
                format!("{base}d")
            } else if ends_consonant_y(base) {
                format!("{}ied", &base[..base.len() - 1])
            } else {
                format!("{base}ed")
            }
        }
        Inflection::Ing => {
            if let Some(stem) = base.strip_suffix("ie") {
                format!("{stem}ying")
            } else if base.ends_with('e') && !base.ends_with("ee") && base.len() > 2 {
                format!("{}ing", &base[..base.len() - 1])
            } else {
                format!("{base}ing")
            }
        }
    }
}

/// The possible dictionary forms of `word` with the inflection each implies,
/// most likely first (the word itself as `Base` comes first). Only candidates
/// that re-inflect back to `word` are returned.
pub fn lemmas(word: &str) -> Vec<(String, Inflection)> {
    let mut out = vec![(word.to_string(), Inflection::Base)];
    for &(base, past, participle) in IRREGULAR {
        if word == past || word == participle {
            out.push((base.to_string(), Inflection::Ed));
        }
    }
    let mut push = |cand: String, inflection: Inflection| {
        if cand.len() >= 2
            && inflect(&cand, inflection) == word
            && !out.iter().any(|(c, _)| *c == cand)
        {
            out.push((cand, inflection));
        }
    };
    if let Some(stem) = word.strip_suffix("ies") {
        push(format!("{stem}y"), Inflection::S);
    }
    if let Some(stem) = word.strip_suffix("es") {
        push(stem.to_string(), Inflection::S);
    }
    if let Some(stem) = word.strip_suffix('s')
        && !stem.ends_with('s')
    {
        push(stem.to_string(), Inflection::S);
    }
    if let Some(stem) = word.strip_suffix("ied") {
        push(format!("{stem}y"), Inflection::Ed);
    }
    if let Some(stem) = word.strip_suffix("ed") {
        push(stem.to_string(), Inflection::Ed);
        push(format!("{stem}e"), Inflection::Ed);
    }
    if let Some(stem) = word.strip_suffix("ing") {
        push(stem.to_string(), Inflection::Ing);
        push(format!("{stem}e"), Inflection::Ing);
        if let Some(s) = stem.strip_suffix('y') {
            push(format!("{s}ie"), Inflection::Ing);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflects_regular_and_irregular_forms() {
        assert_eq!(inflect("assault", Inflection::S), "assaults");
        assert_eq!(inflect("mention", Inflection::Ed), "mentioned");
        assert_eq!(inflect("say", Inflection::Ed), "said");
        assert_eq!(inflect("supply", Inflection::S), "supplies");
        assert_eq!(inflect("improve", Inflection::Ing), "improving");
        assert_eq!(inflect("box", Inflection::S), "boxes");
    }

    #[test]
    fn finds_lemmas_that_reinflect() {
        let l = lemmas("attacks");
        assert!(l.contains(&("attack".to_string(), Inflection::S)));
        let l = lemmas("said");
        assert!(l.contains(&("say".to_string(), Inflection::Ed)));
        let l = lemmas("improving");
        assert!(l.contains(&("improve".to_string(), Inflection::Ing)));
        let l = lemmas("studies");
        assert!(l.contains(&("study".to_string(), Inflection::S)));
        assert_eq!(lemmas("news")[0], ("news".to_string(), Inflection::Base));
    }
}
