//! Frameworks: declarative mappings of each regulation's obligations (`frameworks/*.toml`), cited
//! to article/section, with the evidence each needs. Schema: `docs/frameworks.md`.

/// The frameworks an audit uses, loaded and validated.
#[derive(Debug, Clone, Default)]
pub struct FrameworkSet {}
