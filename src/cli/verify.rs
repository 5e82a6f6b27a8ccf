//! `fairfile verify`: check an audit folder's sealed versions, or say what a lone PDF attests.

use std::fmt::Write as _;

use super::Outcome;
use super::args::Format;
use crate::Result;
use crate::diag::{InputError, Location};
use crate::seal::{FolderReport, LEDGER_FILE, PdfReport, short_hash};

pub fn run(args: super::args::VerifyArgs) -> Result<Outcome> {
    let target = &args.target;
    if target.is_file() {
        let report = crate::pipeline::verify_pdf(target, args.audit.as_deref(), args.out)?;
        let mut text = pdf_report(&report);
        let mut json = report.to_json();
        if !args.trust.is_empty() {
            let trusted = trusted_keys(&args.trust)?;
            let dir = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => std::path::Path::new("."),
            };
            let signatures = crate::attest::verify_file(&report.sha256, dir, &trusted);
            text = with_signature_lines(text, &signatures);
            json = json.with_signatures(signatures);
        }
        match args.format {
            Format::Table => super::print_text(&text)?,
            Format::Json => super::print_json(&json)?,
        }
        return Ok(if json.ok {
            Outcome::Success
        } else {
            Outcome::Findings
        });
    }
    if !target.is_dir() {
        return Err(
            InputError::new(Location::file(target), "no such audit folder or PDF")
                .with_help(
                    "pass an audit folder (containing fairfile.toml) or a PDF built by fairfile",
                )
                .into(),
        );
    }
    if args.audit.is_some() {
        return Err(InputError::new(Location::file(target), "--audit is for verifying a lone PDF")
            .with_help("to verify a folder, pass the audit folder itself: `fairfile verify AUDIT_DIR [--out DIR]`")
            .into());
    }
    if !target.join(crate::config::CONFIG_FILE).exists() && target.join(LEDGER_FILE).exists() {
        return Err(InputError::new(
            Location::file(target),
            format!(
                "this is an output folder (it has {LEDGER_FILE} but no {})",
                crate::config::CONFIG_FILE
            ),
        )
        .with_help(format!(
            "pass the audit folder and this folder as --out: `fairfile verify AUDIT_DIR --out {}`",
            target.display()
        ))
        .into());
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| target.join(crate::pipeline::DEFAULT_OUT_DIR));
    let report = crate::pipeline::verify_folder(target, args.out)?;
    let required = crate::config::Audit::load(target)
        .map(|a| a.config.audit.get_ref().require_signature)
        .unwrap_or(false);
    let signatures = if args.trust.is_empty() && !required {
        None
    } else {
        let trusted = trusted_keys(&args.trust)?;
        let dist = crate::seal::Dist::open(&out_dir, None)?;
        Some(crate::attest::verify(&dist, &trusted, required))
    };
    let mut text = folder_report(&report);
    let mut json = report.to_json();
    if let Some(signatures) = signatures {
        text = with_signature_lines(text, &signatures);
        json = json.with_signatures(signatures);
    }
    match args.format {
        Format::Table => super::print_text(&text)?,
        Format::Json => super::print_json(&json)?,
    }
    Ok(if json.ok {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

fn folder_report(report: &FolderReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "verify {}", report.out_dir.display());
    let breaks = report
        .problems
        .iter()
        .filter(|p| matches!(p, crate::seal::Problem::Ledger(_)))
        .count();
    let chain = if breaks == 0 {
        "chain intact".to_string()
    } else {
        format!("{breaks} breaks in the chain")
    };
    let _ = writeln!(out, "  ledger:  {} lines, {chain}", report.ledger_lines);
    match &report.latest {
        Some((version, date, fairfile)) => {
            let _ = writeln!(out, "  latest:  v{version} of {date} (fairfile {fairfile})");
        }
        None => {
            let _ = writeln!(out, "  latest:  no readable sealed version");
        }
    }
    let _ = writeln!(
        out,
        "  inputs:  {} of the latest version re-hashed",
        report.inputs_checked
    );
    let _ = writeln!(
        out,
        "  outputs: {} of every version re-hashed",
        report.outputs_checked
    );
    if report.is_ok() {
        let version = report
            .latest
            .as_ref()
            .map(|(v, _, _)| format!(" v{v}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "OK: every file matches the sealed version{version}, and the ledger chain is intact"
        );
    } else {
        let n = report.problems.len();
        let _ = writeln!(out, "FAILED: {n} problem{}", if n == 1 { "" } else { "s" });
        for problem in &report.problems {
            let _ = writeln!(out, "  {problem}");
        }
    }
    out
}

fn pdf_report(report: &PdfReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({} bytes, sha256 {})",
        report.file.display(),
        crate::format::count(report.bytes),
        short_hash(&report.sha256)
    );
    if let Some(m) = &report.attestation {
        let _ = writeln!(
            out,
            "attests: audit {}, document {}, version {}, built {} with fairfile {}",
            m.audit_id, m.document, m.version, m.build_date, m.fairfile_version
        );
        let _ = writeln!(out, "  written as:        {}", m.file);
        match &m.previous_manifest_sha256 {
            Some(previous) => {
                let _ = writeln!(out, "  previous manifest: sha256 {previous}");
            }
            None => {
                let _ = writeln!(out, "  previous manifest: none (first version)");
            }
        }
        let _ = writeln!(out, "  input digest:      {}", m.input_digest);
        if !m.changes.is_empty() {
            let _ = writeln!(out, "  changed since v{}:", m.version.saturating_sub(1));
            for change in &m.changes {
                let _ = writeln!(
                    out,
                    "    {:<8} {} ({})",
                    change.change.as_str(),
                    change.path,
                    change.role
                );
            }
        }
        let _ = writeln!(out, "  {} inputs:", m.inputs.len());
        let width = m.inputs.iter().map(|i| i.path.len()).max().unwrap_or(0);
        for input in &m.inputs {
            let _ = writeln!(
                out,
                "    {:<10} {:<width$}  {:>10} bytes  sha256 {}",
                input.role,
                input.path,
                crate::format::count(input.bytes),
                short_hash(&input.sha256)
            );
        }
    }
    match &report.audit {
        Some(audit) => {
            if audit.matches_sealed_output {
                let _ = writeln!(
                    out,
                    "checked: this file is the document sealed in {}",
                    audit.out_dir.display()
                );
            }
            if let (Some(latest), Some(m)) = (audit.latest_version, &report.attestation)
                && latest > m.version
            {
                let _ = writeln!(
                    out,
                    "note: {} has since sealed v{latest}; this document is superseded",
                    audit.out_dir.display()
                );
            }
            if audit.inputs_compared && report.is_ok() {
                let _ = writeln!(
                    out,
                    "checked: every attested input still matches the audit folder"
                );
            }
        }
        None if report.attestation.is_some() => {
            let _ = writeln!(
                out,
                "not checked against the audit: pass --audit AUDIT_DIR (and --out DIR if it was built elsewhere)"
            );
        }
        None => {}
    }
    if report.is_ok() {
        let _ = writeln!(out, "OK");
    } else {
        let n = report.problems.len();
        let _ = writeln!(out, "FAILED: {n} problem{}", if n == 1 { "" } else { "s" });
        for problem in &report.problems {
            let _ = writeln!(out, "  {problem}");
        }
    }
    out
}

/// The `--trust` key files, loaded (an unreadable one is an input error: trust is never implied).
fn trusted_keys(
    files: &[std::path::PathBuf],
) -> Result<Vec<(String, crate::attest::keys::PublicKey)>> {
    files
        .iter()
        .map(|f| crate::attest::keys::PublicKey::load(f).map(|k| (f.display().to_string(), k)))
        .collect()
}

/// The report with a signatures section before its verdict: an `OK` verdict stays only when
/// every signature check passed; signature problems get a `FAILED` block of their own.
fn with_signature_lines(text: String, signatures: &crate::seal::AttestationReport) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    let (body, ok) = match lines.iter().rposition(|l| l.starts_with("OK")) {
        Some(i) => (&lines[..i], &lines[i..]),
        None => (&lines[..], &[][..]),
    };
    for l in body {
        let _ = writeln!(out, "{l}");
    }
    if signatures.signatures.is_empty() {
        let _ = writeln!(out, "  signed:  no attestation found (`fairfile sign`)");
    }
    for s in &signatures.signatures {
        let by = match (&s.trusted_key, s.valid) {
            (Some(file), true) => format!("valid signature by {file}"),
            (Some(file), false) => format!("INVALID signature claiming {file}"),
            (None, _) => "signature by an untrusted key".to_string(),
        };
        let _ = writeln!(
            out,
            "  signed:  v{} {} (key {})",
            s.version,
            by,
            &s.keyid[..16.min(s.keyid.len())]
        );
    }
    if signatures.problems.is_empty() {
        for l in ok {
            let _ = writeln!(out, "{l}");
        }
    } else {
        let n = signatures.problems.len();
        let _ = writeln!(
            out,
            "FAILED: {n} signature problem{}",
            if n == 1 { "" } else { "s" }
        );
        for p in &signatures.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    out
}
