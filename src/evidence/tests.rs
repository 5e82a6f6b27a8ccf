//! Discovery tests on an audit folder with the check fixture's frameworks and a fresh `evidence/`.

use super::*;

/// A temporary audit using the check fixture's fairfile.toml and frameworks, with an empty evidence folder.
struct Temp {
    dir: tempfile::TempDir,
}

impl Temp {
    fn new() -> Temp {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/audit");
        std::fs::copy(
            fixture.join("fairfile.toml"),
            dir.path().join("fairfile.toml"),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("frameworks")).unwrap();
        for f in ["test-ll.toml", "test-eu.toml"] {
            std::fs::copy(
                fixture.join("frameworks").join(f),
                dir.path().join("frameworks").join(f),
            )
            .unwrap();
        }
        std::fs::create_dir_all(dir.path().join("evidence")).unwrap();
        Temp { dir }
    }

    fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    fn discover(&self) -> Result<EvidenceSet> {
        let audit = Audit::load(self.dir.path()).unwrap();
        let frameworks = FrameworkSet::load(&audit).unwrap();
        discover(&audit, &frameworks)
    }

    fn error(&self) -> String {
        match self.discover() {
            Ok(set) => panic!("expected an error, found {} documents", set.documents.len()),
            Err(e) => e.to_string(),
        }
    }

    /// How a path in this audit is shown in messages.
    fn shown(&self, rel: &str) -> String {
        self.dir.path().join(rel).display().to_string()
    }
}

const DOC: &str =
    "+++\nkind = [\"bias_audit\"]\ntitle = \"Bias audit\"\ndate = 2026-03-02\n+++\n\n# Body\n";

#[test]
fn documents_are_found_sorted_and_hashed() {
    let t = Temp::new();
    t.write("evidence/b.md", DOC)
        .write("evidence/a/z.md", DOC)
        .write(
            "evidence/a.md",
            &DOC.replace("kind = [\"bias_audit\"]", "kind = \"candidate_notice\""),
        );
    let set = t.discover().unwrap();
    let paths: Vec<&str> = set.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["evidence/a.md", "evidence/a/z.md", "evidence/b.md"]
    );
    let b = &set.documents[2];
    assert_eq!(b.sha256, crate::hash::sha256_hex(DOC.as_bytes()));
    assert_eq!(b.front.kind, vec!["bias_audit"]);
    assert_eq!(b.front.date, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    assert_eq!(b.body, "\n# Body\n");
    assert_eq!(b.body_line, 6);
    assert_eq!(b.id(), "evidence/b.md");
    assert_eq!(
        set.documents[0].front.kind,
        vec!["candidate_notice"],
        "a single kind may be a string"
    );
    let inputs = set.inputs();
    assert_eq!(inputs.len(), 3);
    assert!(inputs.iter().all(|i| i.role == "evidence"));
    assert_eq!(inputs[2].bytes, DOC.len() as u64);
}

#[test]
fn no_evidence_folder_is_an_empty_set() {
    let t = Temp::new();
    std::fs::remove_dir(t.dir.path().join("evidence")).unwrap();
    assert!(t.discover().unwrap().documents.is_empty());
}

#[test]
fn attachments_are_hashed_and_unnamed_files_reported() {
    let t = Temp::new();
    t.write(
        "evidence/audit/report.md",
        &DOC.replace(
            "+++\n\n",
            "attachments = [\"tables.csv\", \"../common/sig.pdf\"]\n+++\n\n",
        ),
    )
    .write("evidence/audit/tables.csv", "a,b\n1,2\n")
    .write("evidence/common/sig.pdf", "%PDF-1.7 fake")
    .write("evidence/stray.png", "png bytes")
    .write("evidence/.DS_Store", "junk");
    let set = t.discover().unwrap();
    let doc = &set.documents[0];
    let attachments: Vec<(&str, &str)> = doc
        .attachments
        .iter()
        .map(|a| (a.path.as_str(), a.sha256.as_str()))
        .collect();
    assert_eq!(
        attachments,
        vec![
            (
                "evidence/audit/tables.csv",
                crate::hash::sha256_hex(b"a,b\n1,2\n").as_str()
            ),
            (
                "evidence/common/sig.pdf",
                crate::hash::sha256_hex(b"%PDF-1.7 fake").as_str()
            ),
        ]
    );
    let unreferenced: Vec<&str> = set
        .unreferenced_files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        unreferenced,
        vec!["evidence/.DS_Store", "evidence/stray.png"]
    );
    assert_eq!(
        set.unreferenced_files[1].sha256,
        crate::hash::sha256_hex(b"png bytes")
    );
    let roles: Vec<(&str, &str)> = set
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.role.as_str()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("evidence/audit/report.md", "evidence"),
            ("evidence/audit/tables.csv", "attachment"),
            ("evidence/common/sig.pdf", "attachment"),
        ]
    );
}

#[test]
fn missing_opening_fence() {
    let t = Temp::new();
    t.write("evidence/x.md", "# Just markdown\n");
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:1:1: [E001 malformed-front-matter]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
    assert!(err.contains("must start with a `+++` line"), "{err}");
}

#[test]
fn unclosed_front_matter() {
    let t = Temp::new();
    t.write("evidence/x.md", "+++\nkind = [\"bias_audit\"]\n");
    let err = t.error();
    assert!(err.contains("[E001 malformed-front-matter]"), "{err}");
    assert!(err.contains("never closed"), "{err}");
}

