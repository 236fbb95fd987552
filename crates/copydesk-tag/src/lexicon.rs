//! Small closed word lists shared by the stages: number words, months,
//! weekdays, speech verbs.

/// The value of a cardinal number word below one hundred (`"seven"`, `"forty"`).
pub fn small_number(word: &str) -> Option<f64> {
    let v = match word {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => {
            // "twenty-five"
            let (tens, units) = word.split_once('-')?;
            let t = small_number(tens)?;
            let u = small_number(units)?;
            if t >= 20.0 && t % 10.0 == 0.0 && (1.0..10.0).contains(&u) {
                return Some(t + u);
            }
            return None;
        }
    };
    Some(f64::from(v))
}

/// The multiplier of a scale word (`"hundred"`, `"mln"`, `"billion"`, `"dozen"`).
pub fn scale_word(word: &str) -> Option<f64> {
    Some(match word {
        "dozen" => 12.0,
        "hundred" => 100.0,
        "thousand" => 1e3,
        "million" | "mln" | "mn" => 1e6,
        "billion" | "bln" | "bn" => 1e9,
        "trillion" | "trln" | "tn" => 1e12,
        _ => return None,
    })
}

/// `value` times a scale (`5.93` and `mln`), as the decimal a reader means:
/// for a power of ten the decimal point of `value`'s shortest form is moved
/// (`4.06 mln` is 4,060,000 exactly, where the float product is
/// 4,059,999.9999999995); other scales (`dozen`) multiply.
pub fn scaled(value: f64, scale: f64) -> f64 {
    let exponent = scale.log10().round();
    if value.is_finite() && (1.0..=22.0).contains(&exponent) && 10f64.powf(exponent) == scale {
        // A whole number whose product with the power of ten stays within
        // 2^53 is that product exactly (every integer up to 2^53 is a
        // float, so the product is not rounded), which is also what the
        // decimal below reads: the shortest form of a whole number below
        // 2^53 is its digits. No string is made for these (`250 mln`).
        const EXACT: f64 = 9_007_199_254_740_992.0;
        let product = value * scale;
        if value.fract() == 0.0 && product.abs() <= EXACT {
            return product;
        }
        if let Ok(v) = format!("{value}e{exponent}").parse::<f64>() {
            return v;
        }
    }
    value * scale
}

/// [`scaled`] as it was, always through the decimal string (the
/// reference of the property test).
#[cfg(test)]
fn scaled_by_decimal(value: f64, scale: f64) -> f64 {
    let exponent = scale.log10().round();
    if value.is_finite()
        && (1.0..=22.0).contains(&exponent)
        && 10f64.powf(exponent) == scale
        && let Ok(v) = format!("{value}e{exponent}").parse::<f64>()
    {
        return v;
    }
    value * scale
}

/// The order of magnitude of a vague plural (`"thousands"` → 1000, `"dozens"` → 12).
pub fn vague_plural(word: &str) -> Option<f64> {
    Some(match word {
        "dozens" => 12.0,
        "scores" => 20.0,
        "hundreds" => 100.0,
        "thousands" => 1e3,
        "millions" => 1e6,
        "billions" => 1e9,
        "tens" => 10.0,
        _ => return None,
    })
}

/// The value of an ordinal word (`"first"` → 1), up to twentieth.
pub fn ordinal_word(word: &str) -> Option<f64> {
    let n = match word {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        _ => return None,
    };
    Some(f64::from(n))
}

/// The month number (1–12) of a month name or abbreviation, case-sensitive
/// on the capital (`"Feb"`, `"February"`, `"Sept"`); `"May"` counts.
pub fn month_number(word: &str) -> Option<u32> {
    let word = word.strip_suffix('.').unwrap_or(word);
    Some(match word {
        "January" | "Jan" => 1,
        "February" | "Feb" => 2,
        "March" | "Mar" => 3,
        "April" | "Apr" => 4,
        "May" => 5,
        "June" | "Jun" => 6,
        "July" | "Jul" => 7,
        "August" | "Aug" => 8,
        "September" | "Sep" | "Sept" => 9,
        "October" | "Oct" => 10,
        "November" | "Nov" => 11,
        "December" | "Dec" => 12,
        _ => return None,
    })
}

/// The ISO weekday number (Monday = 1) of a capitalized weekday name.
pub fn weekday_number(word: &str) -> Option<u32> {
    Some(match word {
        "Monday" => 1,
        "Tuesday" => 2,
        "Wednesday" => 3,
        "Thursday" => 4,
        "Friday" => 5,
        "Saturday" => 6,
        "Sunday" => 7,
        _ => return None,
    })
}

/// Verbs and phrases that attribute speech and may introduce reported
/// speech without `that` (`X said the talks ...`), lowercase. Spun text swaps
/// `said` for `mentioned` and `told` for `informed`, so both are here.
pub const SPEECH_CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "admitted",
    "admits",
    "mentioned",
    "stated",
    "states",
    "noted",
    "notes",
    "explained",
    "explains",
    "warned",
    "warns",
    "according to",
    "insisted",
    "insists",
    "claimed",
    "claims",
    "argued",
    "argues",
    "declared",
    "acknowledged",
    "conceded",
    "stressed",
    "emphasised",
    "emphasized",
    "wrote",
    "writes",
    "cautioned",
    "predicted",
    "alleged",
    "informed",
    "replied",
    "responded",
];

