//! Markdown evidence bodies → Typst, with user text only ever inside string literals.
//!
//! Evidence is Markdown (CommonMark + GFM tables, footnotes, task lists, strikethrough, autolinks).
//! We parse it with comrak and walk the AST, emitting Typst **code** (not markup): structure becomes
//! calls to a fixed set of standard-library functions (`strong`, `list`, `table`, …) and every piece
//! of text the user wrote becomes a Typst string literal, `"…"`, in which only `\` and `"` (and
//! control characters) need escaping. A string literal is a value, never parsed as markup or code,
//! so `#read("/etc/passwd")`, `$x$`, `*bold*`, `@ref`, `<label>`, `//`, `=` at line start, `]`, `{}`
//! … all render literally. The unit tests check this structurally: the generated source parses
//! without error and calls nothing but the functions on [`ALLOWED_IDENTS`], for arbitrary input.
//!
//! Raw HTML is not rendered (a document is not a web page): HTML blocks are dropped and inline
//! tags are kept as literal text (in prose `<name>` is usually meant literally), with one warning
//! per document naming the lines. Images are embedded only from inside the audit folder: URLs, absolute paths and paths that
//! climb out of the folder are errors that name the evidence file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use comrak::{Arena, Options, parse_document};

use super::fonts::{displayable, replaced_warning};
use crate::diag::{Error, InputError, Location, Result};
use crate::hash::sha256_hex;

/// Image formats typst embeds (by file extension). PDF is left out: a PDF inside a PDF/A file
/// would have to be PDF/A itself.
pub(crate) const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// Every identifier the generated code may contain: the functions and argument names it calls.
/// Nothing derived from user text is ever an identifier.
pub(crate) const ALLOWED_IDENTS: &[&str] = &[
    // Functions.
    "strong",
    "emph",
    "strike",
    "super",
    "sub",
    "link",
    "raw",
    "linebreak",
    "parbreak",
    "heading",
    "quote",
    "list",
    "enum",
    "table",
    "header",
    "line",
    "footnote",
    "image",
    "layout",
    "measure",
    "text",
    "fairfile-image",
    "fairfile-checkbox",
    "box",
    "sym",
    "ballot",
    "check",
    "block",
    // Named arguments and values.
    "level",
    "numbering",
    "outlined",
    "bookmarked",
    "block",
    "lang",
    "tight",
    "start",
    "columns",
    "align",
    "left",
    "center",
    "right",
    "auto",
    "length",
    "stroke",
    "luma",
    "alt",
    "width",
    "size",
    "path",
    "natural",
    "font",
    "fill",
    "baseline",
    "x",
    "checked",
    "above",
    "below",
];

/// The result of converting one evidence body.
#[derive(Debug)]
pub(crate) struct Converted {
    /// A Typst file whose content is the evidence body.
    pub source: String,
    /// Images the body embeds, in order of first use, without duplicates.
    pub images: Vec<ImageRef>,
    /// Things dropped or changed, for the user (e.g. raw HTML).
    pub warnings: Vec<String>,
}

/// An image referenced by an evidence document, resolved inside the audit folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef {
    /// Path relative to the audit folder, `/` separators, normalised (no `.`/`..`).
    pub audit_path: String,
    /// The virtual path the generated code loads it from.
    pub virtual_path: String,
    /// Where the reference is (evidence file, line, column), for messages.
    pub location: Location,
}

/// The virtual path an image inside the audit folder is served at: a hash of its audit path, so
/// the path in the generated code is made of safe characters only and is stable across builds.
pub(crate) fn image_virtual_path(audit_path: &str) -> String {
    let ext = audit_path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    format!("/assets/{}.{ext}", &sha256_hex(audit_path.as_bytes())[..16])
}

/// Deepest nesting of block quotes and lists kept as such (typst bounds element nesting; real
/// documents rarely go past four).
const MAX_NESTING: usize = 10;

/// Deepest Markdown syntax tree the converter walks (it recurses once per level, and typst
/// recurses again on the generated code). Anything deeper — a quote inside 64 quotes, emphasis
/// inside 64 links — is kept as plain text with a warning, so a hostile document (100,000 `>`)
/// cannot overflow the stack. Real documents stay below 15.
pub(crate) const MAX_DEPTH: usize = 64;

