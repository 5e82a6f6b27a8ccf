//! The fonts every document is set in: the faces shipped in `typst-assets` (Libertinus Serif,
//! New Computer Modern, NewCM Math, DejaVu Sans Mono), compiled into the binary.
//!
//! No system font is ever looked up, so a document renders identically on every machine
//! (determinism) and never depends on what happens to be installed. Parsing the 17 faces takes a few
//! milliseconds, so it is done once per process.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// The parsed embedded fonts and the book typst looks them up in.
pub(crate) struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

/// The process-wide embedded fonts, parsed on first use.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> =
            typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Fonts { book, fonts }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_families_are_present() {
        let families: Vec<String> =
            fonts().fonts.iter().map(|f| f.info().family.to_lowercase()).collect();
        for wanted in ["libertinus serif", "new computer modern", "dejavu sans mono"] {
            assert!(families.iter().any(|f| f == wanted), "{wanted} missing from {families:?}");
        }
    }
}
