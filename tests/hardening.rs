//! Hostile audit folders (SECURITY.md): inputs nested deeper than any real document end in a clear
//! error naming the file, line and limit — or, for Markdown, a flattened rendering with a warning —
//! never in a crash (a stack overflow aborts with status 134). Each runs the real binary on a copy
//! of the example audit.

use std::path::PathBuf;

use assert_cmd::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

/// Deep enough to overflow any recursive walk (the depth from issue 12's report).
const DEEP: usize = 100_000;

struct Audit {
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

impl Audit {
    fn copy() -> Audit {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("acme");
        for entry in walkdir::WalkDir::new(EXAMPLE).sort_by_file_name() {
            let entry = entry.unwrap();
            let relative = entry.path().strip_prefix(EXAMPLE).unwrap();
            if relative.starts_with("dist") {
                continue;
            }
            let target = dir.join(relative);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        Audit { _temp: temp, dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    fn run(&self, command: &str) -> Output {
        run(&[command, self.dir.to_str().unwrap()])
    }

    /// Insert `line` right after the `[audit]` header of fairfile.toml.
    fn add_audit_line(&self, line: &str) {
        let path = self.path("fairfile.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replacen("[audit]\n", &format!("[audit]\n{line}\n"), 1);
        std::fs::write(path, text).unwrap();
    }
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// An evidence document (valid front matter) with `body`.
fn evidence(front_extra: &str, body: &str) -> String {
    format!(
        "+++\nkind = [\"ai_literacy_programme\"]\ntitle = \"Deep\"\ndate = 2026-03-02\n\
         owner = \"x\"\nsatisfies = [\"eu-ai-act/art-4\"]\n{front_extra}+++\n\n{body}\n"
    )
}

#[test]
fn deeply_nested_markdown_builds_flattened_with_a_warning() {
    let audit = Audit::copy();
    let body = format!(
        "Intro.\n\n{} quoted\n\n{}listed\n\n{}linked{}",
        ">".repeat(DEEP),
        "- ".repeat(DEEP),
        "[".repeat(DEEP / 10),
        "](https://example.org)".repeat(DEEP / 10)
    );
    std::fs::write(audit.path("evidence/eu/deep.md"), evidence("", &body)).unwrap();
    let out = audit.run("build");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "evidence/eu/deep.md: content nested more than 64 levels deep is shown as plain text"
        ),
        "{}",
        out.stderr
    );
    let verify = audit.run("verify");
    assert_eq!(verify.code, 0, "{}\n{}", verify.stdout, verify.stderr);
}

/// fairfile.toml: deep arrays, inline tables and dotted keys are errors naming the line and 80.
#[test]
fn deeply_nested_config_toml_is_an_error_naming_line_and_limit() {
    let cases = [
        format!("deep = {}1{}", "[".repeat(DEEP), "]".repeat(DEEP)),
        format!("deep = {}1{}", "{a = ".repeat(DEEP), "}".repeat(DEEP)),
        format!("deep{} = 1", ".a".repeat(DEEP)),
    ];
    for case in cases {
        let audit = Audit::copy();
        audit.add_audit_line(&case);
        let out = audit.run("check");
        assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("fairfile.toml:5:"),
            "no line: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("nested more than 80 levels deep"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn deeply_nested_front_matter_is_an_error_naming_file_line_and_limit() {
    let audit = Audit::copy();
    let front = format!("tags = {}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    std::fs::write(audit.path("evidence/eu/deep.md"), evidence(&front, "Body.")).unwrap();
    let out = audit.run("check");
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("evidence/eu/deep.md:7:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("nested more than 80 levels deep"),
        "{}",
        out.stderr
    );
}

#[test]
fn deeply_nested_framework_file_is_an_error_naming_file_line_and_limit() {
    let audit = Audit::copy();
    audit.add_audit_line("framework_files = [\"policy.toml\"]");
    std::fs::write(
        audit.path("policy.toml"),
        format!(
            "[framework]\nid = \"policy\"\nsources = {}\"x\"{}\n",
            "[".repeat(DEEP),
            "]".repeat(DEEP)
        ),
    )
    .unwrap();
    let out = audit.run("check");
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("policy.toml:3:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("nested more than 80 levels deep"),
        "{}",
        out.stderr
    );
}

/// ledger.jsonl: a deeply nested line is a named, located problem.
#[test]
fn deeply_nested_ledger_json_is_reported_not_a_crash() {
    let audit = Audit::copy();
    let dist = audit.path("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("ledger.jsonl"),
        format!(
            "{{\"version\": {}{}}}\n",
            "[".repeat(DEEP),
            "]".repeat(DEEP)
        ),
    )
    .unwrap();
    let out = audit.run("verify");
    assert!(
        out.code == 1 || out.code == 2,
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("ledger.jsonl line 1"), "{all}");
    // Every JSON fairfile reads is typed (flat records, no free-form values), so deep nesting is
    // refused at its first bracket; serde_json's own limit (128) stands behind that.
    assert!(all.contains("not a valid ledger entry"), "{all}");
}

/// The audit folder cannot make fairfile read a file outside it: `[data] path = "/etc/passwd"`
/// is refused, naming the line, and nothing of the file is shown; `--allow-outside` (the person
/// running fairfile) reads it, with a notice naming it.
#[test]
fn data_outside_the_audit_folder_is_refused_unless_allowed() {
    let audit = Audit::copy();
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("secret.csv");
    std::fs::write(&secret, "TOP-SECRET-HEADER,x\n1,2\n").unwrap();
    let config = audit.path("fairfile.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    for written in [
        secret.display().to_string(),
        "../../../../../../../../etc/passwd".into(),
    ] {
        std::fs::write(
            &config,
            text.replace(
                "path = \"data/applicants.csv\"",
                &format!("path = {written:?}"),
            ),
        )
        .unwrap();
        let out = audit.run("metrics");
        assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
        // The line of `[data] path` in the example's fairfile.toml, column 8 (its value).
        let line = 1 + text
            .lines()
            .position(|l| l.starts_with("path = \"data/applicants.csv\""))
            .unwrap();
        assert!(
            out.stderr
                .contains(&format!("fairfile.toml:{line}:8 (field `data.path`)")),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("is outside the audit folder"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("--allow-outside"), "{}", out.stderr);
        assert!(!out.stderr.contains("TOP-SECRET") && !out.stderr.contains("root:"));
    }
    // A symbolic link inside the folder that leads out is outside too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, audit.path("data/link.csv")).unwrap();
        std::fs::write(
            &config,
            text.replace("path = \"data/applicants.csv\"", "path = \"data/link.csv\""),
        )
        .unwrap();
        let out = audit.run("metrics");
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains("is outside the audit folder"),
            "{}",
            out.stderr
        );
    }
    // Allowed by the person running fairfile: read, and named in a notice.
    std::fs::write(
        &config,
        text.replace(
            "path = \"data/applicants.csv\"",
            &format!("path = {:?}", secret.display().to_string()),
        ),
    )
    .unwrap();
    let out = run(&["metrics", audit.dir.to_str().unwrap(), "--allow-outside"]);
    assert_eq!(out.code, 2, "{}", out.stderr); // the file is not applicant data
    assert!(
        out.stderr.contains(&format!(
            "notice: reading {} ([data] path in",
            secret.display()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("is not in the header"),
        "{}",
        out.stderr
    );
}

/// A PNG whose header declares 100,000 × 100,000 pixels (40 GB decoded) is refused before
/// decoding, naming the evidence line and the limit.
#[test]
fn an_image_declaring_too_many_pixels_is_refused() {
    let audit = Audit::copy();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(100_000u32.to_be_bytes());
    png.extend(100_000u32.to_be_bytes());
    png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    png.extend(vec![0; 64]);
    std::fs::write(audit.path("evidence/eu/bomb.png"), png).unwrap();
    std::fs::write(
        audit.path("evidence/eu/deep.md"),
        evidence("", "Intro.\n\n![a chart](bomb.png)\n"),
    )
    .unwrap();
    let out = audit.run("build");
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("evidence/eu/deep.md:11:1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("100000 × 100000 = 10000000000 pixels")
            && out.stderr.contains("MAX_IMAGE_PIXELS"),
        "{}",
        out.stderr
    );
}

/// An evidence document over 8 MiB and a header of more than 10,000 columns are refused,
/// naming the file and the limit.
#[test]
fn oversized_evidence_and_too_many_columns_are_refused() {
    let audit = Audit::copy();
    let body = "word ".repeat((8 << 20) / 5 + 10);
    std::fs::write(audit.path("evidence/eu/huge.md"), evidence("", &body)).unwrap();
    let out = audit.run("check");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("evidence/eu/huge.md"), "{}", out.stderr);
    assert!(out.stderr.contains("MAX_EVIDENCE_BYTES"), "{}", out.stderr);

    let audit = Audit::copy();
    let header: Vec<String> = (0..10_001).map(|i| format!("c{i}")).collect();
    std::fs::write(
        audit.path("data/applicants.csv"),
        format!("{}\n", header.join(",")),
    )
    .unwrap();
    let out = audit.run("metrics");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("applicants.csv:1:1")
            && out.stderr.contains("10001 columns")
            && out.stderr.contains("MAX_COLUMNS"),
        "{}",
        out.stderr
    );
}

/// Crashes found by fuzzing (fuzz/README.md), kept as regression tests: each input, as the
/// audit's data, must be a clear error naming the file — not a panic (exit 101) or an abort.
#[test]
fn a_parquet_page_declaring_gigabytes_is_refused_before_allocation() {
    // Fuzzing round 3: a page of a few KiB whose header declares 1.5 GB made the `parquet` crate
    // allocate (and zero-fill, for Snappy) 1.5 GB. Here the first page header of a real file is
    // rewritten to declare 2,000,000,000 bytes uncompressed; fairfile reads the header first.
    use parquet::file::reader::{FileReader, SerializedFileReader};
    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/parquet/pyarrow.parquet"
    );
    let bytes = std::fs::read(SEED).unwrap();
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes.clone())).unwrap();
    // The first mapped column that fairfile reads (`sex`): other columns are never opened.
    let group = reader.metadata().row_group(0);
    let column = group
        .columns()
        .iter()
        .find(|c| c.column_path().string() == "sex")
        .unwrap()
        .clone();
    let offset = column
        .dictionary_page_offset()
        .unwrap_or(column.data_page_offset()) as usize;
    // Page header, Thrift compact: field 1 (type, i32) then field 2 (uncompressed size, i32).
    let header = &bytes[offset..];
    assert_eq!(header[0], 0x15, "field 1, i32");
    let mut at = 1;
    while header[at] & 0x80 != 0 {
        at += 1;
    }
    at += 1;
    assert_eq!(header[at], 0x15, "field 2, i32");
    let mut end = at + 1;
    while header[end] & 0x80 != 0 {
        end += 1;
    }
    end += 1;
    // zigzag(2,000,000,000) as a varint.
    let mut z = 4_000_000_000u64;
    let mut varint = Vec::new();
    loop {
        let b = (z & 0x7f) as u8;
        z >>= 7;
        if z == 0 {
            varint.push(b);
            break;
        }
        varint.push(b | 0x80);
    }
    let crafted = [
        &bytes[..offset + at + 1],
        &varint[..],
        &bytes[offset + end..],
    ]
    .concat();

    let audit = Audit::copy();
    let config = "[audit]\nid = \"bomb\"\ntitle = \"Bomb\"\norganization = \"Org\"\n\
        system = \"Screener\"\naudit_date = 2026-01-15\nframeworks = [\"nyc-ll144\"]\n\n\
        [auditor]\nname = \"Auditor\"\nindependent = true\n\n\
        [data]\npath = \"data/applicants.parquet\"\nkind = \"historical\"\n\
        description = \"crafted\"\noutcome = \"selection\"\n\n\
        [data.columns]\nsex = \"sex\"\nrace = \"race\"\nselected = \"selected\"\n\n\
        [data.categories.sex]\nMale = [\"Male\"]\nFemale = [\"Female\"]\nunknown = [\"\"]\n\n\
        [data.categories.race]\nWhite = [\"White\"]\nunknown = [\"\"]\n";
    std::fs::write(audit.path("data/applicants.parquet"), crafted).unwrap();
    std::fs::write(audit.path("fairfile.toml"), config).unwrap();
    let out = audit.run("metrics");
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("applicants.parquet")
            && out.stderr.contains("2000000000 bytes uncompressed")
            && out.stderr.contains("MAX_PARQUET_PAGE_BYTES"),
        "{}",
        out.stderr
    );
}

/// A workbook whose shared strings inflate to 150 MB of spaces (from about 150 KB): refused by
/// its declared size before calamine would hold the strings in memory. (A part that declares less
/// than it holds is stopped by the `zip` crate at the declared size: `xlsx_guard`'s unit test.)
#[test]
fn an_xlsx_zip_bomb_is_refused_by_its_limit() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..150 {
        zip.write_all(&block).unwrap();
    }
    let honest = zip.finish().unwrap().into_inner();
    assert!(honest.len() < 1 << 20, "{} bytes", honest.len());

