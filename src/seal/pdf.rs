//! Reading a file embedded in a PDF (the `manifest.json` that `pdf.attach` puts into each
//! document), with `hayro-syntax`, the PDF reader typst already depends on.
//!
//! Embedded files are found through the document catalog's `/Names /EmbeddedFiles` name tree
//! (ISO 32000-1 §7.11.4) and, for PDF/A-3 associated files, its `/AF` array (ISO 19005-3 §6.8).

use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, Object, Stream};

/// Deepest name tree we follow (guards against reference cycles in a crafted file).
const MAX_NAME_TREE_DEPTH: usize = 32;

/// The bytes of the file embedded under `name` (`/UF` or `/F` of its file specification), or
/// `Ok(None)` when the PDF embeds no such file. `Err` when the bytes are not a readable PDF.
pub fn extract_embedded_file(pdf_bytes: &[u8], name: &str) -> Result<Option<Vec<u8>>, String> {
    let pdf = Pdf::new(pdf_bytes.to_vec()).map_err(|e| match e {
        hayro_syntax::LoadPdfError::Decryption(_) => "the PDF is encrypted".to_string(),
        hayro_syntax::LoadPdfError::Invalid => "not a readable PDF".to_string(),
    })?;
    let xref = pdf.xref();
    let catalog: Dict<'_> = xref
        .get(xref.root_id())
        .ok_or("the PDF has no document catalog")?;

    let mut specs: Vec<Dict<'_>> = Vec::new();
    if let Some(tree) = catalog
        .get::<Dict<'_>>(b"Names")
        .and_then(|names| names.get::<Dict<'_>>(b"EmbeddedFiles"))
    {
        collect_name_tree(&tree, 0, &mut specs);
    }
    if let Some(associated) = catalog.get::<Array<'_>>(b"AF") {
        specs.extend(associated.iter::<Dict<'_>>());
    }
    for spec in specs {
        let spec_name = spec
            .get::<hayro_syntax::object::String<'_>>(b"UF")
            .or_else(|| spec.get(b"F"));
        if spec_name.is_none_or(|n| decode_text_string(n.as_bytes()) != name) {
            continue;
        }
        let Some(streams) = spec.get::<Dict<'_>>(b"EF") else {
            continue;
        };
        let Some(stream) = streams
            .get::<Stream<'_>>(b"UF")
            .or_else(|| streams.get::<Stream<'_>>(b"F"))
        else {
            continue;
        };
        let bytes = stream
            .decoded()
            .map_err(|e| format!("the embedded {name} cannot be decoded ({e:?})"))?;
        return Ok(Some(bytes.into_owned()));
    }
    Ok(None)
}

/// The file specifications of a name tree node and its kids.
fn collect_name_tree<'a>(node: &Dict<'a>, depth: usize, out: &mut Vec<Dict<'a>>) {
    if depth > MAX_NAME_TREE_DEPTH {
        return;
    }
    if let Some(names) = node.get::<Array<'a>>(b"Names") {
        let items: Vec<Object<'a>> = names.iter::<Object<'a>>().collect();
        for pair in items.chunks(2) {
            if let [Object::String(_), Object::Dict(spec)] = pair {
                out.push(spec.clone());
            }
        }
    }
    if let Some(kids) = node.get::<Array<'a>>(b"Kids") {
        for kid in kids.iter::<Dict<'a>>() {
            collect_name_tree(&kid, depth + 1, out);
        }
    }
}

/// A PDF text string (ISO 32000-1 §7.9.2.2): UTF-16BE or UTF-8 with a byte order mark, else
/// PDFDocEncoding (read as Latin-1, which agrees with it on every printable ASCII character).
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A minimal PDF with embedded files, for tests (no compression, correct xref offsets).
#[cfg(test)]
pub(crate) fn test_pdf(files: &[(&str, &[u8])], via_name_tree: bool) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    // 1: catalog, 2: pages, 3: page; then per file a filespec and its stream.
    let first_file = 4;
    let spec_ref = |i: usize| first_file + 2 * i;
    let mut catalog = b"<< /Type /Catalog /Pages 2 0 R".to_vec();
    if via_name_tree {
        catalog.extend_from_slice(b" /Names << /EmbeddedFiles << /Names [");
        for (i, (name, _)) in files.iter().enumerate() {
            // UTF-16BE with BOM, as krilla writes file names.
            let utf16: Vec<u8> = [0xFE, 0xFF]
                .into_iter()
                .chain(name.encode_utf16().flat_map(|u| u.to_be_bytes()))
                .collect();
            let hex: String = utf16.iter().map(|b| format!("{b:02X}")).collect();
            catalog.extend_from_slice(format!(" <{hex}> {} 0 R", spec_ref(i)).as_bytes());
        }
        catalog.extend_from_slice(b" ] >> >>");
    } else {
        catalog.extend_from_slice(b" /AF [");
        for i in 0..files.len() {
            catalog.extend_from_slice(format!(" {} 0 R", spec_ref(i)).as_bytes());
        }
        catalog.extend_from_slice(b" ]");
    }
    catalog.extend_from_slice(b" >>");
    objects.push(catalog);
    objects.push(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
    objects.push(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec());
    for (i, (name, data)) in files.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Filespec /F ({name}) /UF ({name}) /EF << /F {} 0 R >> /AFRelationship /Data >>",
                spec_ref(i) + 1
            )
            .into_bytes(),
        );
        let mut stream =
            format!("<< /Type /EmbeddedFile /Length {} >>\nstream\n", data.len()).into_bytes();
        stream.extend_from_slice(data);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_file_in_the_name_tree() {
        let pdf = test_pdf(
            &[("other.txt", b"x"), ("manifest.json", b"{\"a\": 1}")],
            true,
        );
        assert_eq!(
            extract_embedded_file(&pdf, "manifest.json")
                .unwrap()
                .as_deref(),
            Some(&b"{\"a\": 1}"[..])
        );
        assert_eq!(
            extract_embedded_file(&pdf, "other.txt").unwrap().as_deref(),
            Some(&b"x"[..])
        );
    }

    #[test]
    fn finds_a_file_in_the_associated_files() {
        let pdf = test_pdf(&[("manifest.json", b"[]")], false);
        assert_eq!(
            extract_embedded_file(&pdf, "manifest.json")
                .unwrap()
                .as_deref(),
            Some(&b"[]"[..])
        );
    }

    #[test]
    fn missing_file_is_none_and_garbage_is_an_error() {
        let pdf = test_pdf(&[("notes.txt", b"x")], true);
        assert_eq!(extract_embedded_file(&pdf, "manifest.json").unwrap(), None);
        assert!(extract_embedded_file(b"not a pdf at all", "manifest.json").is_err());
    }

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text_string(b"manifest.json"), "manifest.json");
        assert_eq!(decode_text_string(&[0xFE, 0xFF, 0, b'a', 0, b'b']), "ab");
        assert_eq!(decode_text_string(&[0xEF, 0xBB, 0xBF, b'a']), "a");
    }
}
