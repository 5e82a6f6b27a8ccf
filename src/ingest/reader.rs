//! A streaming CSV record reader over one byte range of a file, with a bounded buffer.
//!
//! Unquoted records (the common case in machine exports) are split in place, without copying;
//! any record holding a quote or a lone carriage return goes through `csv_core`, so quoting,
//! doubled quotes, newlines inside quotes and CR/LF/CRLF terminators follow RFC 4180 exactly as the
//! `csv` crate reads them. Blank lines are skipped (as `csv_core` does).
//!
//! Memory is one buffer (1 MiB, grown only for a single record longer than that, up to
//! [`MAX_RECORD_BYTES`]), so reading does not grow with the file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use csv_core::ReadRecordResult;

use crate::events::{Events, Progress};

/// Read buffer size per reader.
pub(crate) const BUFFER_BYTES: usize = 1 << 20;

/// A record longer than this is an error (almost always an unclosed quote swallowing the file).
pub(crate) const MAX_RECORD_BYTES: usize = 64 << 20;

#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    /// A record longer than [`MAX_RECORD_BYTES`], starting at this byte offset.
    TooLong(u64),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Tests: files read with a tiny buffer (by path), so that whole-pipeline tests on small files
/// cross refill and growth points (see `ingest::differential`).
#[cfg(test)]
pub(crate) static TEST_BUFFERS: std::sync::Mutex<Vec<(std::path::PathBuf, usize)>> =
    std::sync::Mutex::new(Vec::new());

#[cfg(test)]
fn test_buffer(path: &Path) -> Option<usize> {
    let buffers = TEST_BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
    buffers.iter().find(|(p, _)| p == path).map(|&(_, b)| b)
}

/// Bytes that end the unquoted fast path's scan: delimiter, terminators, quote.
const SPECIAL: [u8; 4] = [b',', b'\n', b'\r', b'"'];

/// Every byte in [`SPECIAL`] is below this one (`,` is 0x2c, the largest).
const CANDIDATE_BELOW: u8 = b',' + 1;

// The candidate test must never miss a special byte.
const _: () = {
    let mut i = 0;
    while i < SPECIAL.len() {
        assert!(SPECIAL[i] < CANDIDATE_BELOW);
        i += 1;
    }
};

/// Marks (with the high bit of each byte) the bytes of `word` below [`CANDIDATE_BELOW`] other
/// than spaces: a superset of the special bytes, at about ten operations per word (testing for
/// the four bytes exactly costs about 25). Text has few other bytes in that range once spaces
/// are left out (a space in a value would otherwise cost a mispredicted branch), and each
/// candidate is checked exactly.
#[inline(always)]
fn candidate_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Adding 0x80 - limit to the low 7 bits sets a byte's high bit iff it is >= limit, without
    // carrying into the next byte; bytes >= 0x80 (UTF-8) are excluded by `| word`.
    let at_least = (word & LOW7).wrapping_add(ONES * u64::from(0x80 - CANDIDATE_BELOW));
    // Spaces are the bytes that are zero after `^ 0x20`; adding 0x7f to the low 7 bits sets the
    // high bit of every other byte.
    let spaced = word ^ (ONES * u64::from(b' '));
    let not_space = (spaced & LOW7).wrapping_add(LOW7) | spaced;
    !(at_least | word) & not_space & HIGH
}

pub(crate) struct RecordReader<'p> {
    file: File,
    buf: Vec<u8>,
    /// Start of unconsumed bytes in `buf`.
    lo: usize,
    /// End of valid bytes in `buf`.
    hi: usize,
    /// File offset of `buf[0]`.
    buf_offset: u64,
    eof: bool,
    csv: csv_core::Reader,
    /// Unescaped fields of a quoted record.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Field byte ranges of the current record, into `buf` (fast path) or `out` (quoted).
    /// (Grown by the quoted path for records with more fields; the fast path leaves a record
    /// with more fields than it has room for to the quoted path.)
    bounds: Vec<(usize, usize)>,
    /// Number of fields of the current record in `bounds`.
    fields: usize,
    /// Delimiter candidates of the block the last record ended in, for the next record.
    block: Block,
    progress: Option<&'p dyn Events>,
    /// Bytes this reader may still report as progress (its own range).
    progress_budget: u64,
}

/// One record: its fields and the file offset where it starts.
pub(crate) struct Record<'a> {
    data: &'a [u8],
    bounds: &'a [(usize, usize)],
    pub start: u64,
}