    {
        let (bytes, expected) = (honest, "declares 157286400 bytes decompressed");
        let audit = Audit::copy();
        std::fs::write(audit.path("data/applicants.xlsx"), bytes).unwrap();
        let config = std::fs::read_to_string(audit.path("fairfile.toml"))
            .unwrap()
            .replace("data/applicants.csv", "data/applicants.xlsx");
        std::fs::write(audit.path("fairfile.toml"), config).unwrap();
        let out = audit.run("metrics");
        assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("applicants.xlsx")
                && out.stderr.contains("xl/sharedStrings.xml")
                && out.stderr.contains(expected)
                && out.stderr.contains("MAX_XLSX_SHARED_STRINGS_BYTES"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn fuzz_crashes_are_clear_errors() {
    const CRASHES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-crashes");
    for (file, expected) in [
        // parquet 60's record reader: `assertion failed: size <= src.len()` decoding a dictionary
        // page. fairfile's own page decoder (src/ingest/rows/parquet.rs) now names the fault.
        (
            "parquet-short-dictionary-page.parquet",
            "cannot read Parquet: Parquet error: a page that ends inside a value",
        ),
        // Fuzzing round 5: a page header whose unknown field declares a list running past the end
        // of the file; the crate skipped it element by element (72 s in a release build). Now
        // the end of the file is an error for the crate's reads: refused at once.
        (
            "parquet-header-list-past-the-end.parquet",
            "the file ends inside a page",
        ),
        // calamine 0.38: `attempt to multiply with overflow` on a cell reference.
        ("xlsx-row-number-overflow.xlsx", "the Excel file is corrupt"),
    ] {
        let audit = Audit::copy();
        let ext = file.rsplit_once('.').unwrap().1;
        std::fs::copy(
            format!("{CRASHES}/{file}"),
            audit.path(&format!("data/applicants.{ext}")),
        )
        .unwrap();
        // The fuzz targets' config (fuzz/fuzz_targets/common.rs): columns sex, race, selected.
        std::fs::write(
            audit.path("fairfile.toml"),
            format!(
                "[audit]\nid = \"fuzz\"\ntitle = \"Fuzz\"\norganization = \"Org\"\n\
                 system = \"Screener\"\naudit_date = 2026-01-15\nframeworks = [\"nyc-ll144\"]\n\n\
                 [auditor]\nname = \"Auditor\"\nindependent = true\n\n\
                 [data]\npath = \"data/applicants.{ext}\"\nkind = \"historical\"\n\
                 description = \"fuzzed\"\noutcome = \"selection\"\n\n\
                 [data.columns]\nsex = \"sex\"\nrace = \"race\"\nselected = \"selected\"\n\n\
                 [data.categories.sex]\nMale = [\"M\"]\nFemale = [\"F\"]\nunknown = [\"\"]\n\n\
                 [data.categories.race]\nWhite = [\"W\"]\nAsian = [\"A\"]\nunknown = [\"\", \"U\"]\n"
            ),
        )
        .unwrap();
        let started = std::time::Instant::now();
        let out = audit.run("metrics");
        assert_eq!(out.code, 2, "{file}: {}\n{}", out.stdout, out.stderr);
        // Not a benchmark: a bound far above the milliseconds it takes, far below a hang.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{file} took {:?}",
            started.elapsed()
        );
        assert!(
            out.stderr.contains(&format!("applicants.{ext}")) && out.stderr.contains(expected),
            "{file}: {}",
            out.stderr
        );
    }
}
