//! Obligations are filed where their framework files say (issue 8 §1): build the bundled example,
//! read the EU technical file back with poppler's `pdftotext`, and find under each Annex IV point
//! exactly the obligations whose `section` is `eu-technical-file/annex-iv-N` — every one of them,
//! and no other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use fairfile::frameworks::FrameworkSet;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");
const AUDIT_ID: &str = "acme-resumerank-2026";

fn pdftotext(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_obligation_is_under_the_annex_iv_point_its_framework_declares() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    Command::cargo_bin("fairfile")
        .unwrap()
        .args(["build", EXAMPLE, "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = pdftotext(&out.join(format!("{AUDIT_ID}-eu-technical-file-v1.pdf")));

    // What the framework files declare: point → obligation ids (the example uses both shipped
    // frameworks; obligation ids are unique across them).
    let set = FrameworkSet::shipped().unwrap();
    let mut declared: BTreeMap<u8, BTreeSet<String>> = BTreeMap::new();
    let mut all_ids: BTreeSet<String> = BTreeSet::new();
    for fw in set.frameworks() {
        for ob in &fw.obligations {
            assert!(all_ids.insert(ob.id.clone()), "{} is not unique", ob.id);
            if let Some(point) = ob.section.and_then(|s| s.annex_iv_point()) {
                declared.entry(point).or_default().insert(ob.id.clone());
            }
        }
    }
    assert_eq!(declared.len(), 9, "some Annex IV point has no obligation");

    // Each point's part of the file starts at its italic requirement line "Annex IV point N:"
    // and runs to the next point's; the last runs to the end.
    let starts: Vec<usize> = (1..=9)
        .map(|n| {
            let marker = format!("Annex IV point {n}:");
            assert_eq!(
                text.matches(&marker).count(),
                1,
                "{marker:?} should open exactly one section"
            );
            text.find(&marker).unwrap()
        })
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "points out of order"
    );
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (i, start) in starts.iter().enumerate() {
        let point = i as u8 + 1;
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        // An obligations table row starts with the obligation id (first column).
        let found: BTreeSet<String> = text[*start..end]
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|token| all_ids.contains(*token))
            .map(str::to_string)
            .collect();
        let expected = &declared[&point];
        let missing: Vec<&String> = expected.difference(&found).collect();
        let extra: Vec<&String> = found.difference(expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "Annex IV point {point}: declared there but not printed: {missing:?}; printed there but declared elsewhere: {extra:?}"
        );
        seen.extend(found);
    }
    let placed: usize = declared.values().map(BTreeSet::len).sum();
    assert_eq!(seen.len(), placed);
}
