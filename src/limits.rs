//! Bounds on every untrusted input (SECURITY.md, "Bounded memory and time").
//!
//! An audit folder comes from the organisation being audited: fairfile must end every run on it
//! with a result or a clear error, never exhaust memory, never run without end. Each limit is
//! generous for real documents (the example's largest evidence document is 9 KB, its data file
//! 4 MB) and named in the error that reports it, so a user who meets one knows which it is.
//! Streamed inputs (the applicant data, attachments) are read in bounded buffers, whatever their
//! size; their limits are on one record.

use std::path::Path;

use crate::diag::{Error, InputError, Location, Result};

/// Distinct strata (combinations of the `[data.columns] stratum` values): each keeps one count per
/// sex × race cell, per reader thread.
pub const MAX_STRATA: usize = 5_000;

/// Columns in `[data.columns] stratum`.
pub const MAX_STRATUM_COLUMNS: usize = 4;

/// Distinct scores kept, per sex × race cell, for the cut-off table (beyond it the table is not
/// computed and says why).
pub const MAX_SCORE_BUCKETS: usize = 4_096;

/// `fairfile.toml`.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// One framework file (the shipped EU AI Act file is 150 KB).
pub const MAX_FRAMEWORK_BYTES: u64 = 8 << 20;
/// One Markdown evidence document.
pub const MAX_EVIDENCE_BYTES: u64 = 8 << 20;
/// Files under `evidence/` (documents and attachments).
pub const MAX_EVIDENCE_FILES: usize = 20_000;
/// One template override under `templates/`.
pub const MAX_TEMPLATE_BYTES: u64 = 4 << 20;
/// One image embedded by evidence.
pub const MAX_IMAGE_BYTES: u64 = 50 << 20;
/// Pixels of one raster image (width × height, as its header declares): a 1 KB PNG may declare
/// 100,000 × 100,000 pixels and decode to 40 GB. 100 megapixels is four times a 4K×6K scan.
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;
/// Columns of the applicant data's header.
pub const MAX_COLUMNS: usize = 10_000;
/// Largest Parquet page, as its header declares it (compressed or not): the `parquet` crate sizes
/// its decompression buffer from the header, so the header is read and checked first. Writers
/// default to pages of about 1 MiB.
pub const MAX_PARQUET_PAGE_BYTES: u64 = 256 << 20;
/// Largest ratio of a Parquet page's declared uncompressed size to its compressed size, for pages
/// over [`PARQUET_EXPANSION_FLOOR`]: a page of 64 KiB declaring 1.5 GB is a decompression bomb
/// (found by fuzzing), not data.
pub const MAX_PARQUET_EXPANSION: u64 = 1_000;
/// Pages up to this declared size are not held to [`MAX_PARQUET_EXPANSION`] (a page of one
/// repeated value compresses very well, and a few MiB are harmless).
pub const PARQUET_EXPANSION_FLOOR: u64 = 16 << 20;
/// Largest compressed page for gzip and LZ4-frame pages, whose decoders do not stop at the declared
/// size: at deflate's maximum ratio (1,032:1) a page of this size inflates to at most 1 GiB.
pub const MAX_PARQUET_STREAM_PAGE_BYTES: u64 = 1 << 20;
/// Largest `sharedStrings.xml` of an `.xlsx` workbook, decompressed: calamine holds every shared
/// string in memory.
pub const MAX_XLSX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
/// Largest part of an `.xlsx` workbook (a worksheet, streamed), decompressed, as declared.
pub const MAX_XLSX_PART_BYTES: u64 = 1 << 30;
/// Largest part other than a worksheet or the shared strings (workbook, styles, relationships),
/// decompressed: calamine reads these whole.
pub const MAX_XLSX_SMALL_PART_BYTES: u64 = 16 << 20;
/// Largest ratio of a part's declared decompressed size to its compressed size, for parts over
/// [`XLSX_EXPANSION_FLOOR`] (real worksheets compress about 5–20 times).
pub const MAX_XLSX_EXPANSION: u64 = 200;
/// Parts up to this size are not held to [`MAX_XLSX_EXPANSION`].
pub const XLSX_EXPANSION_FLOOR: u64 = 16 << 20;

/// Refuse a file larger than `limit` bytes before reading it.
pub fn check_size(path: &Path, limit: u64, what: &str, name: &str) -> Result<()> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > limit {
        return Err(too_large(path, size, limit, what, name).into());
    }
    Ok(())
}

/// The error for a file over its size limit.
pub fn too_large(path: &Path, size: u64, limit: u64, what: &str, name: &str) -> InputError {
    InputError::new(
        Location::file(path),
        format!(
            "{what} is {size} bytes, over fairfile's limit of {limit} bytes ({name}, see SECURITY.md)"
        ),
    )
    .with_help("an input this large is almost certainly not what was meant; split or shrink it")
}

/// Refuse a raster image whose header declares more than [`MAX_IMAGE_PIXELS`]. Formats whose
/// size cannot be read from the header (SVG: vector) pass; the decoder then reports errors.
pub fn check_image_pixels(bytes: &[u8]) -> std::result::Result<(), String> {
    match imagesize::blob_size(bytes) {
        Ok(size) => {
            let pixels = (size.width as u64).saturating_mul(size.height as u64);
            if pixels > MAX_IMAGE_PIXELS {
                Err(format!(
                    "image declares {} × {} = {pixels} pixels, over fairfile's limit of \
                     {MAX_IMAGE_PIXELS} (MAX_IMAGE_PIXELS, see SECURITY.md)",
                    size.width, size.height
                ))
            } else {
                Ok(())
            }
        }
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header declaring `w` × `h` pixels (no image data: only the header is read).
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(w.to_be_bytes());
        png.extend(h.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        png
    }

    #[test]
    fn image_pixel_limit_reads_the_header_only() {
        assert!(check_image_pixels(&png_header(4000, 3000)).is_ok());
        let err = check_image_pixels(&png_header(100_000, 100_000)).unwrap_err();
        assert!(err.contains("100000 × 100000"), "{err}");
        assert!(err.contains("MAX_IMAGE_PIXELS"), "{err}");
        assert!(check_image_pixels(b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_ok());
    }

    #[test]
    fn size_limit_names_file_size_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        std::fs::write(&path, vec![b'x'; 101]).unwrap();
        assert!(check_size(&path, 101, "evidence document", "MAX_EVIDENCE_BYTES").is_ok());
        let err = check_size(&path, 100, "evidence document", "MAX_EVIDENCE_BYTES")
            .unwrap_err()
            .to_string();
        assert!(err.contains("big.md"), "{err}");
        assert!(
            err.contains("101 bytes, over fairfile's limit of 100 bytes (MAX_EVIDENCE_BYTES"),
            "{err}"
        );
    }
}