/// Speech verbs that attribute a direct quote but introduce reported speech
/// only with `that` (`X confirmed that ...`, not `X confirmed the deal`).
pub const WEAK_SPEECH_CUES: &[&str] = &[
    "asked",
    "announced",
    "confirmed",
    "denied",
    "recalled",
    "observed",
    "remarked",
    "commented",
    "reported",
    "urged",
    "complained",
    "suggested",
    "revealed",
    "disclosed",
    "agreed",
    "estimated",
];

/// Subject pronouns that can stand for a speaker.
pub const SPEAKER_PRONOUNS: &[&str] = &["he", "she", "they", "i", "we", "it"];

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        // Whole numbers of any size (up to and past 2^53), fractions and
        // non-finite values, by every power of ten and other scales: the
        // exact product where it is taken is the decimal's value.
        #[test]
        fn scaled_is_the_decimal_reading(
            whole in proptest::prop_oneof![
                0u64..1_000_000,
                0u64..(1u64 << 54),
                proptest::num::u64::ANY,
            ],
            fraction in proptest::prop_oneof![
                proptest::strategy::Just(0.0f64),
                proptest::num::f64::ANY,
                0.0f64..1.0,
            ],
            negative: bool,
            exponent in 0i32..25,
            other in proptest::prop_oneof![
                proptest::strategy::Just(None),
                proptest::option::of(proptest::num::f64::ANY),
            ],
        ) {
            let mut value = whole as f64 + if fraction.is_finite() { fraction.fract() } else { fraction };
            if negative {
                value = -value;
            }
            let scale = other.unwrap_or(10f64.powi(exponent));
            proptest::prop_assert_eq!(scaled(value, scale).to_bits(), scaled_by_decimal(value, scale).to_bits());
            let whole_value = whole as f64;
            proptest::prop_assert_eq!(scaled(whole_value, scale).to_bits(), scaled_by_decimal(whole_value, scale).to_bits());
        }
    }

    proptest::proptest! {
        // Around 2^53, where a whole number's shortest form starts to
        // differ from its digits (and the exact product from the decimal).
        #[test]
        fn scaled_is_the_decimal_reading_around_two_to_the_53(
            whole in (1u64 << 49)..(1u64 << 57),
            exponent in 1i32..4,
        ) {
            let (value, scale) = (whole as f64, 10f64.powi(exponent));
            proptest::prop_assert_eq!(scaled(value, scale).to_bits(), scaled_by_decimal(value, scale).to_bits());
        }
    }

    #[test]
    fn scaled_whole_numbers_on_examples() {
        for (value, scale) in [
            (250.0, 1e6),
            (4.0, 1e9),
            (9_007_199_254_740_992.0, 10.0),
            (900_719_925_474_099.0, 10.0),
            (1.0, 1e22),
            (-0.0, 1e3),
            (0.0, 1e6),
            (12.0, 12.0),
        ] {
            assert_eq!(
                scaled(value, scale).to_bits(),
                scaled_by_decimal(value, scale).to_bits(),
                "{value} {scale}"
            );
        }
    }

    #[test]
    fn number_words() {
        assert_eq!(small_number("twenty-five"), Some(25.0));
        assert_eq!(small_number("five-twenty"), None);
        assert_eq!(scale_word("mln"), Some(1e6));
        assert_eq!(vague_plural("thousands"), Some(1e3));
        assert_eq!(ordinal_word("third"), Some(3.0));
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("may"), None);
        assert_eq!(weekday_number("Monday"), Some(1));
    }
}

#[cfg(test)]
mod scaled_tests {
    use super::scaled;
    use proptest::prelude::*;

    #[test]
    fn a_scaled_decimal_is_the_decimal_a_reader_means() {
        assert_eq!(scaled(4.06, 1e6), 4_060_000.0);
        assert_eq!(scaled(5.93, 1e6), 5_930_000.0);
        assert_eq!(scaled(-1.1, 1e9), -1_100_000_000.0);
        assert_eq!(scaled(2.5, 12.0), 30.0, "a dozen multiplies");
        assert_eq!(
            4.06 * 1e6,
            4_059_999.999_999_999_5,
            "the float product it replaces"
        );
    }

    proptest! {
        /// `m / 10^d` scaled by `10^k` is the decimal `m × 10^(k−d)`.
        #[test]
        fn moving_the_decimal_point_is_exact(m in 0u64..10_000_000, d in 0u32..5, k in prop::sample::select(vec![2i32, 3, 6, 9, 12])) {
            let value: f64 = format!("{m}e-{d}").parse().unwrap();
            let expected: f64 = format!("{m}e{}", k - d as i32).parse().unwrap();
            proptest::prop_assert_eq!(scaled(value, 10f64.powi(k)), expected);
        }
    }
}
