//! copydesk provenance stages.
#![deny(missing_docs)]

use copydesk_core::StageFactory;

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    Vec::new()
}
