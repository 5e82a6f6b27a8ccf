//! Page sizes checked before the `parquet` crate allocates for them.
//!
//! The crate reads a page header and then sizes the page's decompression buffer from the header's
//! `uncompressed_page_size` (Snappy zero-fills it at once), so a page of a few KiB declaring
//! 1.5 GB made fairfile allocate 1.5 GB (fuzzing round 3, fuzz/README.md). [`GuardedFile`] is the
//! file the crate reads through: each time the crate asks for a reader at a page header, the header's
//! two size fields are read first (Thrift compact protocol, fields 2 and 3 of `PageHeader`) and
//! held to [`MAX_PARQUET_PAGE_BYTES`], [`MAX_PARQUET_EXPANSION`] and, for the gzip and LZ4-frame
//! codecs whose decoders read to the end of the stream whatever the header says,
//! [`MAX_PARQUET_STREAM_PAGE_BYTES`] of compressed data. The error names the limit.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::reader::{ChunkReader, Length};

use crate::limits::{
    MAX_PARQUET_EXPANSION, MAX_PARQUET_PAGE_BYTES, MAX_PARQUET_STREAM_PAGE_BYTES,
    PARQUET_EXPANSION_FLOOR,
};

/// A Parquet file whose page headers are checked before the crate reads the pages.
pub(super) struct GuardedFile {
    file: File,
    len: u64,
    /// Set once the footer shows a gzip or LZ4 column: compressed pages are then bounded too.
    pub(super) stream_codecs: bool,
}

impl GuardedFile {
    pub(super) fn new(file: File) -> std::io::Result<GuardedFile> {
        let len = file.metadata()?.len();
        Ok(GuardedFile {
            file,
            len,
            stream_codecs: false,
        })
    }

    /// A second handle on the file, for reading the footer before the guarded reader exists.
    pub(super) fn try_clone_file(&self) -> std::io::Result<File> {
        self.file.try_clone()
    }

    fn peek(&self, start: u64) -> std::io::Result<Vec<u8>> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        let mut head = Vec::with_capacity(32);
        f.take(32).read_to_end(&mut head)?;
        Ok(head)
    }
}

impl Length for GuardedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for GuardedFile {
    type T = BufReader<File>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        // The crate asks for a reader at each page header; the footer (the last 8 bytes) too.
        if start + 8 < self.len
            && let Some(sizes) = page_sizes(&self.peek(start)?)
        {
            check(sizes, self.stream_codecs).map_err(ParquetError::General)?;
        }
        self.file.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        self.file.get_bytes(start, length)
    }
}

/// (uncompressed, compressed) sizes declared by a page header at the start of `head`, when it
/// begins as page headers do: three i32 fields, ids 1 (type), 2 and 3.
pub(super) fn page_sizes(head: &[u8]) -> Option<(i64, i64)> {
    let mut at = 0;
    let mut id = 0i16;
    let mut sizes = (None, None);
    while sizes.0.is_none() || sizes.1.is_none() {
        let byte = *head.get(at)?;
        at += 1;
        let (delta, kind) = (byte >> 4, byte & 0x0f);
        if delta == 0 || kind != 5 {
            return None; // a long-form field id or another type: not the usual header layout
        }
        id += i16::from(delta);
        let mut value: u64 = 0;
        let mut shift = 0;
        loop {
            let b = *head.get(at)?;
            at += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 35 {
                return None;
            }
        }
        let v = ((value >> 1) as i64) ^ -((value & 1) as i64);
        match id {
            2 => sizes.0 = Some(v),
            3 => sizes.1 = Some(v),
            1 => {}
            _ => return None,
        }
    }
    Some((sizes.0?, sizes.1?))
}

/// The limits, with the error that names the one exceeded.
pub(super) fn check(
    (uncompressed, compressed): (i64, i64),
    stream_codecs: bool,
) -> Result<(), String> {
    let (u, c) = (uncompressed.max(0) as u64, compressed.max(0) as u64);
    if u > MAX_PARQUET_PAGE_BYTES || c > MAX_PARQUET_PAGE_BYTES {
        return Err(format!(
            "a page declares {u} bytes uncompressed ({c} compressed), over fairfile's limit of \
             {MAX_PARQUET_PAGE_BYTES} bytes per page (MAX_PARQUET_PAGE_BYTES, see SECURITY.md); \
             rewrite the file with the default page size"
        ));
    }
    if u > PARQUET_EXPANSION_FLOOR && u > c.saturating_mul(MAX_PARQUET_EXPANSION) {
        return Err(format!(
            "a page of {c} compressed bytes declares {u} bytes uncompressed, more than \
             {MAX_PARQUET_EXPANSION} times larger (MAX_PARQUET_EXPANSION, see SECURITY.md): \
             this is not how real data compresses"
        ));
    }
    if stream_codecs && c > MAX_PARQUET_STREAM_PAGE_BYTES {
        return Err(format!(
            "a gzip or LZ4 page of {c} compressed bytes is over fairfile's limit of \
             {MAX_PARQUET_STREAM_PAGE_BYTES} bytes for these codecs (MAX_PARQUET_STREAM_PAGE_BYTES, \
             see SECURITY.md: their decoders do not stop at the declared size); rewrite the file \
             with Snappy or Zstandard, or with smaller pages"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact-protocol i32 field header and zigzag varint.
    fn field(delta: u8, v: i32) -> Vec<u8> {
        let mut out = vec![(delta << 4) | 5];
        let mut z = ((v << 1) ^ (v >> 31)) as u32;
        loop {
            let b = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out
    }

    #[test]
    fn the_two_sizes_are_read_from_a_page_header() {
        let header = [
            field(1, 0),
            field(1, 1_500_000_000),
            field(1, 4_096),
            vec![0x2c],
        ]
        .concat();
        assert_eq!(page_sizes(&header), Some((1_500_000_000, 4_096)));
        // Not a page header: nothing to check.
        assert_eq!(page_sizes(b"PAR1"), None);
        assert_eq!(page_sizes(&[0x18, 0x01]), None);
    }

    #[test]
    fn limits_name_themselves() {
        let err = check((1_500_000_000, 4_096), false).unwrap_err();
        assert!(err.contains("MAX_PARQUET_PAGE_BYTES"), "{err}");
        let err = check((100 << 20, 4_096), false).unwrap_err();
        assert!(err.contains("MAX_PARQUET_EXPANSION"), "{err}");
        assert!(
            check((1 << 20, 100), false).is_ok(),
            "a small page may compress well"
        );
        assert!(check((100 << 20, 1 << 20), false).is_ok());
        let err = check((4 << 20, 2 << 20), true).unwrap_err();
        assert!(err.contains("MAX_PARQUET_STREAM_PAGE_BYTES"), "{err}");
        assert!(check((4 << 20, 2 << 20), false).is_ok());
    }
}