impl<'a> Record<'a> {
    /// A record built from fields read elsewhere (Parquet, Excel: see `tabular`), where `start`
    /// is the row's position in that source.
    pub fn new(data: &'a [u8], bounds: &'a [(usize, usize)], start: u64) -> Record<'a> {
        Record {
            data,
            bounds,
            start,
        }
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        let (a, b) = self.bounds[i];
        &self.data[a..b]
    }

    /// The buffer holding the fields, and field `i`'s byte range in it: lookups may load whole
    /// words past the field's end (see [`super::values::ValueTable::lookup`]).
    #[inline]
    pub fn buffer(&self) -> &[u8] {
        self.data
    }

    #[inline]
    pub fn span(&self, i: usize) -> (usize, usize) {
        self.bounds[i]
    }
}

impl<'p> RecordReader<'p> {
    /// A reader positioned at `offset`; `progress_bytes` is how much of the reported progress
    /// this reader's range accounts for.
    pub fn open(
        path: &Path,
        offset: u64,
        progress: Option<&'p dyn Events>,
        progress_bytes: u64,
    ) -> std::io::Result<Self> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        let reader = RecordReader {
            file,
            buf: vec![0; BUFFER_BYTES],
            lo: 0,
            hi: 0,
            buf_offset: offset,
            eof: false,
            csv: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            bounds: vec![(0, 0); 64],
            fields: 0,
            block: Block::NONE,
            progress,
            progress_budget: progress_bytes,
        };
        #[cfg(test)]
        let reader = match test_buffer(path) {
            Some(bytes) => reader.with_buffers(bytes),
            None => reader,
        };
        Ok(reader)
    }

    /// Tiny buffers in tests, to make every refill and growth path run.
    #[cfg(test)]
    fn with_buffers(mut self, bytes: usize) -> Self {
        self.buf = vec![0; bytes];
        // Room for one field only with the tiniest buffers: records with more fields then take
        // the `csv_core` path, the others test the fast path with small buffers.
        if bytes < 16 {
            self.bounds = vec![(0, 0); 1];
        }
        self.out = vec![0; 1];
        self.ends = vec![0; 1];
        self
    }

    /// File offset of the next unconsumed byte.
    pub fn pos(&self) -> u64 {
        self.buf_offset + self.lo as u64
    }

    /// Skip a UTF-8 byte-order mark at the current position (call at offset 0).
    pub fn skip_bom(&mut self) -> Result<(), ReadError> {
        while self.hi - self.lo < 3 && !self.eof {
            self.fill()?;
        }
        if self.buf[self.lo..self.hi].starts_with(b"\xef\xbb\xbf") {
            self.lo += 3;
        }
        Ok(())
    }

    /// Skip line terminators (blank lines); false at end of file.
    #[inline(always)]
    pub fn skip_terminators(&mut self) -> Result<bool, ReadError> {
        // The common case, inline: a record starts right here.
        if self.lo < self.hi && !matches!(self.buf[self.lo], b'\n' | b'\r') {
            return Ok(true);
        }
        self.skip_terminators_slow()
    }

    #[inline(never)]
    fn skip_terminators_slow(&mut self) -> Result<bool, ReadError> {
        loop {
            while self.lo < self.hi && matches!(self.buf[self.lo], b'\n' | b'\r') {
                self.lo += 1;
            }
            if self.lo < self.hi {
                return Ok(true);
            }
            if self.eof {
                return Ok(false);
            }
            self.fill()?;
        }
    }

    /// The next record starting before `limit`, or `None` at the limit or end of file. Records
    /// belong to the range their first byte is in; the last one may extend past `limit`.
    ///
    /// Inlined into the caller's loop: a [`Record`] returned through memory costs a
    /// store-forwarding stall per row.
    #[inline(always)]
    pub fn next_record(&mut self, limit: u64) -> Result<Option<Record<'_>>, ReadError> {
        if !self.skip_terminators()? {
            return Ok(None);
        }
        let start = self.pos();
        if start >= limit {
            return Ok(None);
        }
        let fast = self.fast_record().map_err(|e| with_start(e, start))?;
        if fast {
            Ok(Some(Record {
                data: &self.buf,
                bounds: &self.bounds[..self.fields],
                start,
            }))
        } else {
            self.quoted_record(start)
                .map_err(|e| with_start(e, start))?;
            Ok(Some(Record {
                data: &self.out,
                bounds: &self.bounds[..self.fields],
                start,
            }))
        }
    }

    /// Split an unquoted record in place. Returns false (consuming nothing) when the record needs
    /// the full parser: a quote, or a lone carriage return (a terminator to `csv_core`).
    #[inline(always)]
    fn fast_record(&mut self) -> Result<bool, ReadError> {
        loop {
            let scanned = scan_unquoted(
                &self.buf[..self.hi],
                self.lo,
                self.eof,
                &mut self.bounds,
                &mut self.block,
            );
            match scanned {
                Scan::Record { next, fields } => {
                    self.lo = next;
                    self.fields = fields;
                    return Ok(true);
                }
                Scan::NeedsParser => return Ok(false),
                Scan::NeedsBytes => self.fill()?,
            }
        }
    }

    /// Parse one record with `csv_core` (quotes, escapes, CR terminators).
    #[inline(never)]
    fn quoted_record(&mut self, start: u64) -> Result<(), ReadError> {
        let (mut nout, mut nend) = (0, 0);
        loop {
            let (res, nin, o, e) = self.csv.read_record(
                &self.buf[self.lo..self.hi],
                &mut self.out[nout..],
                &mut self.ends[nend..],
            );
            self.lo += nin;
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::InputEmpty => {
                    if self.pos() - start > MAX_RECORD_BYTES as u64 {
                        return Err(ReadError::TooLong(start));
                    }
                    if !self.eof {
                        self.fill()?;
                    }
                }
                ReadRecordResult::OutputFull => {
                    if self.out.len() >= MAX_RECORD_BYTES {
                        return Err(ReadError::TooLong(start));
                    }
                    self.out.resize(self.out.len() * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        if self.bounds.len() < nend {
            self.bounds.resize(nend, (0, 0));
        }
        let mut prev = 0;
        for (bound, &end) in self.bounds.iter_mut().zip(&self.ends[..nend]) {
            *bound = (prev, end);
            prev = end;
        }
        self.fields = nend;
        Ok(())
    }

    /// Move unconsumed bytes to the front and read more; grow the buffer only when one record
    /// fills it.
    #[inline(never)]
    fn fill(&mut self) -> Result<(), ReadError> {
        // Bytes move: block positions no longer hold.
        self.block = Block::NONE;
        if self.lo > 0 {
            self.buf.copy_within(self.lo..self.hi, 0);
            self.buf_offset += self.lo as u64;
            self.hi -= self.lo;
            self.lo = 0;
        }
        if self.hi == self.buf.len() {
            if self.buf.len() >= MAX_RECORD_BYTES {
                return Err(ReadError::TooLong(self.buf_offset));
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.file.read(&mut self.buf[self.hi..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.hi += n;
                    if let Some(events) = self.progress {
                        let shown = (n as u64).min(self.progress_budget);
                        self.progress_budget -= shown;
                        events.progress(Progress::Advanced(shown));
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }
}

/// What [`scan_unquoted`] found.
enum Scan {
    /// A record of `fields` fields; the next one starts at `next`.
    Record { next: usize, fields: usize },
    /// A quote, a lone carriage return, or more fields than `bounds` has room for: the record
    /// needs `csv_core`.
    NeedsParser,
    /// The buffer ends inside the record (and the file does not).
    NeedsBytes,
}

/// The delimiter candidates of up to 64 bytes of the buffer, one bit per byte: bit `i` is set
/// when `buf[base + i]` is a candidate ([`is_candidate`]) not yet handled.
#[derive(Debug, Clone, Copy)]
struct Block {
    base: usize,
    mask: u64,
}

impl Block {
    const NONE: Block = Block {
        base: usize::MAX,
        mask: 0,
    };

    /// The candidates of `buf[base..]` (64 bytes at most).
    #[inline(always)]
    fn at(buf: &[u8], base: usize) -> Block {
        let mask = match buf.get(base..).and_then(<[u8]>::first_chunk::<64>) {
            Some(block) => {
                let (words, _) = block.as_chunks::<8>();
                let mut mask = 0;
                for (k, word) in words.iter().enumerate() {
                    // One bit per byte, from the high bit of each byte (as SSE2's movemask).
                    let marks = candidate_bytes(u64::from_le_bytes(*word)) >> 7;
                    mask |= (marks.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
                }
                mask
            }
            None => buf[base..]
                .iter()
                .enumerate()
                .filter(|(_, b)| is_candidate(**b))
                .fold(0, |mask, (i, _)| mask | 1 << i),
        };
        Block { base, mask }
    }
}

/// The scalar form of [`candidate_bytes`].
#[inline]
fn is_candidate(byte: u8) -> bool {
    byte < CANDIDATE_BELOW && byte != b' '
}

/// Split the record starting at `buf[start]` at its delimiters into `bounds`, if it holds no
/// quote and no lone carriage return.
///
/// The scan marks the candidate bytes of 64 bytes at a time ([`Block`]) and visits only those,
/// in order. The block where a record ends is kept in `block` for the next record: a record is
/// shorter than a block, and restarting per record (or per 8-byte word) costs a mispredicted
/// loop exit each time. Fields go into a slice, not a `Vec`: no capacity checks or length
/// stores per field.
#[inline(always)]
fn scan_unquoted(
    buf: &[u8],
    start: usize,
    eof: bool,
    bounds: &mut [(usize, usize)],
    block: &mut Block,
) -> Scan {
    let mut field_start = start;
    let mut fields = 0;
    let Block { mut base, mut mask } = match start.checked_sub(block.base) {
        Some(offset) if offset < 64 => Block {
            base: block.base,
            mask: block.mask & (u64::MAX << offset),
        },
        _ => Block::at(buf, start),
    };
    // Ends the current field at `$end`.
    macro_rules! end_field {
        ($end:expr) => {
            match bounds.get_mut(fields) {
                Some(slot) => {
                    *slot = (field_start, $end);
                    fields += 1;
                }
                None => return Scan::NeedsParser,
            }
        };
    }
    // Ends the record: the next one starts at `$next`.
    macro_rules! end_record {
        ($next:expr) => {{
            *block = Block { base, mask };
            Scan::Record {
                next: $next,
                fields,
            }
        }};
    }
    loop {
        while mask != 0 {
            let at = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            match buf[at] {
                b',' => {
                    end_field!(at);
                    field_start = at + 1;
                }
                b'\n' => {
                    end_field!(at);
                    return end_record!(at + 1);
                }
                b'\r' => {
                    return match buf.get(at + 1) {
                        Some(b'\n') => {
                            end_field!(at);
                            end_record!(at + 2)
                        }
                        Some(_) => Scan::NeedsParser,
                        None if eof => {
                            end_field!(at);
                            end_record!(at + 1)
                        }
                        None => Scan::NeedsBytes,
                    };
                }
                b'"' => return Scan::NeedsParser,
                _ => {} // a candidate that is not special
            }
        }
        base += 64;
        if base >= buf.len() {
            break;
        }
        mask = Block::at(buf, base).mask;
    }
    if eof {
        end_field!(buf.len());
        Scan::Record {
            next: buf.len(),
            fields,
        }
    } else {
        Scan::NeedsBytes
    }
}

fn with_start(e: ReadError, start: u64) -> ReadError {
    match e {
        ReadError::TooLong(_) => ReadError::TooLong(start),
        other => other,
    }
}

/// Offset just past the first `\n` at or after `offset` (or the file size): a candidate place to
/// split the file between readers.
pub(crate) fn line_start_after(path: &Path, offset: u64, size: u64) -> std::io::Result<u64> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; 64 << 10];
    let mut at = offset;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(size);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(at + i as u64 + 1);
        }
        at += n as u64;
    }
}

/// 1-based line numbers of byte offsets (one sequential pass; only used to report errors).
pub(crate) fn line_numbers(path: &Path, offsets: &[u64]) -> std::io::Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut lines = vec![1usize; offsets.len()];
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; BUFFER_BYTES];
    let (mut at, mut newlines) = (0u64, 0usize);
    let mut next = 0;
    while next < order.len() {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let block_end = at + n as u64;
        while next < order.len() && offsets[order[next]] <= block_end {
            let upto = (offsets[order[next]] - at) as usize;
            lines[order[next]] = newlines + memchr::memchr_iter(b'\n', &buf[..upto]).count() + 1;
            next += 1;
        }
        newlines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        at = block_end;
    }
    for &i in &order[next..] {
        lines[i] = newlines + 1;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records read with a given buffer size, as raw bytes.
    fn raw_records(bytes: &[u8], buffer: usize) -> Vec<Vec<Vec<u8>>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut r = RecordReader::open(&path, 0, None, 0)
            .unwrap()
            .with_buffers(buffer);
        r.skip_bom().unwrap();
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(u64::MAX).unwrap() {
            out.push((0..rec.len()).map(|i| rec.field(i).to_vec()).collect());
        }
        out
    }

    /// The same input read by the `csv` crate.
    fn csv_crate_records(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn same_records_as_the_csv_crate(
            bytes in proptest::collection::vec(proptest::sample::select(b"ab,,\"\n\n\r \xc3".to_vec()), 0..200),
            buffer in 1usize..40,
            bom in proptest::bool::ANY,
        ) {
            let mut input = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
            input.extend(&bytes);
            proptest::prop_assert_eq!(raw_records(&input, buffer), csv_crate_records(&input));
            proptest::prop_assert_eq!(raw_records(&input, BUFFER_BYTES), csv_crate_records(&input));
        }
    }

    /// Records of every length around the 64-byte block size, ending at every offset in a block,
    /// with LF and CRLF (a CR at a block's last byte, its LF in the next), an occasional quoted
    /// or space-padded field, read with buffers small and large.
    #[test]
    fn records_across_block_boundaries() {
        let mut input = Vec::new();
        for len in 0..200usize {
            let field: Vec<u8> = (0..len).map(|i| b"ab c,"[(i * 7 + len) % 5]).collect();
            input.extend_from_slice(&field);
            match len % 7 {
                0 => input.extend_from_slice(b",\"q,\r\n\"\r\n"),
                3 => input.extend_from_slice(b", x \r\n"),
                5 => input.extend_from_slice(b"\r\n"),
                _ => input.push(b'\n'),
            }
        }
        let expected = csv_crate_records(&input);
        for buffer in [1, 2, 7, 63, 64, 65, 100, 129, BUFFER_BYTES] {
            assert_eq!(raw_records(&input, buffer), expected, "buffer {buffer}");
        }
    }

    #[test]
    fn candidate_bytes_marks_exactly_the_bytes_below_the_limit_but_spaces() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b'x', b, b'y', 0x2d, 0x80, 0xff, b, 0x2c ^ 0x80]);
            let marked = candidate_bytes(word);
            assert_eq!(is_candidate(b), b < CANDIDATE_BELOW && b != b' ');
            let expected = if is_candidate(b) {
                (0x80u64 << 8) | (0x80u64 << 48)
            } else {
                0
            };
            assert_eq!(marked, expected, "byte {b:#x}");
        }
        assert_eq!(
            candidate_bytes(u64::from_le_bytes(*b"a,\n\r\" \0z")),
            0x0080_0080_8080_8000
        );
    }

    fn records(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
        records_from(bytes, 0, u64::MAX)
    }

    fn records_from(bytes: &[u8], offset: u64, limit: u64) -> Vec<(u64, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut r = RecordReader::open(&path, offset, None, 0).unwrap();
        if offset == 0 {
            r.skip_bom().unwrap();
        }
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(limit).unwrap() {
            let fields = (0..rec.len())
                .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
                .collect();
            out.push((rec.start, fields));
        }
        out
    }

    fn fields(recs: &[(u64, Vec<String>)]) -> Vec<Vec<&str>> {
        recs.iter()
            .map(|(_, f)| f.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn plain_crlf_bom_and_blank_lines() {
        let recs = records(b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n\n3,\n,4");
        assert_eq!(
            fields(&recs),
            [vec!["a", "b"], vec!["1", "2"], vec!["3", ""], vec!["", "4"]]
        );
        assert_eq!(recs.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 8, 16, 19]);
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let recs = records(b"a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\r\nlast,\"\"");
        assert_eq!(
            fields(&recs),
            [
                vec!["a", "b"],
                vec!["x, y", "say \"hi\""],
                vec!["multi\nline", "z"],
                vec!["last", ""]
            ]
        );
    }

    #[test]
    fn lone_carriage_returns_end_records_like_csv_core() {
        let recs = records(b"a,b\r1,2\r3,4");
        assert_eq!(
            fields(&recs),
            [vec!["a", "b"], vec!["1", "2"], vec!["3", "4"]]
        );
    }

    #[test]
    fn records_longer_than_the_buffer() {
        let long = "x".repeat(BUFFER_BYTES * 2 + 7);
        let text = format!("a,b\n{long},1\n\"{long}\",2\n");
        let recs = records(text.as_bytes());
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].1[0].len(), long.len());
        assert_eq!(recs[2].1, vec![long.clone(), "2".to_string()]);
    }

    #[test]
    fn ranges_split_records_by_their_first_byte() {
        let text = b"h\n1\n22\n333\n";
        // A range starting mid-file and ending inside "22" keeps "22" (it starts before the limit).
        let recs = records_from(text, 4, 6);
        assert_eq!(fields(&recs), [vec!["22"]]);
        let recs = records_from(text, 7, u64::MAX);
        assert_eq!(fields(&recs), [vec!["333"]]);
    }

    #[test]
    fn line_numbers_of_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, b"a\nb\n\"c\nd\"\ne").unwrap();
        assert_eq!(line_numbers(&path, &[9, 0, 4, 11]).unwrap(), [4, 1, 3, 5]);
        assert_eq!(line_start_after(&path, 1, 11).unwrap(), 2);
        assert_eq!(line_start_after(&path, 9, 11).unwrap(), 10);
        assert_eq!(line_start_after(&path, 10, 11).unwrap(), 11);
    }
}
