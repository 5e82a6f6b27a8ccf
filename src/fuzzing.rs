//! Entry points for the fuzz targets in `fuzz/` (not a stable API): the crate-private parsers
//! they exercise, and the property the Markdown target checks.

use std::path::Path;

use typst::syntax::{SyntaxKind, SyntaxNode};

use crate::render::markdown::{ALLOWED_IDENTS, ConvertOptions, convert};

/// Convert a Markdown evidence body to Typst source, as a build does.
pub fn markdown_to_typst(body: &str) -> crate::Result<String> {
    convert(
        body,
        &ConvertOptions {
            doc_path: "evidence/doc.md",
            display_path: Path::new("evidence/doc.md"),
            body_line: 1,
            heading_offset: 2,
            label_prefix: "ev0",
        },
    )
    .map(|c| c.source)
}

/// The generated source parses without error, and every identifier in it is one the converter
/// writes itself (no user text became code). Iterative: the check must not itself overflow.
pub fn check_generated(source: &str) -> std::result::Result<(), String> {
    let root = typst::syntax::parse(source);
    let mut stack: Vec<&SyntaxNode> = vec![&root];
    while let Some(node) = stack.pop() {
        if node.diagnosis().either() {
            return Err(format!("syntax error or warning at {node:?}"));
        }
        match node.kind() {
            SyntaxKind::Ident | SyntaxKind::MathIdent
                if !ALLOWED_IDENTS.contains(&node.leaf_text().as_str()) =>
            {
                return Err(format!("identifier {:?} not allowed", node.leaf_text()));
            }
            _ => {}
        }
        stack.extend(node.children());
    }
    Ok(())
}