#[test]
fn unknown_kind_names_the_file_line_and_nearest_kind() {
    let t = Temp::new();
    t.write("evidence/x.md", "+++\ntitle = \"T\"\ndate = 2026-03-02\nkind = [\"bias_audit\", \"candidate_notise\"]\n+++\n");
    let err = t.error();
    assert!(
        err.starts_with(&format!("{}:4:23 (field `kind`): [E003 unknown-evidence-kind] unknown evidence kind \"candidate_notise\"", t.shown("evidence/x.md"))),
        "{err}"
    );
    assert!(err.contains("did you mean \"candidate_notice\"?"), "{err}");
}

#[test]
fn kinds_of_shipped_frameworks_not_in_use_are_known() {
    // The vocabulary is global, so a shared evidence folder does not break an audit using fewer frameworks.
    let shipped = FrameworkSet::shipped().unwrap();
    let Some(kind) = shipped.kind_ids().next().map(str::to_string) else {
        return;
    };
    let t = Temp::new();
    t.write("evidence/x.md", &DOC.replace("bias_audit", &kind));
    assert_eq!(t.discover().unwrap().documents[0].front.kind, vec![kind]);
}

#[test]
fn bad_date_is_located() {
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        "+++\nkind = [\"bias_audit\"]\ntitle = \"T\"\ndate = \"2026-02-30\"\n+++\n",
    );
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:4:8: [E004 bad-date]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        "+++\nkind = [\"bias_audit\"]\ntitle = \"T\"\ndate = 2026-02-30\n+++\n",
    );
    let err = t.error();
    assert!(
        err.starts_with(&format!("{}:4:", t.shown("evidence/x.md"))),
        "{err}"
    );
    assert!(err.contains("[E004 bad-date]"), "{err}");
    let t = Temp::new();
    t.write("evidence/x.md", "+++\nkind = [\"bias_audit\"]\ntitle = \"T\"\ndate = 2026-03-02\nexpires = 2026-01-01\n+++\n");
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:5:11 (field `expires`): [E004 bad-date]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
}

#[test]
fn unknown_front_matter_key_is_suggested() {
    let t = Temp::new();
    t.write("evidence/x.md", &DOC.replace("title =", "titel ="));
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:3:1: [E002 unknown-front-matter-key]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
    assert!(err.contains("did you mean \"title\"?"), "{err}");
}

#[test]
fn byte_order_mark_is_accepted_and_lines_still_match() {
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        &format!("\u{feff}{}", DOC.replace("title =", "titel =")),
    );
    let err = t.error();
    assert!(
        err.starts_with(&format!("{}:3:1:", t.shown("evidence/x.md"))),
        "{err}"
    );
}

#[test]
fn duplicate_id() {
    let t = Temp::new();
    let with_id = DOC.replace("+++\nkind", "+++\nid = \"audit-2026\"\nkind");
    t.write("evidence/a.md", &with_id)
        .write("evidence/b.md", &with_id);
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:2:6 (field `id`): [E005 duplicate-evidence-id]",
            t.shown("evidence/b.md")
        )),
        "{err}"
    );
    assert!(err.contains("already used by evidence/a.md"), "{err}");
}

#[test]
fn missing_attachment() {
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        &DOC.replace("+++\n\n", "attachments = [\"gone.pdf\"]\n+++\n\n"),
    );
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:5:16 (field `attachments`): [E006 missing-attachment]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
}

#[test]
fn satisfies_unknown_obligation() {
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        &DOC.replace("+++\n\n", "satisfies = [\"test-eu/art-26-07\"]\n+++\n\n"),
    );
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}:5:14 (field `satisfies`): [E007 unknown-obligation]",
            t.shown("evidence/x.md")
        )),
        "{err}"
    );
    assert!(err.contains("did you mean \"test-eu/art-26-7\"?"), "{err}");
}

#[test]
fn attachment_leaving_the_audit_folder_is_refused() {
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        &DOC.replace("+++\n\n", "attachments = [\"../../outside.txt\"]\n+++\n\n"),
    );
    let err = t.error();
    assert!(err.contains("[E008 outside-audit-folder]"), "{err}");
    let t = Temp::new();
    t.write(
        "evidence/x.md",
        &DOC.replace("+++\n\n", "attachments = [\"/etc/hostname\"]\n+++\n\n"),
    );
    assert!(
        t.error().contains(
            "[E008 outside-audit-folder] attachment \"/etc/hostname\" is an absolute path"
        )
    );
}

#[cfg(unix)]
#[test]
fn links_leaving_the_audit_folder_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), DOC).unwrap();
    let t = Temp::new();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        t.dir.path().join("evidence/link.md"),
    )
    .unwrap();
    let err = t.error();
    assert!(
        err.starts_with(&format!(
            "{}: [E008 outside-audit-folder]",
            t.shown("evidence/link.md")
        )),
        "{err}"
    );

    let t = Temp::new();
    std::os::unix::fs::symlink(outside.path(), t.dir.path().join("evidence/dir")).unwrap();
    assert!(t.error().contains("[E008 outside-audit-folder]"));

    // A link that stays inside the audit folder is read like the file it points to.
    let t = Temp::new();
    t.write("docs/audit.md", DOC);
    std::os::unix::fs::symlink(
        t.dir.path().join("docs/audit.md"),
        t.dir.path().join("evidence/audit.md"),
    )
    .unwrap();
    assert_eq!(t.discover().unwrap().documents[0].path, "evidence/audit.md");
}

#[test]
fn every_problem_is_reported_at_once() {
    let t = Temp::new();
    t.write("evidence/a.md", "no front matter\n")
        .write("evidence/b.md", &DOC.replace("bias_audit", "bias_audt"));
    match t.discover() {
        Err(Error::Inputs(list)) => assert_eq!(list.len(), 2, "{list:?}"),
        other => panic!("expected two errors, got {other:?}"),
    }
}
