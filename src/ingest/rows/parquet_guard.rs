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

    fn peek(&self, start: u64, bytes: u64) -> std::io::Result<Vec<u8>> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        let mut head = Vec::with_capacity(bytes.min(1 << 20) as usize);
        f.take(bytes).read_to_end(&mut head)?;
        Ok(head)
    }

    /// Walk the whole Thrift struct at `start` (a page header), reading more of the file while
    /// the struct goes on: it must be well formed and no larger than [`MAX_PAGE_HEADER_BYTES`].
    fn check_structure(&self, start: u64) -> std::result::Result<(), String> {
        let remaining = self.len - start;
        let mut window = 4096u64.min(remaining);
        loop {
            let head = self
                .peek(start, window)
                .map_err(|e| format!("cannot read the page header at byte {start}: {e}"))?;
            match walk_struct(&head, remaining) {
                Ok(()) => return Ok(()),
                Err(Walk::Bad(why)) => {
                    return Err(format!(
                        "the page header at byte {start} is malformed: {why}"
                    ));
                }
                Err(Walk::Need) if window < remaining.min(MAX_PAGE_HEADER_BYTES) => {
                    window = (window * 2).min(remaining.min(MAX_PAGE_HEADER_BYTES));
                }
                Err(Walk::Need) if remaining > MAX_PAGE_HEADER_BYTES => {
                    return Err(format!(
                        "the page header at byte {start} is larger than {MAX_PAGE_HEADER_BYTES} bytes"
                    ));
                }
                Err(Walk::Need) => {
                    return Err(format!(
                        "the page header at byte {start} runs past the end of the file"
                    ));
                }
            }
        }
    }
}

impl Length for GuardedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

/// The crate's reader, with the end of the file an error. The crate skips a Thrift field it does
/// not know with `io::copy`, which takes the end of the file for a short, successful read: a
/// header declaring a list of two billion doubles past the end then cost a read per element,
/// minutes of work (fuzzing round 5). Every read the crate makes is of bytes that must exist.
pub(super) struct StrictRead(BufReader<File>);

impl Read for StrictRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 if !buf.is_empty() => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file ends inside a page",
            )),
            n => Ok(n),
        }
    }
}

impl ChunkReader for GuardedFile {
    type T = StrictRead;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        // The crate asks for a reader at each page header; the footer (the last 8 bytes) too.
        if start + 8 < self.len {
            // The whole header first: the crate skips unknown fields element by element, so a
            // list declaring billions of elements in a few bytes kept it busy for minutes (fuzz
            // round 5).
            self.check_structure(start).map_err(ParquetError::General)?;
            if let Some(sizes) = page_sizes(&self.peek(start, 32)?) {
                check(sizes, self.stream_codecs).map_err(ParquetError::General)?;
            }
        }
        self.file.get_read(start).map(StrictRead)
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        self.file.get_bytes(start, length)
    }
}

/// A page header larger than this is refused (real ones are tens of bytes; with statistics, a few
/// KiB).
const MAX_PAGE_HEADER_BYTES: u64 = 16 << 20;

/// Thrift nesting allowed in a page header (the format's own is 3 or 4 levels).
const MAX_THRIFT_DEPTH: usize = 32;

/// Why a walk stopped: more bytes are needed, or the bytes cannot be a Thrift struct.
#[derive(Debug, PartialEq)]
pub(super) enum Walk {
    Need,
    Bad(String),
}

/// Check that `bytes` begins with a complete Thrift compact-protocol struct, in time and memory
/// proportional to its size: every declared length and element count is held to the bytes left
/// in the file (`file_remaining`, counted from the start of `bytes`), each element taking at least
/// one byte.
pub(super) fn walk_struct(bytes: &[u8], file_remaining: u64) -> std::result::Result<(), Walk> {
    let mut cursor = Cursor {
        bytes,
        at: 0,
        file_remaining,
    };
    cursor.skip_struct(0)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    file_remaining: u64,
}

