//! The fonts every document is set in: the faces shipped in `typst-assets` (Libertinus Serif,
//! New Computer Modern, NewCM Math, DejaVu Sans Mono), compiled into the binary.
//!
//! No system font is ever looked up, so a document renders identically on every machine
//! (determinism) and never depends on what happens to be installed. Parsing the 17 faces takes a few
//! milliseconds, so it is done once per process.

use std::borrow::Cow;
use std::collections::BTreeSet;
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
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Fonts { book, fonts }
    })
}

/// Whether some embedded font has a glyph for `c` (typst falls back across all of them).
pub(crate) fn covered(c: char) -> bool {
    c.is_ascii()
        || fonts()
            .fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
}

/// Invisible formatting characters (zero-width space and joiners, word joiner, BOM, variation
/// selectors, soft hyphen): if no font has them they are left out rather than shown.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// `text` with every character no embedded font can display replaced by its code point,
/// `[U+6F22]`, and invisible formatting characters without a glyph left out. PDF/A forbids text
/// without glyphs, and a silent blank would lose information; the replaced characters are added to
/// `replaced` so the caller can warn.
pub(crate) fn displayable<'t>(text: &'t str, replaced: &mut BTreeSet<char>) -> Cow<'t, str> {
    if text.chars().all(|c| c.is_whitespace() || covered(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_whitespace() || covered(c) {
            out.push(c);
        } else {
            replaced.insert(c);
            if !invisible(c) {
                out.push_str(&format!("[U+{:04X}]", c as u32));
            }
        }
    }
    Cow::Owned(out)
}

/// A warning naming the characters `displayable` replaced in `source`.
pub(crate) fn replaced_warning(source: &str, replaced: &BTreeSet<char>) -> Option<String> {
    if replaced.is_empty() {
        return None;
    }
    let list: Vec<String> = replaced
        .iter()
        .map(|c| {
            if invisible(*c) {
                format!("U+{:04X} (invisible, left out)", *c as u32)
            } else {
                format!("U+{:04X} ({c})", *c as u32)
            }
        })
        .collect();
    Some(format!(
        "{source}: no embedded font can display {}; shown as code points: {}",
        if list.len() == 1 {
            "this character"
        } else {
            "these characters"
        },
        list.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_families_are_present() {
        let families: Vec<String> = fonts()
            .fonts
            .iter()
            .map(|f| f.info().family.to_lowercase())
            .collect();
        for wanted in [
            "libertinus serif",
            "new computer modern",
            "dejavu sans mono",
        ] {
            assert!(
                families.iter().any(|f| f == wanted),
                "{wanted} missing from {families:?}"
            );
        }
    }

    #[test]
    fn uncovered_characters_become_code_points() {
        let mut replaced = BTreeSet::new();
        assert!(matches!(
            displayable("Ünïcödé — “q” ½ ≤ § × Ω Жж", &mut replaced),
            Cow::Borrowed(_)
        ));
        assert!(replaced.is_empty());
        assert!(
            covered('\u{FFFD}'),
            "the replacement character for control characters"
        );
        let out = displayable("漢字 🙂 ok", &mut replaced);
        assert_eq!(out, "[U+6F22][U+5B57] [U+1F642] ok");
        let warning = replaced_warning("evidence/x.md", &replaced).unwrap();
        assert!(
            warning.contains("U+6F22 (漢)") && warning.contains("U+1F642 (🙂)"),
            "{warning}"
        );
    }
}