/// How to convert.
pub(crate) struct ConvertOptions<'a> {
    /// Path of the evidence document relative to the audit folder (`evidence/x.md`); images resolve
    /// relative to its folder.
    pub doc_path: &'a str,
    /// The same file as the user knows it (for messages).
    pub display_path: &'a Path,
    /// Line of the file where the body starts.
    pub body_line: usize,
    /// Level of the heading the body sits under; Markdown `#` becomes this + 1.
    pub heading_offset: u8,
    /// Prefix for generated footnote labels, unique per document in the output (e.g. `ev3`).
    pub label_prefix: &'a str,
}

/// Convert a Markdown evidence body to a Typst file producing its content.
pub(crate) fn convert(body: &str, options: &ConvertOptions<'_>) -> Result<Converted> {
    let arena = Arena::new();
    let root = parse_document(&arena, body, &comrak_options());

    let mut writer = Writer::new(options);
    writer.collect_footnotes(root);
    let content = writer.blocks(root);
    let notes = writer.unreferenced_footnotes();

    if !writer.errors.is_empty() {
        return Err(match writer.errors.len() {
            1 => writer.errors.remove(0).into(),
            _ => Error::Inputs(writer.errors),
        });
    }

    let mut warnings = Vec::new();
    let lines = |set: &BTreeSet<usize>| {
        let list: Vec<String> = set.iter().map(|l| l.to_string()).collect();
        format!(
            "line{} {}",
            if list.len() == 1 { "" } else { "s" },
            list.join(", ")
        )
    };
    let mut parts = Vec::new();
    if !writer.html_lines.is_empty() {
        parts.push(format!(
            "HTML blocks dropped ({})",
            lines(&writer.html_lines)
        ));
    }
    if !writer.inline_html_lines.is_empty() {
        parts.push(format!(
            "inline HTML shown as literal text ({})",
            lines(&writer.inline_html_lines)
        ));
    }
    if !parts.is_empty() {
        warnings.push(format!(
            "{}: raw HTML is not rendered: {}; evidence is rendered from Markdown only",
            options.display_path.display(),
            parts.join("; ")
        ));
    }

    if !writer.flattened_lines.is_empty() {
        warnings.push(format!(
            "{}: quotes and lists nested more than {MAX_NESTING} deep are shown flattened ({})",
            options.display_path.display(),
            lines(&writer.flattened_lines)
        ));
    }
    if !writer.plain_lines.is_empty() {
        warnings.push(format!(
            "{}: content nested more than {MAX_DEPTH} levels deep is shown as plain text ({})",
            options.display_path.display(),
            lines(&writer.plain_lines)
        ));
    }
    warnings.extend(replaced_warning(
        &options.display_path.display().to_string(),
        &writer.replaced,
    ));

    let mut source = String::new();
    source.push_str(PREAMBLE);
    source.push_str("#{\n");
    source.push_str(&content);
    if let Some(notes) = notes {
        source.push_str("\nparbreak()\n");
        source.push_str(&notes);
    }
    source.push_str("\n}\n");
    Ok(Converted {
        source,
        images: writer.images,
        warnings,
    })
}

/// Helpers defined at the top of every generated file (no user text).
const PREAMBLE: &str = "// Generated by fairfile from a Markdown evidence document.
// All user text is in string literals; nothing in it is evaluated.
#let fairfile-image(path, alt) = layout(size => {
  let natural = measure(image(path, alt: alt))
  if natural.width > size.width { image(path, alt: alt, width: 100%) } else { image(path, alt: alt) }
})
#let fairfile-checkbox(checked) = box(baseline: 0.1em, text(font: \"DejaVu Sans Mono\", if checked { \"[x]\" } else { \"[ ]\" }))
";

fn comrak_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options
}

