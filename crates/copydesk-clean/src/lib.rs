//! copydesk clean stages.
#![deny(missing_docs)]

pub mod mojibake;
pub mod tabular;
pub mod unicode;
pub mod unwrap;

pub use unicode::{NormalizationForm, UnicodeCleaner, UnicodeCleanerConfig, normalize_unicode};
pub use unwrap::{UnwrapConfig, Unwrapper, unwrap_text};

use copydesk_core::{StageFactory, factory};

/// Every stage this crate registers, in pipeline order.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<UnicodeCleanerConfig>(),
        factory::<UnwrapConfig>(),
    ]
}
