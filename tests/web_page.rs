//! The LL144 public web page (`<audit-id>-ll144-summary-v<N>.html`, Admin. Code § 20-871(a)(2),
//! 6 RCNY § 5-303): built from a copy of the example whose organisation name is hostile HTML, then
//! read back as text. Every user string is escaped; every rate and impact ratio of `fairfile
//! metrics --format json` is in its table row exactly as `fairfile::format` spells it and as the
//! PDF prints it; the page loads nothing (no URLs, `src=`, `<link`, `<script`); every table has a
//! caption and scoped header cells; `lang` is set; the manifest seals the page and `verify`
//! catches one changed byte. With Debian's `chromium` installed (CI installs it), a real browser
//! loads the page from disk, its rendered tables are read back from the DOM, and its network log
//! shows no request but the file itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use fairfile::format;
use serde_json::Value;

mod support;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");
const AUDIT_ID: &str = "acme-resumerank-2026";
const HOSTILE: &str = r#"Acme <script>alert("pwned")</script> & Sons' <b>Ltd</b>"#;

/// The example, copied to a temporary folder with a hostile organisation name, and built.
struct Built {
    _dir: tempfile::TempDir,
    audit: PathBuf,
    out: PathBuf,
}

impl Built {
    fn new() -> Built {
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit");
        support::copy_dir(Path::new(EXAMPLE), &audit);
        let _ = std::fs::remove_dir_all(audit.join("dist"));
        let toml_path = audit.join("fairfile.toml");
        let toml = std::fs::read_to_string(&toml_path).unwrap();
        let hostile_toml = toml.replacen(
            "organization = \"Acme Corp\"",
            &format!("organization = {}", toml_string(HOSTILE)),
            1,
        );
        assert_ne!(toml, hostile_toml, "the example's organisation line moved");
        std::fs::write(&toml_path, hostile_toml).unwrap();
        let out = audit.join("dist");
        Command::cargo_bin("fairfile")
            .unwrap()
            .arg("build")
            .arg(&audit)
            .assert()
            .success();
        Built {
            _dir: dir,
            audit,
            out,
        }
    }

    fn file(&self, ext: &str) -> PathBuf {
        self.out.join(format!("{AUDIT_ID}-ll144-summary-v1.{ext}"))
    }