impl Cursor<'_> {
    fn byte(&mut self) -> std::result::Result<u8, Walk> {
        let b = *self.bytes.get(self.at).ok_or(Walk::Need)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> std::result::Result<u64, Walk> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(Walk::Bad("a varint longer than 64 bits".into()));
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Walk::Bad("a varint longer than 10 bytes".into()))
    }

    /// Skip `n` bytes, which must exist in the file.
    fn skip(&mut self, n: u64, what: &str) -> std::result::Result<(), Walk> {
        self.fits(n, what)?;
        let end = self.at as u64 + n;
        if end > self.bytes.len() as u64 {
            return Err(Walk::Need);
        }
        self.at = end as usize;
        Ok(())
    }

    /// `n` more bytes (or elements of at least a byte each) can be in what is left of the file.
    fn fits(&self, n: u64, what: &str) -> std::result::Result<(), Walk> {
        let left = self.file_remaining.saturating_sub(self.at as u64);
        if n > left {
            return Err(Walk::Bad(format!(
                "{what} declares {n}, but only {left} bytes are left in the file"
            )));
        }
        Ok(())
    }

    fn skip_struct(&mut self, depth: usize) -> std::result::Result<(), Walk> {
        if depth > MAX_THRIFT_DEPTH {
            return Err(Walk::Bad(format!(
                "nested more than {MAX_THRIFT_DEPTH} levels"
            )));
        }
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            if header >> 4 == 0 {
                self.varint()?; // a long-form field id
            }
            match header & 0x0f {
                1 | 2 => {} // a boolean field carries its value in the type
                kind => self.skip_value(kind, depth)?,
            }
        }
    }

    fn skip_value(&mut self, kind: u8, depth: usize) -> std::result::Result<(), Walk> {
        match kind {
            1..=3 => self.skip(1, "a byte"),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8, "a double"),
            8 => {
                let n = self.varint()?;
                self.skip(n, "a binary field")
            }
            9 | 10 => {
                let header = self.byte()?;
                let n = match header >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                self.fits(n, "a list")?;
                for _ in 0..n {
                    self.skip_value(header & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                self.fits(n.saturating_mul(2), "a map")?;
                let types = self.byte()?;
                for _ in 0..n {
                    self.skip_value(types >> 4, depth + 1)?;
                    self.skip_value(types & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            12 => self.skip_struct(depth + 1),
            13 => self.skip(16, "a UUID"),
            other => Err(Walk::Bad(format!("unknown Thrift type {other}"))),
        }
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
    fn page_headers_are_walked_in_bounded_time() {
        let header = [field(1, 0), field(1, 100), field(1, 50), vec![0x00]].concat();
        assert_eq!(walk_struct(&header, 1_000), Ok(()));
        assert_eq!(walk_struct(&header[..4], 1_000), Err(Walk::Need));
        // A list field (type 9) of 2^31 i32 elements in a few bytes: refused at once.
        let bomb = [field(1, 0), vec![0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x08]].concat();
        match walk_struct(&bomb, 900) {
            Err(Walk::Bad(why)) => assert!(why.contains("a list declares 2147483648"), "{why}"),
            other => panic!("{other:?}"),
        }
        // A binary longer than the file, a struct nested too deep.
        assert!(matches!(
            walk_struct(&[0x18, 0xff, 0x01], 50),
            Err(Walk::Bad(_))
        ));
        assert!(matches!(walk_struct(&[0x1c; 64], 1_000), Err(Walk::Bad(_))));
        // Booleans in field headers and lists, a map, a long-form field id.
        let mixed = [
            0x11, 0x12, 0x19, 0x31, 0x01, 0x02, 0x01, 0x1b, 0x01, 0x55, 0x02, 0x04, 0x05, 0x08,
            0x00, 0x00,
        ];
        assert_eq!(walk_struct(&mixed, 100), Ok(()));
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
