//! Writes that never leave a half-written file: each file is written to a temporary file in the
//! same folder, flushed to disk, and renamed over its final name (an atomic replace on POSIX and
//! on Windows). A failure before the rename leaves the old file, if any, untouched, and the
//! temporary file is removed when dropped.

use std::io::Write;
use std::path::Path;

use crate::diag::{Error, Result};

/// Prefix of fairfile's temporary files (a leftover one comes from a killed process).
pub const TEMP_PREFIX: &str = ".fairfile-";
/// Suffix of fairfile's temporary files.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Write `bytes` to `path` atomically (temporary file in the same folder + rename).
///
/// The file gets ordinary permissions (0644 minus the umask on Unix), not the 0600 of a
/// temporary file: published documents must stay readable.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut temp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io(temp.path(), e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(temp.path(), e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Make the renames in `dir` durable (best effort; not supported everywhere).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_and_replaces_without_leaving_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(listing(dir.path()), ["out.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // What `fs::write` creates is 0666 minus the umask; ours is 0644 minus the umask.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let path = dir.path().join("doc.pdf");
        write_atomic(&path, b"%PDF").unwrap();
        assert_eq!(mode(&path), mode(&probe) & 0o644);
        assert_eq!(mode(&path) & 0o600, 0o600);
    }

    #[test]
    fn failed_write_keeps_the_old_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"old").unwrap();
        // Renaming a file over a non-empty directory fails after the temp file was written.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(listing(dir.path()), ["blocked", "out.json"]);
    }

    #[test]
    fn missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("out.json");
        let err = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