    fn html(&self) -> String {
        std::fs::read_to_string(self.file("html")).unwrap()
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn metrics_json(audit: &Path) -> Value {
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(audit)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The text of HTML character references, decoded (numeric and the five XML names).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The table rows of an HTML page (or of a browser's DOM dump): each row's cells as text
/// (tags dropped, references decoded, whitespace collapsed, flag marks removed).
fn table_rows(html: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for row in html.split("<tr").skip(1) {
        let row = row.split("</tr>").next().unwrap();
        let mut cells = Vec::new();
        for cell in row.split("<t").skip(1) {
            if !(cell.starts_with('d') || cell.starts_with('h')) {
                continue;
            }
            let inner = cell.split_once('>').map_or("", |(_, c)| c);
            let inner = inner.split("</t").next().unwrap();
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let text = unescape(&text).replace(['†', '‡'], "");
            cells.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        rows.push(cells);
    }
    rows
}

/// Each results row the metrics JSON implies: category (or sex and race), applicants, selected,
/// rate and impact ratio, spelled by `fairfile::format` (an impact ratio the metrics leave out,
/// e.g. of an excluded category, is not compared).
fn expected_rows(metrics: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for key in ["sex", "race_ethnicity", "intersectional"] {
        let categories = metrics["dimensions"][key]["categories"]
            .as_array()
            .unwrap_or_else(|| panic!("metrics JSON has no {key} categories"));
        for item in categories {
            let mut cells = match (item["sex"].as_str(), item["race"].as_str()) {
                (Some(sex), Some(race)) => vec![sex.to_string(), race.to_string()],
                _ => vec![item["category"].as_str().unwrap().to_string()],
            };
            cells.push(format::count(item["n"].as_u64().unwrap()));
            cells.push(format::count(item["selected"].as_u64().unwrap()));
            cells.push(format::rate(item["rate"].as_f64().unwrap()));
            if let Some(ratio) = item["impact_ratio"].as_f64() {
                cells.push(format::ratio(ratio));
            }
            rows.push(cells);
        }
    }
    assert!(
        rows.len() > 10,
        "the example has sex, race and intersectional rows"
    );
    rows
}

/// Whether `rows` has one that starts with `expected` (cells in order).
fn has_row(rows: &[Vec<String>], expected: &[String]) -> bool {
    rows.iter().any(|r| r.starts_with(expected))
}

fn pdftotext(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().replace('†', "")
}

/// Whether a line of the PDF text holds all `cells`, each as its own run of text.
fn pdf_has_row(text: &str, cells: &[String]) -> bool {
    text.lines().any(|line| {
        let padded = format!(
            " {} ",
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        cells.iter().all(|c| padded.contains(&format!(" {c} ")))
    })
}

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    format!("{:x}", sha2::Sha256::digest(&bytes))
}

#[test]
fn the_public_page_is_escaped_self_contained_accessible_and_sealed() {
    let built = Built::new();
    let html = built.html();

    // Every user string escaped: the hostile name is text, never markup.
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(!html.contains("<b>Ltd"), "{html}");
    assert!(
        unescape(&html).contains(HOSTILE),
        "the organisation name is not on the page"
    );

    // Nothing loaded from anywhere: no URLs, no src, no stylesheets or scripts.
    let lower = html.to_ascii_lowercase();
    for resource in [
        "http://", "https://", "src=", "<link", "<script", "@import", "url(", "<img", "<iframe",
        "<object", "<embed",
    ] {
        assert!(!lower.contains(resource), "the page has {resource:?}");
    }
    assert!(
        lower.contains("content-security-policy") && lower.contains("default-src 'none'"),
        "the page forbids loading anything"
    );

    // Language, captions and scoped header cells on every table.
    assert!(html.contains("<html lang=\"en"), "no lang on <html>");
    let tables: Vec<&str> = html.split("<table").skip(1).collect();
    assert!(
        tables.len() >= 4,
        "sex, race, intersectional and inputs tables"
    );
    for table in &tables {
        let table = table.split("</table>").next().unwrap();
        let first = table.split_once('>').unwrap().1.trim_start();
        assert!(
            first.starts_with("<caption"),
            "a table without a caption first: {table}"
        );
        assert!(
            table.contains("<th scope=\"col\""),
            "no column headers: {table}"
        );
        assert!(
            table.contains("<th scope=\"row\""),
            "no row headers: {table}"
        );
        for th in table.split("<th").skip(1).filter(|t| !t.starts_with("ead")) {
            assert!(th.starts_with(" scope=\""), "<th{th} has no scope");
        }
    }
    // Headings in order: one h1, no level skipped on the way down.
    let mut level = 0;
    for part in html.split("<h").skip(1) {
        let Some(n) = part.chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        assert!(n <= level + 1, "heading h{n} after h{level}");
        level = n;
    }
    assert_eq!(html.matches("<h1").count(), 1);
    // Phone, print and dark mode are provided for.
    for css in [
        "name=\"viewport\"",
        "overflow-x: auto",
        "@media print",
        "prefers-color-scheme: dark",
    ] {
        assert!(html.contains(css), "the page lacks {css:?}");
    }

    // Every text colour on every background, light, dark and print: WCAG 2 AA (4.5:1).
    contrast_meets_wcag_aa(&html);

    // The same figures as the metrics JSON and the PDF, digit for digit.
    let metrics = metrics_json(&built.audit);
    let rows = table_rows(&html);
    let pdf_text = pdftotext(&built.file("pdf"));
    for expected in expected_rows(&metrics) {
        assert!(
            has_row(&rows, &expected),
            "the page lacks the row {expected:?}"
        );
        assert!(
            pdf_has_row(&pdf_text, &expected),
            "the PDF lacks the row {expected:?}"
        );
    }

    // Version and content hash as the PDF; the manifest seals the page.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(built.out.join("manifest-v1.json")).unwrap())
            .unwrap();
    let digest = manifest["input_digest"].as_str().unwrap();
    assert!(html.contains(digest), "the page lacks the content hash");
    assert!(
        pdf_text.contains(&digest[..12]),
        "the PDF lacks the content hash"
    );
    assert!(html.contains(&format!("{AUDIT_ID}/ll144-summary/v1")));
    let file = format!("{AUDIT_ID}-ll144-summary-v1.html");
    let output = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["file"] == file.as_str())
        .expect("the manifest lists the page");
    assert_eq!(output["document"], "ll144-summary");
    assert_eq!(
        output["sha256"].as_str().unwrap(),
        sha256_file(&built.file("html"))
    );
    Command::cargo_bin("fairfile")
        .unwrap()
        .arg("verify")
        .arg(&built.audit)
        .assert()
        .success();

    // Deterministic: the same inputs give the same bytes.
    let again = built.audit.parent().unwrap().join("again");
    Command::cargo_bin("fairfile")
        .unwrap()
        .arg("build")
        .arg(&built.audit)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(again.join(&file)).unwrap(),
        html.as_bytes(),
        "a rebuild changed the page"
    );

    // `verify FILE` on the page says how a page is checked.
    let lone = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("verify")
        .arg(built.file("html"))
        .output()
        .unwrap();
    assert!(!lone.status.success());
    let said = String::from_utf8_lossy(&lone.stdout);
    assert!(
        said.contains("an HTML page, not a PDF") && said.contains("audit folder"),
        "{said}"
    );

    // A real browser renders the same tables and loads nothing.
    in_chromium(&built.file("html"), &expected_rows(&metrics));

    // One changed byte of the page, and verify fails naming it.
    let mut bytes = html.into_bytes();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(built.file("html"), bytes).unwrap();
    let failed = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("verify")
        .arg(&built.audit)
        .output()
        .unwrap();
    assert!(!failed.status.success(), "verify accepted a changed page");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(
        said.contains(&file),
        "verify does not name the page: {said}"
    );
}

/// Debian's `chromium`, if installed. Outside CI a missing browser skips the browser checks (said
/// on stderr); in CI (`CI=true`, where `.ci/run` installs it) it is a failure.
fn chromium() -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("chromium");
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("chromium is not installed; .ci/run installs it (apt-get install chromium)");
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: web_page browser checks: chromium is not installed (apt-get install -y chromium)"
    );
    None
}

/// Run headless Chromium on `page` with `args`, at most 90 s; its network log is written to
/// `net_log`. Returns stdout.
fn run_chromium(browser: &str, page: &Path, args: &[&str], net_log: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if started.elapsed() > std::time::Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// axe-core's script, installed by `.ci/run` (`npm install --prefix .ci/axe axe-core`). Outside
/// CI a missing copy skips the check (said on stderr); in CI it is a failure.
fn axe_core() -> Option<PathBuf> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/axe/node_modules/axe-core/axe.min.js");
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "axe-core is not installed; .ci/run installs it (npm install --prefix .ci/axe axe-core@4.14.1)"
        );
    }
    eprintln!("skipped: web_page axe-core check: npm install --prefix .ci/axe axe-core@4.14.1");
    None
}

