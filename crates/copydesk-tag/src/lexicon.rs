//! Small closed word lists shared by the stages: number words, months,
//! weekdays, speech verbs.

/// The value of a cardinal number word below one hundred (`"seven"`, `"forty"`).
#[inline]
pub fn small_number(word: &str) -> Option<f64> {
    // Every such word (and the tens of `twenty-five`) starts with one of
    // these letters: any other word is answered without comparing it.
    if !matches!(
        word.as_bytes().first(),
        Some(b'z' | b'o' | b't' | b'f' | b's' | b'e' | b'n')
    ) {
        return None;
    }
    small_number_by_match(word)
}

/// [`small_number`] without its first-letter test (the comparisons).
fn small_number_by_match(word: &str) -> Option<f64> {
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
#[inline]
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
    // The power of ten `scale` is, from 10^1 to 10^22 (what the rounded
    // `log10` whose `powf` gives `scale` back is: those powers are floats
    // exactly), found in the table instead of by the two libm calls.
    let power = EXACT_POWERS_OF_TEN[1..].iter().position(|&p| p == scale);
    if let Some(power) = power.filter(|_| value.is_finite()) {
        let exponent = power + 1;
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
        // A positive value whose shortest form has at most 15 significant
        // digits (`5.93`) is read as those digits without a string.
        if let Some(v) = short_decimal_scaled(value, exponent) {
            return v;
        }
        if let Ok(v) = format!("{value}e{exponent}").parse::<f64>() {
            return v;
        }
    }
    value * scale
}

/// The powers of ten that are floats exactly (up to 10^22).
pub(crate) const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// What `format!("{value}e{exponent}").parse::<f64>()` gives, when `value`
/// is positive and its shortest form has at most 15 significant digits
/// and 15 decimals (`None` otherwise), without a string.
///
/// Such a value is `m / 10^k` for the smallest `k` where that quotient is
/// `value` again (`m` < 10^15, so `m` and `10^k` are floats exactly and
/// the division is the correctly rounded reading of the decimal `m e-k`).
/// No two decimals of at most 15 significant digits read as one float,
/// so that decimal is the shortest form's number. Scaled, it is
/// `m * 10^(exponent - k)`, exact when a whole number within 2^53, or
/// `m / 10^(k - exponent)`, again one correctly rounded division.
fn short_decimal_scaled(value: f64, exponent: usize) -> Option<f64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if !(value > 0.0 && value.is_finite()) || exponent > 22 {
        return None;
    }
    for (k, &power) in EXACT_POWERS_OF_TEN[..16].iter().enumerate() {
        let m = (value * power).round();
        if m >= 1e15 {
            return None;
        }
        if m / power != value {
            continue;
        }
        return if exponent >= k {
            let product = m * EXACT_POWERS_OF_TEN[exponent - k];
            (product <= EXACT).then_some(product)
        } else {
            Some(m / EXACT_POWERS_OF_TEN[k - exponent])
        };
    }
    None
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
#[inline]
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
#[inline]
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
#[inline]
pub fn month_number(word: &str) -> Option<u32> {
    // Every month name starts with one of these capitals: any other word
    // is answered without comparing it.
    if !matches!(
        word.as_bytes().first(),
        Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D')
    ) {
        return None;
    }
    month_number_by_match(word)
}

/// [`month_number`] without its first-letter test (the comparisons).
fn month_number_by_match(word: &str) -> Option<u32> {
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
        // The first-letter tests turn away no word the comparisons accept.
        #[test]
        fn first_letter_tests_change_no_answer(
            w in "((?i:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|twenty|thirty|forty|fifty|ninety|jan|january|feb|mar|march|apr|may|jun|july|aug|sep|sept|oct|nov|dec|december)(-(?i:one|two|five|nine|ten))?\\.?|[A-Za-z-]{0,10}|\\PC{0,6})"
        ) {
            proptest::prop_assert_eq!(small_number(&w), small_number_by_match(&w));
            proptest::prop_assert_eq!(month_number(&w), month_number_by_match(&w));
        }
    }

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
            // Bit for bit, but any NaN for a NaN: which operand's payload
            // a product of two NaNs keeps is up to code generation.
            let bits = |v: f64| if v.is_nan() { f64::NAN.to_bits() } else { v.to_bits() };
            proptest::prop_assert_eq!(bits(scaled(value, scale)), bits(scaled_by_decimal(value, scale)));
            let whole_value = whole as f64;
            proptest::prop_assert_eq!(bits(scaled(whole_value, scale)), bits(scaled_by_decimal(whole_value, scale)));
        }
    }

    proptest::proptest! {
        // Decimals of up to 17 significant digits and 17 decimals, by
        // every power of ten: the digits' reading without a string is the
        // string's (and values past the fast reading's bounds still are).
        #[test]
        fn scaled_decimals_are_the_decimal_reading(
            digits in proptest::prop_oneof![1u64..1000, 1u64..1_000_000, 1u64..100_000_000_000_000_000],
            decimals in 0i32..18,
            exponent in 0i32..25,
        ) {
            let value: f64 = format!("{digits}e-{decimals}").parse().unwrap_or(0.0);
            let scale = 10f64.powi(exponent);
            proptest::prop_assert_eq!(scaled(value, scale).to_bits(), scaled_by_decimal(value, scale).to_bits(), "{} {}", value, scale);
            let next = f64::from_bits(value.to_bits() + 1);
            proptest::prop_assert_eq!(scaled(next, scale).to_bits(), scaled_by_decimal(next, scale).to_bits(), "{} {}", next, scale);
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
