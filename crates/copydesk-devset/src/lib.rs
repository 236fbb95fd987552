//! Development sets for copydesk's provenance and spin work.
//!
//! * [`Spinner`]: an article spinner (synonym substitution from a
//!   [`Dictionary`], inflection kept, quotes, names, numbers and function
//!   words left alone, seeded).
//! * [`syndicate`]: the edits a republishing outlet makes.
//! * [`corpus`]: a generator of development corpora from Reuters-21578
//!   (`reuters21578.jsonl`) with the ground truth of (copy → source) pairs.
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

pub mod article;
pub mod corpus;
pub mod dictionary;
pub mod inflect;
pub mod reuters;
pub mod rng;
pub mod spinner;
pub mod syndicate;

pub use article::Article;
pub use corpus::{CopyKind, DevCorpus, DevDoc, GeneratorConfig, TruthPair, generate};
pub use dictionary::Dictionary;
pub use reuters::{ReutersRecord, read_records};
pub use rng::Rng;
pub use spinner::{SpinEdit, Spinner, SpinnerConfig, Spun};