/// A Typst string literal holding exactly `text`.
///
/// Inside `"…"` Typst interprets only `\` escapes and the closing `"`, so escaping those two (and
/// writing control characters as escapes) makes any text a literal value.
pub(crate) fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Other control characters have no business in a document (and PDF/A text must map
            // to Unicode): show a replacement character instead of silently dropping them.
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Links rendered as links; anything else (relative paths, `javascript:`) is shown as text.
fn is_linkable(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// A code-block language name, kept only if it is a plain identifier (it selects highlighting).
fn code_language(info: &str) -> Option<&str> {
    let lang = info.split_whitespace().next()?;
    (lang.len() <= 32
        && lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_#.".contains(c)))
    .then_some(lang)
}

struct Writer<'o, 'a> {
    options: &'o ConvertOptions<'o>,
    images: Vec<ImageRef>,
    errors: Vec<InputError>,
    /// Lines of raw HTML blocks (dropped).
    html_lines: BTreeSet<usize>,
    /// Lines of inline HTML (kept as literal text).
    inline_html_lines: BTreeSet<usize>,
    /// Footnote definitions by name.
    footnotes: BTreeMap<String, &'a AstNode<'a>>,
    /// Labels of footnotes already emitted, by name.
    footnote_labels: BTreeMap<String, String>,
    /// Footnotes being emitted (guards against a footnote referring to itself).
    footnotes_open: BTreeSet<String>,
    /// Characters no embedded font can display (shown as code points).
    replaced: BTreeSet<char>,
    /// Quotes and lists currently open around the node being written.
    depth: usize,
    /// Lines where nesting deeper than MAX_NESTING was flattened.
    flattened_lines: BTreeSet<usize>,
    /// Syntax-tree levels currently being walked (bounded by [`MAX_DEPTH`]).
    level: usize,
    /// Lines where content deeper than MAX_DEPTH was kept as plain text.
    plain_lines: BTreeSet<usize>,
    /// Level of the last heading emitted, relative to the offset (headings never skip a level).
    last_heading: u8,
}

impl<'o, 'a> Writer<'o, 'a> {
    fn new(options: &'o ConvertOptions<'o>) -> Self {
        Self {
            options,
            images: Vec::new(),
            errors: Vec::new(),
            html_lines: BTreeSet::new(),
            inline_html_lines: BTreeSet::new(),
            footnotes: BTreeMap::new(),
            footnote_labels: BTreeMap::new(),
            footnotes_open: BTreeSet::new(),
            last_heading: 0,
            replaced: BTreeSet::new(),
            depth: 0,
            flattened_lines: BTreeSet::new(),
            level: 0,
            plain_lines: BTreeSet::new(),
        }
    }

    /// A string literal of user text, with characters no embedded font has shown as code points.
    fn text(&mut self, text: &str) -> String {
        string_literal(&displayable(text, &mut self.replaced))
    }

    /// Line in the evidence file of a node.
    fn file_line(&self, node: &'a AstNode<'a>) -> usize {
        self.options.body_line + node.data().sourcepos.start.line.saturating_sub(1)
    }

    fn location(&self, node: &'a AstNode<'a>) -> Location {
        let column = node.data().sourcepos.start.column.max(1);
        Location::at(self.options.display_path, self.file_line(node), column)
    }

    fn collect_footnotes(&mut self, root: &'a AstNode<'a>) {
        for node in root.descendants() {
            if let NodeValue::FootnoteDefinition(def) = &node.data().value {
                self.footnotes.entry(def.name.clone()).or_insert(node);
            }
        }
    }

    /// Footnote definitions nobody referred to, as a short list at the end (never dropped).
    fn unreferenced_footnotes(&mut self) -> Option<String> {
        let pending: Vec<(String, &'a AstNode<'a>)> = self
            .footnotes
            .iter()
            .filter(|(name, _)| !self.footnote_labels.contains_key(*name))
            .map(|(name, node)| (name.clone(), *node))
            .collect();
        if pending.is_empty() {
            return None;
        }
        let items: Vec<String> = pending
            .into_iter()
            .map(|(name, node)| {
                let body = self.blocks(node);
                format!("{{ super({}); \" \"; {body} }}", self.text(&name))
            })
            .collect();
        Some(format!("list(tight: true, {})", items.join(", ")))
    }

    /// The children blocks of `node`, joined by paragraph breaks, as one expression.
    fn blocks(&mut self, node: &'a AstNode<'a>) -> String {
        let parts: Vec<String> = node
            .children()
            .filter_map(|child| self.block(child))
            .collect();
        if parts.is_empty() {
            "[]".to_string()
        } else {
            format!("{{\n{}\n}}", parts.join("\nparbreak()\n"))
        }
    }

    /// Children of a list item. In a tight list, paragraphs are not separated by breaks.
    fn item_blocks(&mut self, node: &'a AstNode<'a>) -> String {
        self.blocks(node)
    }

    /// Run `f` on `node` one syntax-tree level deeper, or — beyond [`MAX_DEPTH`] — return the
    /// node's text as one literal, without recursing.
    fn guarded(
        &mut self,
        node: &'a AstNode<'a>,
        f: impl FnOnce(&mut Self, &'a AstNode<'a>) -> Option<String>,
    ) -> Option<String> {
        if self.level >= MAX_DEPTH {
            self.plain_lines.insert(self.file_line(node));
            let text = Self::flat_text(node);
            return Some(self.text(&text));
        }
        self.level += 1;
        let out = f(self, node);
        self.level -= 1;
        out
    }

    /// All the text under `node`, blocks and breaks as spaces, collected without recursion.
    fn flat_text(node: &'a AstNode<'a>) -> String {
        use comrak::arena_tree::NodeEdge;
        let mut text = String::new();
        for edge in node.traverse() {
            match edge {
                NodeEdge::Start(d) => match &d.data().value {
                    NodeValue::Text(t) => text.push_str(t),
                    NodeValue::Code(c) => text.push_str(&c.literal),
                    NodeValue::CodeBlock(c) => text.push_str(&c.literal),
                    NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
                    _ => {}
                },
                NodeEdge::End(d) if d.data().value.block() && !text.ends_with(' ') => {
                    text.push(' ')
                }
                NodeEdge::End(_) => {}
            }
        }
        text.trim().to_string()
    }

    fn block(&mut self, node: &'a AstNode<'a>) -> Option<String> {
        self.guarded(node, Self::block_at)
    }

    fn block_at(&mut self, node: &'a AstNode<'a>) -> Option<String> {
        let value = node.data().value.clone();
        Some(match value {
            NodeValue::Document => self.blocks(node),
            NodeValue::Paragraph => {
                let mut children = node.children();
                match (children.next(), children.next()) {
                    (Some(only), None) if matches!(only.data().value, NodeValue::Image(_)) => {
                        self.image(only, true)?
                    }
                    _ => self.inlines(node),
                }
            }
            NodeValue::Heading(heading) => {
                // Never skip a level (PDF/UA; a reader's outline): `#` then `###` become 1 then 2.
                let level = heading.level.min(self.last_heading + 1).max(1);
                self.last_heading = level;
                format!(
                    "heading(level: {}, numbering: none, outlined: false, bookmarked: false, {})",
                    self.options.heading_offset.saturating_add(level),
                    self.inlines(node)
                )
            }
            // Beyond MAX_NESTING, quotes and lists are flattened: their content is kept, their
            // nesting is not (typst limits how deeply elements nest).
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                match self.nested(node, |w| w.blocks(node)) {
                    (body, true) => format!("quote(block: true, {body})"),
                    (body, false) => body,
                }
            }
            NodeValue::List(list) => {
                let (items, nested) = self.nested(node, |w| {
                    node.children()
                        .map(|item| w.list_item(item))
                        .collect::<Vec<String>>()
                });
                if items.is_empty() {
                    return None;
                }
                if !nested {
                    let marked: Vec<String> = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| match list.list_type {
                            ListType::Bullet => format!("{{ \"– \"; {item} }}"),
                            ListType::Ordered => format!("{{ \"{}. \"; {item} }}", list.start + i),
                        })
                        .collect();
                    return Some(format!("{{ {} }}", marked.join("; parbreak(); ")));
                }
                match list.list_type {
                    ListType::Bullet => {
                        format!("list(tight: {}, {})", list.tight, items.join(", "))
                    }
                    ListType::Ordered => format!(
                        "enum(start: {}, tight: {}, {})",
                        list.start,
                        list.tight,
                        items.join(", ")
                    ),
                }
            }
            NodeValue::Item(_) | NodeValue::TaskItem(_) => self.list_item(node),
            NodeValue::CodeBlock(code) => {
                let lang = match code_language(&code.info) {
                    Some(lang) => string_literal(lang),
                    None => "none".to_string(),
                };
                let literal = code.literal.strip_suffix('\n').unwrap_or(&code.literal);
                format!("raw(block: true, lang: {lang}, {})", self.text(literal))
            }
            NodeValue::HtmlBlock(_) => {
                self.html_lines.insert(self.file_line(node));
                return None;
            }
            NodeValue::ThematicBreak => "line(length: 100%, stroke: 0.5pt + luma(160))".to_string(),
            NodeValue::Table(table) => self.table(node, &table.alignments),
            // Emitted where they are referenced (or at the end, if never referenced).
            NodeValue::FootnoteDefinition(_) => return None,
            NodeValue::FrontMatter(_) => return None,
            // Inline content where a block was expected (should not happen): render it as text.
            _ if !node.data().value.block() => self.inline(node)?,
            // Any other block (from extensions we do not enable): its children.
            _ => self.blocks(node),
        })
    }

    /// Run `f` one container level deeper. Returns whether the container may nest (false beyond
    /// [`MAX_NESTING`]: the caller then emits the content without the container).
    fn nested<T>(&mut self, node: &'a AstNode<'a>, f: impl FnOnce(&mut Self) -> T) -> (T, bool) {
        let allowed = self.depth < MAX_NESTING;
        if allowed {
            self.depth += 1;
        } else {
            self.flattened_lines.insert(self.file_line(node));
        }
        let out = f(self);
        if allowed {
            self.depth -= 1;
        }
        (out, allowed)
    }

    fn list_item(&mut self, item: &'a AstNode<'a>) -> String {
        let body = self.item_blocks(item);
        match &item.data().value {
            NodeValue::TaskItem(task) => {
                format!(
                    "{{ fairfile-checkbox({}); \" \"; {body} }}",
                    task.symbol.is_some()
                )
            }
            _ => body,
        }
    }

    fn table(&mut self, node: &'a AstNode<'a>, alignments: &[TableAlignment]) -> String {
        let columns = alignments.len().max(1);
        let align: Vec<&str> = alignments
            .iter()
            .map(|a| match a {
                TableAlignment::Left => "left",
                TableAlignment::Center => "center",
                TableAlignment::Right => "right",
                TableAlignment::None => "auto",
            })
            .collect();
        let mut header = Vec::new();
        let mut cells = Vec::new();
        for row in node.children() {
            let is_header = matches!(row.data().value, NodeValue::TableRow(true));
            let mut row_cells: Vec<String> =
                row.children().map(|cell| self.inlines(cell)).collect();
            row_cells.resize(columns, "[]".to_string());
            if is_header {
                header.extend(row_cells)
            } else {
                cells.extend(row_cells)
            }
        }
        let mut out = format!("table(columns: {columns}, align: ({},), ", align.join(", "));
        if !header.is_empty() {
            let _ = write!(out, "table.header({}), ", header.join(", "));
        }
        out.push_str(&cells.join(", "));
        out.push(')');
        out
    }

    /// The inline children of `node` as one expression.
    fn inlines(&mut self, node: &'a AstNode<'a>) -> String {
        let parts: Vec<String> = node
            .children()
            .filter_map(|child| self.inline(child))
            .collect();
        if parts.is_empty() {
            "[]".to_string()
        } else {
            format!("{{ {} }}", parts.join("; "))
        }
    }

    /// Plain text of the inline children (image alt text).
    fn plain_text(node: &'a AstNode<'a>) -> String {
        let mut text = String::new();
        for d in node.descendants() {
            match &d.data().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::Code(c) => text.push_str(&c.literal),
                NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
                _ => {}
            }
        }
        text
    }

    fn inline(&mut self, node: &'a AstNode<'a>) -> Option<String> {
        self.guarded(node, Self::inline_at)
    }

    fn inline_at(&mut self, node: &'a AstNode<'a>) -> Option<String> {
        let value = node.data().value.clone();
        Some(match value {
            NodeValue::Text(text) => self.text(&text),
            NodeValue::SoftBreak => "\" \"".to_string(),
            NodeValue::LineBreak => "linebreak()".to_string(),
            NodeValue::Code(code) => format!("raw({})", self.text(&code.literal)),
            // Inline tags are most often literal text (`<name>`, `<label>`): keep them, as text.
            NodeValue::HtmlInline(html) => {
                self.inline_html_lines.insert(self.file_line(node));
                self.text(&html)
            }
            NodeValue::Emph => format!("emph({})", self.inlines(node)),
            NodeValue::Strong => format!("strong({})", self.inlines(node)),
            NodeValue::Strikethrough => format!("strike({})", self.inlines(node)),
            NodeValue::Superscript => format!("super({})", self.inlines(node)),
            NodeValue::Subscript => format!("sub({})", self.inlines(node)),
            NodeValue::Link(link) => {
                let text = self.inlines(node);
                let url = link.url.trim();
                let is_autolink = Self::plain_text(node) == url
                    || Self::plain_text(node) == url.trim_start_matches("mailto:");
                if is_linkable(url) {
                    format!("link({}, {text})", string_literal(url))
                } else if is_autolink || url.is_empty() {
                    text
                } else {
                    format!("{{ {text}; \" (\"; raw({}); \")\" }}", self.text(url))
                }
            }
            NodeValue::Image(_) => self.image(node, false)?,
            NodeValue::FootnoteReference(reference) => self.footnote_reference(&reference.name),
            // Inline nodes of extensions we do not enable: their text, literally.
            _ if node.data().value.block() => self.block(node)?,
            _ => {
                if node.children().next().is_some() {
                    self.inlines(node)
                } else {
                    self.text(&Self::plain_text(node))
                }
            }
        })
    }

    fn footnote_reference(&mut self, name: &str) -> String {
        if let Some(label) = self.footnote_labels.get(name) {
            return format!("footnote(<{label}>)");
        }
        let Some(definition) = self.footnotes.get(name).copied() else {
            // comrak only makes references for defined footnotes; keep the text if not.
            return self.text(&format!("[^{name}]"));
        };
        if !self.footnotes_open.insert(name.to_string()) {
            return self.text(&format!("[^{name}]"));
        }
        let label = format!(
            "fairfile-{}-fn{}",
            self.options.label_prefix,
            self.footnote_labels.len() + 1
        );
        let body = self.blocks(definition);
        self.footnotes_open.remove(name);
        self.footnote_labels.insert(name.to_string(), label.clone());
        format!("[#footnote({body}) <{label}>]")
    }

    /// An image: resolved inside the audit folder (or an error), embedded by its virtual path.
    fn image(&mut self, node: &'a AstNode<'a>, block: bool) -> Option<String> {
        let NodeValue::Image(link) = &node.data().value else {
            return None;
        };
        let url = link.url.clone();
        let location = self.location(node);
        let audit_path = match resolve_image_path(self.options.doc_path, &url) {
            Ok(path) => path,
            Err(why) => {
                self.errors.push(
                    InputError::new(location, format!("image {url:?}: {why}"))
                        .with_help("put the image inside the audit folder and reference it by a path relative to the evidence document"),
                );
                return None;
            }
        };
        let virtual_path = image_virtual_path(&audit_path);
        let mut alt = Self::plain_text(node);
        if alt.trim().is_empty() {
            // PDF/UA needs alternative text; the file name is better than nothing.
            alt = format!("Image {audit_path}");
        }
        if !self.images.iter().any(|i| i.audit_path == audit_path) {
            self.images.push(ImageRef {
                audit_path,
                virtual_path: virtual_path.clone(),
                location,
            });
        }
        let call = format!(
            "fairfile-image({}, {})",
            string_literal(&virtual_path),
            string_literal(&alt)
        );
        Some(if block { call } else { format!("box({call})") })
    }
}

