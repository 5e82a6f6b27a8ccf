//! An `.xlsx` workbook's zip container checked before calamine opens it: a zip bomb is refused
//! by name and limit instead of filling the memory.
//!
//! calamine reads the shared strings and the small parts (workbook, styles, relationships) whole,
//! and streams the worksheets. So every part's declared decompressed size is held to its limit
//! ([`MAX_XLSX_SHARED_STRINGS_BYTES`], [`MAX_XLSX_SMALL_PART_BYTES`], and [`MAX_XLSX_PART_BYTES`]
//! for a worksheet) and, above [`XLSX_EXPANSION_FLOOR`], to [`MAX_XLSX_EXPANSION`] times its
//! compressed size. An entry that declares a small size and inflates to more is stopped by the
//! `zip` crate itself one byte past the declared size (an error, not a bomb), which the test below
//! pins, so the declared sizes are what bounds the memory.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::diag::{InputError, Location, Result};
use crate::limits::{
    MAX_XLSX_EXPANSION, MAX_XLSX_PART_BYTES, MAX_XLSX_SHARED_STRINGS_BYTES,
    MAX_XLSX_SMALL_PART_BYTES, XLSX_EXPANSION_FLOOR,
};

/// Refuse `path` if any part of the workbook is over a limit (the error names the part and the
/// limit). A file that is not a readable zip is left to calamine, which says so.
pub fn check(path: &Path) -> Result<()> {
    let file = File::open(path).map_err(|e| crate::diag::Error::io(path, e))?;
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let refuse = |part: &str, message: String| -> crate::diag::Error {
        InputError::new(
            Location::file(path).with_field(part.to_string()),
            message,
        )
        .with_help(
            "this workbook is not what Excel writes (a zip bomb?); export the data again, as .xlsx or CSV",
        )
        .into()
    };
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        let Ok(name) = entry.name().map(|n| n.to_string()) else {
            continue;
        };
        let (size, compressed) = (entry.size(), entry.compressed_size());
        drop(entry);
        let limit = if name.ends_with("sharedStrings.xml") {
            Some((
                MAX_XLSX_SHARED_STRINGS_BYTES,
                "MAX_XLSX_SHARED_STRINGS_BYTES",
            ))
        } else if name.starts_with("xl/worksheets/") {
            None
        } else {
            Some((MAX_XLSX_SMALL_PART_BYTES, "MAX_XLSX_SMALL_PART_BYTES"))
        };
        let (limit, limit_name) = limit.unwrap_or((MAX_XLSX_PART_BYTES, "MAX_XLSX_PART_BYTES"));
        if size > limit {
            return Err(refuse(
                &name,
                format!(
                    "part {name} declares {size} bytes decompressed, over fairfile's limit of {limit} bytes ({limit_name}, see SECURITY.md)"
                ),
            ));
        }
        if size > XLSX_EXPANSION_FLOOR && size > compressed.saturating_mul(MAX_XLSX_EXPANSION) {
            return Err(refuse(
                &name,
                format!(
                    "part {name} declares {size} bytes decompressed from {compressed} bytes, more than {MAX_XLSX_EXPANSION} times larger (MAX_XLSX_EXPANSION, see SECURITY.md)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    /// The bound above relies on this: `zip` stops reading an entry one byte past its declared
    /// size with an error, whatever the compressed stream holds.
    #[test]
    fn zip_stops_an_entry_at_its_declared_size() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        zip.write_all(&vec![b' '; 1 << 20]).unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        // The central directory (the last PK\x01\x02 header) declares 1,024 bytes instead.
        let central = bytes
            .windows(4)
            .rposition(|w| w == [0x50, 0x4b, 0x01, 0x02])
            .unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&1024u32.to_le_bytes());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.size(), 1024);
        let mut out = Vec::new();
        let result = entry.take(1 << 20).read_to_end(&mut out);
        assert!(result.is_err(), "read {} bytes without an error", out.len());
        assert!(out.len() <= 64 * 1024 + 1025, "{} bytes read", out.len());
    }
}