/// The URLs a page asked for, from a Chromium network log: requests with an initiator (the page's
/// origin, `null` for a file). The browser's own background requests have none ("not an origin").
fn page_requests(net_log: &Path) -> Vec<String> {
    let log: Value = serde_json::from_slice(&std::fs::read(net_log).unwrap()).unwrap();
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("a Chromium net log");
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(String::from))
        .collect()
}

fn in_chromium(page: &Path, expected: &[Vec<String>]) {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();

    // The detector sees requests: a page with an image and a stylesheet elsewhere makes two.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        r#"<!DOCTYPE html><html lang="en"><title>probe</title><img src="http://127.0.0.1:9/x.png" alt=""><link rel="stylesheet" href="http://127.0.0.1:9/x.css">"#,
    )
    .unwrap();
    let probe_log = dir.path().join("probe-net.json");
    run_chromium(browser, &probe, &["--dump-dom"], &probe_log);
    assert_eq!(
        page_requests(&probe_log).len(),
        2,
        "the net log check sees nothing"
    );

    // The page: its rendered tables read back from the DOM, and no request.
    let net_log = dir.path().join("net.json");
    let dom = run_chromium(browser, page, &["--dump-dom"], &net_log);
    let rows = table_rows(&dom);
    for row in expected {
        assert!(
            has_row(&rows, row),
            "the rendered page lacks the row {row:?}"
        );
    }
    assert_eq!(
        page_requests(&net_log),
        Vec::<String>::new(),
        "the page made requests"
    );

    // axe-core (installed by .ci/run from npm) on a copy of the page: the copy drops the
    // Content-Security-Policy, which forbids the script, and adds axe, which writes the rules
    // violated into the DOM.
    if let Some(axe) = axe_core() {
        let html = std::fs::read_to_string(page).unwrap();
        let csp_start = html
            .find("<meta http-equiv=\"Content-Security-Policy\"")
            .expect("the page has a CSP");
        let csp_end = csp_start + html[csp_start..].find('>').unwrap() + 1;
        let probe = format!(
            "{}{}",
            &html[..csp_start],
            &html[csp_end..].replace(
                "</body>",
                &format!(
                    "<script src=\"file://{}\"></script><script>axe.run().then(r => {{ const p = document.createElement('pre'); p.id = 'axe-result'; p.textContent = JSON.stringify(r.violations.map(v => ({{id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}}))); document.body.appendChild(p); }});</script></body>",
                    axe.display()
                )
            )
        );
        let copy = dir.path().join("axe.html");
        std::fs::write(&copy, probe).unwrap();
        let dom = run_chromium(
            browser,
            &copy,
            &[
                "--allow-file-access-from-files",
                "--virtual-time-budget=30000",
                "--dump-dom",
            ],
            &dir.path().join("axe-net.json"),
        );
        let start = dom
            .find("<pre id=\"axe-result\">")
            .expect("axe ran and wrote its result");
        let result = &dom[start + "<pre id=\"axe-result\">".len()..];
        let result = unescape(&result[..result.find("</pre>").unwrap()]);
        assert_eq!(result, "[]", "axe-core finds accessibility violations");
    }

    // Screenshots at phone and desktop width, for a person to look at:
    // FAIRFILE_SCREENSHOTS=/some/dir cargo test --test web_page
    if let Some(shots) = std::env::var_os("FAIRFILE_SCREENSHOTS") {
        let shots = PathBuf::from(shots);
        std::fs::create_dir_all(&shots).unwrap();
        for (name, size) in [("phone", "390,6500"), ("desktop", "1280,4200")] {
            let png = shots.join(format!("ll144-summary-{name}.png"));
            run_chromium(
                browser,
                page,
                &[
                    &format!("--window-size={size}"),
                    &format!("--screenshot={}", png.display()),
                ],
                &dir.path().join(format!("{name}-net.json")),
            );
            assert!(png.is_file(), "no screenshot {}", png.display());
        }
    }
}