/// Resolve an image reference written in `doc_path` to a path inside the audit folder, or say why not.
pub(crate) fn resolve_image_path(doc_path: &str, url: &str) -> std::result::Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("empty image path".into());
    }
    if let Some((scheme, _)) = url.split_once(':')
        && !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Err(if scheme.len() == 1 {
            "absolute paths are refused; only files inside the audit folder are embedded".into()
        } else {
            "URLs are not fetched; only files inside the audit folder are embedded".into()
        });
    }
    if url.starts_with('/') || url.starts_with('\\') {
        return Err(
            "absolute paths are refused; only files inside the audit folder are embedded".into(),
        );
    }
    let decoded = percent_decode(url);
    let mut parts: Vec<&str> = doc_path.split('/').collect();
    parts.pop(); // the document's own file name
    for segment in decoded.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("the path leads outside the audit folder".into());
                }
            }
            s => parts.push(s),
        }
    }
    let path = parts.join("/");
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        return Err(format!(
            "unsupported image type {}; use one of: {}",
            if ext.is_empty() {
                "(no extension)".to_string()
            } else {
                format!(".{ext}")
            },
            IMAGE_EXTENSIONS.join(", ")
        ));
    }
    Ok(path)
}

/// Decode `%XX` escapes (Markdown image paths are URLs); invalid escapes stay as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::syntax::{SyntaxKind, SyntaxNode};

    fn convert_str(body: &str) -> Result<Converted> {
        convert(
            body,
            &ConvertOptions {
                doc_path: "evidence/sub/doc.md",
                display_path: Path::new("audit/evidence/sub/doc.md"),
                body_line: 6,
                heading_offset: 3,
                label_prefix: "ev0",
            },
        )
    }

    /// Walk the generated source's syntax tree: no errors, identifiers only from the allow-list,
    /// and the concatenated string literals (the user text) returned for comparison.
    fn check_structure(source: &str) -> Vec<String> {
        let root = typst::syntax::parse(source);
        let mut strings = Vec::new();
        fn walk(node: &SyntaxNode, strings: &mut Vec<String>) {
            assert!(
                !node.diagnosis().either(),
                "generated source has a syntax error or warning at {node:?}"
            );
            match node.kind() {
                SyntaxKind::Ident | SyntaxKind::MathIdent => assert!(
                    ALLOWED_IDENTS.contains(&node.leaf_text().as_str()),
                    "identifier {:?} is not on the allow-list",
                    node.leaf_text()
                ),
                SyntaxKind::Label => assert!(
                    node.leaf_text().starts_with("<fairfile-")
                        || node.leaf_text().starts_with("fairfile-"),
                    "unexpected label {:?}",
                    node.leaf_text()
                ),
                SyntaxKind::Str => {
                    let value =
                        <typst::syntax::ast::Str as typst::syntax::ast::AstNode>::from_untyped(
                            node,
                        )
                        .unwrap()
                        .get();
                    strings.push(value.to_string());
                }
                _ => {}
            }
            for child in node.children() {
                walk(child, strings);
            }
        }
        walk(&root, &mut strings);
        strings
    }

    const HOSTILE: &str = r#"# Title with #let x = 1 and $x$

