//! What stages need and provide, so a pipeline can be checked before it runs.

/// A named fact about a document that a stage needs or provides
/// (`"text.clean"`, `"layer.sentences"`, ...). See [`cap`] for the shared names.
pub type Capability = &'static str;

/// The capability names shared by copydesk's own stages.
pub mod cap {
    use super::Capability;
    /// Documents exist with raw text (every loader provides it).
    pub const TEXT_RAW: Capability = "text.raw";
    /// Unicode-normalized text.
    pub const TEXT_NORMALIZED: Capability = "text.normalized";
    /// Text with hard line wraps and stray whitespace repaired.
    pub const TEXT_UNWRAPPED: Capability = "text.unwrapped";
    /// Headline, byline, dateline, captions and debris split into metadata.
    pub const META_LAYOUT: Capability = "meta.layout";
    /// The `sentences` annotation layer.
    pub const LAYER_SENTENCES: Capability = "layer.sentences";
    /// The `tokens` annotation layer.
    pub const LAYER_TOKENS: Capability = "layer.tokens";
    /// The `quotes` annotation layer.
    pub const LAYER_QUOTES: Capability = "layer.quotes";
    /// The `numbers` annotation layer (numbers, quantities, money, percentages).
    pub const LAYER_NUMBERS: Capability = "layer.numbers";
    /// The `entities` annotation layer.
    pub const LAYER_ENTITIES: Capability = "layer.entities";
    /// The `dates` annotation layer.
    pub const LAYER_DATES: Capability = "layer.dates";
    /// The `spin` annotation layer and the document's `spin` verdict.
    pub const SPIN: Capability = "spin";
    /// Cross-document relations (the `relations` table).
    pub const RELATIONS: Capability = "corpus.relations";
}