/// The palettes (`:root { --name: #rrggbb; … }`) the page's style sheet defines, in order: light,
/// dark (`prefers-color-scheme: dark`) and print.
fn palettes(html: &str) -> Vec<Vec<(String, String)>> {
    html.split(":root {")
        .skip(1)
        .map(|block| {
            block
                .split('}')
                .next()
                .unwrap()
                .split(';')
                .filter_map(|decl| {
                    let (name, value) = decl.split_once(':')?;
                    let name = name.trim().strip_prefix("--")?;
                    Some((name.to_string(), value.trim().to_string()))
                })
                .collect()
        })
        .collect()
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn contrast_meets_wcag_aa(html: &str) {
    let palettes = palettes(html);
    assert_eq!(palettes.len(), 3, "light, dark and print palettes");
    for palette in &palettes {
        let colour = |name: &str| {
            let value = &palette.iter().find(|(n, _)| n == name).unwrap().1;
            assert!(
                value.len() == 7 && value.starts_with('#'),
                "--{name}: {value}"
            );
            value.clone()
        };
        for text in ["fg", "muted", "accent", "flag", "missing"] {
            for background in ["bg", "head", "box"] {
                let ratio = contrast(&colour(text), &colour(background));
                assert!(
                    ratio >= 4.5,
                    "--{text} on --{background}: contrast {ratio:.2} < 4.5 in {palette:?}"
                );
            }
        }
    }
    // The reference values of WCAG: black on white is 21:1.
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
}