A paragraph: #read("/etc/passwd") and `*bold* inside code` and @ref <label> \ back\\slash.

= not a heading
- not a list either? (it is one in Markdown)

// not a comment /* nor this */ http://example.com/path ] ) {} ~ -- --- ... 'quotes' "double"

Unicode: é ü 漢字 🙂 — “curly” ‘single’ ½ ≤ ≥ §5-301(d)

```typst
#import "@preview/evil:1.0.0": *
#read("/etc/passwd")
```

| Col #1 | $money$ |
|:------:|--------:|
| *x*    | ]       |

- [x] done #done
- [ ] todo @todo

Text with a footnote[^n1] and again[^n1].

[^n1]: The #footnote body with `code`.

<div onclick="x">raw html</div>

Line with <span>inline html</span> inside.

~~struck~~ https://example.org/autolink
"#;

    #[test]
    fn hostile_text_stays_in_string_literals() {
        let converted = convert_str(HOSTILE).unwrap();
        let strings = check_structure(&converted.source);
        let all = strings.concat();
        for literal in [
            "#read(\"/etc/passwd\")",
            "*bold* inside code",
            "@ref",
            "<label>",
            "#let x = 1",
            "$x$",
            "// not a comment /* nor this */",
            "] ) {} ~ -- --- ...",
            "[U+6F22][U+5B57] [U+1F642]",
            "#import \"@preview/evil:1.0.0\": *",
            "$money$",
            "#done",
            "The #footnote body with ",
            "= not a heading",
        ] {
            assert!(
                all.contains(literal),
                "{literal:?} is not a literal in:\n{}",
                converted.source
            );
        }
        // The autolink is a link; the struck text is struck.
        assert!(
            converted
                .source
                .contains("link(\"https://example.org/autolink\"")
        );
        assert!(converted.source.contains("strike("));
        // Raw HTML: dropped, with one warning naming the lines (the file's lines, body starts at 6).
        assert_eq!(converted.warnings.len(), 2, "{:?}", converted.warnings);
        assert!(
            converted.warnings[1].contains("U+1F642 (🙂)"),
            "{:?}",
            converted.warnings
        );
        assert!(
            converted.warnings[0].contains("HTML blocks dropped (line 33)"),
            "{:?}",
            converted.warnings
        );
        assert!(
            converted.warnings[0].contains("inline HTML shown as literal text (lines 8, 35)"),
            "{:?}",
            converted.warnings
        );
        assert!(converted.warnings[0].contains("audit/evidence/sub/doc.md"));
        assert!(!all.contains("onclick"));
        // The footnote is emitted once and referred to the second time.
        assert_eq!(
            converted.source.matches("<fairfile-ev0-fn1>").count(),
            2,
            "{}",
            converted.source
        );
    }

    #[test]
    fn string_literal_escapes() {
        assert_eq!(string_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string_literal("x\ny\tz\u{7}"), "\"x\\ny\\tz\u{FFFD}\"");
        // A trailing backslash cannot escape the closing quote.
        let lit = string_literal("end\\");
        let strings = check_structure(&format!("#{{ {lit} }}"));
        assert_eq!(strings, vec!["end\\".to_string()]);
    }

    #[test]
    fn headings_are_offset_and_never_skip() {
        let converted = convert_str("### Deep first\n\n# Top\n\n#### Four\n").unwrap();
        let levels: Vec<&str> = converted
            .source
            .match_indices("heading(level: ")
            .map(|(i, _)| &converted.source[i + 15..i + 16])
            .collect();
        assert_eq!(levels, vec!["4", "4", "5"]);
    }

    #[test]
    fn images_resolve_inside_the_audit_folder() {
        assert_eq!(
            resolve_image_path("evidence/sub/doc.md", "img/a.png").unwrap(),
            "evidence/sub/img/a.png"
        );
        assert_eq!(
            resolve_image_path("evidence/sub/doc.md", "../b.PNG").unwrap(),
            "evidence/b.PNG"
        );
        assert_eq!(
            resolve_image_path("evidence/sub/doc.md", "./my%20chart.svg").unwrap(),
            "evidence/sub/my chart.svg"
        );
        assert_eq!(
            resolve_image_path("evidence/doc.md", "../../x.png").unwrap_err(),
            "the path leads outside the audit folder"
        );
        assert!(
            resolve_image_path("evidence/doc.md", "/etc/x.png")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(
            resolve_image_path("evidence/doc.md", "C:\\x.png")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(
            resolve_image_path("evidence/doc.md", "https://x.org/a.png")
                .unwrap_err()
                .contains("URLs")
        );
        assert!(
            resolve_image_path("evidence/doc.md", "a.bmp")
                .unwrap_err()
                .contains(".bmp")
        );
    }

    #[test]
    fn escaping_image_is_an_error_with_file_and_line() {
        let err = convert_str("Intro.\n\n![chart](../../../secret.png)\n")
            .unwrap_err()
            .to_string();
        // Body starts at line 6 of the file; the image is on body line 3.
        assert!(err.starts_with("audit/evidence/sub/doc.md:8:1"), "{err}");
        assert!(err.contains("outside the audit folder"), "{err}");
    }

    #[test]
    fn images_are_served_by_hashed_virtual_path() {
        let converted =
            convert_str("![A chart](img/chart.png)\n\nInline ![](img/chart.png) again.").unwrap();
        assert_eq!(converted.images.len(), 1);
        let image = &converted.images[0];
        assert_eq!(image.audit_path, "evidence/sub/img/chart.png");
        assert!(image.virtual_path.starts_with("/assets/") && image.virtual_path.ends_with(".png"));
        assert_eq!(image.location.line, Some(6));
        check_structure(&converted.source);
        assert!(converted.source.contains("\"A chart\""));
        assert!(
            converted
                .source
                .contains("\"Image evidence/sub/img/chart.png\"")
        );
    }

    /// Deep nesting never recurses without bound: 100,000 levels of quotes, lists, emphasis,
    /// links or footnotes referring to footnotes convert to source that parses, with the content
    /// past [`MAX_DEPTH`] kept as plain text and a warning naming the limit.
    #[test]
    fn deep_nesting_is_flattened_not_a_crash() {
        const N: usize = 100_000;
        let footnotes: String = (0..N / 10)
            .map(|i| format!("[^f{i}]: see[^f{}]\n\n", i + 1))
            .collect();
        let cases = [
            ("quotes", format!("{} deep", ">".repeat(N))),
            ("bullets", format!("{}deep", "- ".repeat(N))),
            ("ordered", format!("{}deep", "1. ".repeat(N))),
            ("mixed", format!("{}deep", "> - 1. ".repeat(N / 3))),
            (
                "emphasis",
                format!("{}deep{}", "*a _b ".repeat(N / 2), " c_ d*".repeat(N / 2)),
            ),
            (
                "strong",
                format!("{}deep{}", "**".repeat(N / 2), "**".repeat(N / 2)),
            ),
            (
                "links",
                format!("{}deep{}", "[".repeat(N), "](https://x.org)".repeat(N)),
            ),
            ("footnotes", format!("start[^f0]\n\n{footnotes}")),
        ];
        for (name, body) in cases {
            let converted = convert_str(&body).unwrap();
            check_structure(&converted.source);
            assert!(
                converted.source.contains("deep") || name == "footnotes",
                "{name}: text lost"
            );
            if matches!(
                name,
                "quotes" | "bullets" | "ordered" | "mixed" | "footnotes"
            ) {
                assert!(
                    converted
                        .warnings
                        .iter()
                        .any(|w| w
                            .contains("nested more than 64 levels deep is shown as plain text")),
                    "{name}: {:?}",
                    converted.warnings
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever the text, the output parses and calls only allow-listed functions.
        #[test]
        fn any_text_is_inert(body in r#"([#$*_@<>\[\]{}`~=\-+/'":\\|!()^.0-9a-z \n]|\PC){0,200}"#) {
            let converted = convert_str(&body);
            if let Ok(converted) = converted {
                check_structure(&converted.source);
            }
        }
    }
}
