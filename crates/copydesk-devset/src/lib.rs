//! Development sets for copydesk's provenance and spin work.
//!
//! * [`Spinner`]: an article spinner (synonym substitution from a
//!   [`Dictionary`], inflection kept, quotes, names, numbers and function
//!   words left alone, seeded).
//!
//! ```
//! use copydesk_devset::{Dictionary, Spinner, SpinnerConfig};
//! let spinner = Spinner::new(SpinnerConfig { rate: 0.5, seed: 7, dictionary: Dictionary::wordnet() });
//! let spun = spinner.spin("Officials said the attacks had angered the government.");
//! for edit in &spun.substitutions {
//!     assert_eq!(&spun.text[edit.output.clone()], edit.replacement);
//! }
//! ```
#![deny(missing_docs)]

pub mod dictionary;
pub mod inflect;
pub mod rng;
pub mod spinner;

pub use dictionary::Dictionary;
pub use rng::Rng;
pub use spinner::{SpinEdit, Spinner, SpinnerConfig, Spun};
