//! copydesk tag stages.
#![deny(missing_docs)]

pub mod dates;
pub mod entities;
pub mod gazetteer;
pub mod lexicon;
pub mod numbers;
pub mod quotes;
pub mod scan;
pub mod sentences;
pub mod tokens;

use copydesk_core::{StageFactory, factory};

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<sentences::SentencesConfig>(),
        factory::<tokens::TokensConfig>(),
        factory::<numbers::NumbersConfig>(),
        factory::<dates::DatesConfig>(),
        factory::<entities::EntitiesConfig>(),
        factory::<quotes::QuotesConfig>(),
    ]
}
