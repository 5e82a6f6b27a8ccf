use super::*;

/// A valid framework; tests break one thing at a time. Line numbers are noted for the assertions.
const BASE: &str = r#"[framework]
id = "policy"
title = "Internal hiring-AI policy"
version = "2026-01"
roles = ["employer", "deployer"]

[dates]
go_live = { date = 2026-06-01, cite = "Policy § 1" }

[evidence_kinds.bias_examination]
description = "Bias examination report"

[evidence_kinds.impact_ratios_sex]
description = "Impact ratios for sex"
computed = "metrics.dimensions.sex"

[[obligations]]
id = "p-1"
cite = "Policy § 2"
title = "Annual bias examination"
requirement = "Examine the tool for bias every year."
applies_to = ["employer"]
applies_from = "@go_live"
when = [{ fact = "facts.uses_ai", equals = true }]

  [[obligations.evidence]]
  kinds = ["bias_examination"]
  max_age_days = 365
  relative_to = "planned_use_date"

  [[obligations.conditions]]
  fact = "metrics.dimensions.sex.provided"
  equals = true
  message = "no sex column"

[[obligations]]
id = "p-2"
cite = "Policy § 3"
title = "Sex impact ratios"
requirement = "Compute impact ratios for sex."
applies_to = []

  [[obligations.evidence]]
  kinds = ["impact_ratios_sex"]
"#;

fn text(name: &str, body: &str) -> FrameworkText {
    FrameworkText {
        display_path: PathBuf::from(name),
        record_path: name.to_string(),
        builtin: false,
        text: body.to_string(),
    }
}

fn load(body: &str) -> Result<FrameworkSet> {
    FrameworkSet::from_texts(vec![text("policy.toml", body)])
}

/// The error text for a broken variant of BASE (panics if it loads).
fn error(body: &str) -> String {
    match load(body) {
        Ok(_) => panic!("expected an error for:\n{body}"),
        Err(e) => e.to_string(),
    }
}

/// The error starts at `location` (file:line:column) and carries `code`.
fn assert_at(err: &str, location: &str, code: &str) {
    assert!(
        err.starts_with(&format!("{location}:")) || err.starts_with(&format!("{location} ")),
        "expected {location}: {err}"
    );
    assert!(
        err.contains(&format!("[{code}]")),
        "expected [{code}]: {err}"
    );
}

fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE has no {from:?}");
    BASE.replacen(from, to, 1)
}

#[test]
fn base_loads_into_the_model() {
    let set = load(BASE).unwrap();
    let fw = set.get("policy").unwrap();
    assert_eq!(fw.obligations.len(), 2);
    let p1 = &fw.obligations[0];
    assert_eq!(p1.applies_from, NaiveDate::from_ymd_opt(2026, 6, 1));
    assert_eq!(p1.applies_from_name.as_deref(), Some("go_live"));
    assert_eq!(
        p1.evidence[0].max_age,
        Some(DayRule {
            days: 365,
            date: RefDate::PlannedUseDate
        })
    );
    assert_eq!(p1.when[0].op, ConditionOp::Equals(serde_json::json!(true)));
    assert_eq!(p1.when[0].to_string(), "facts.uses_ai = true");
    assert_eq!(
        set.kind("impact_ratios_sex").unwrap().computed.as_deref(),
        Some("metrics.dimensions.sex")
    );
    assert!(set.is_known_obligation("policy/p-2"));
    assert!(set.obligation("policy/p-1").is_some());
    let inputs = set.inputs();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].role, "framework");
    assert_eq!(inputs[0].sha256, crate::hash::sha256_hex(BASE.as_bytes()));
    assert_eq!(inputs[0].bytes, BASE.len() as u64);
}

/// The shipped frameworks load and validate, each on its own (a shipped file must declare every
/// kind it uses) and together, and every obligation carries a citation.
#[test]
fn shipped_frameworks_load_and_validate() {
    let set = FrameworkSet::shipped().unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = set.frameworks().iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, vec!["nyc-ll144", "eu-ai-act"]);
    for t in FrameworkText::shipped() {
        let alone = FrameworkSet::from_texts(vec![t.clone()]).unwrap_or_else(|e| panic!("{e}"));
        let fw = &alone.frameworks()[0];
        assert!(t.record_path.starts_with("builtin:frameworks/"));
        assert_eq!(alone.inputs()[0].path, t.record_path);
        for ob in &fw.obligations {
            assert!(
                !ob.cite.trim().is_empty(),
                "{}/{} has no cite",
                fw.id,
                ob.id
            );
            assert!(
                !ob.title.trim().is_empty(),
                "{}/{} has no title",
                fw.id,
                ob.id
            );
        }
    }
}

/// The obligations added for issue 8 §4: each cites its article, starts when its article applies
/// (Art 50 and the transitional Art 111 from the general date, the Chapter III duties from the
/// Annex III date, LL144 from enforcement) and declares where it is presented.
#[test]
fn added_obligations_are_cited_dated_and_placed() {
    let set = FrameworkSet::shipped().unwrap();
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let cases = [
        (
            "nyc-ll144/20-870-aedt",
            "§ 20-870",
            "2023-07-05",
            "compliance-matrix",
        ),
        (
            "nyc-ll144/5-302-a-pooled",
            "§ 5-302(a)",
            "2023-07-05",
            "ll144-summary/data",
        ),
        (
            "nyc-ll144/5-302-b-insufficient",
            "§ 5-302(b)",
            "2023-07-05",
            "ll144-summary/data",
        ),
        (
            "eu-ai-act/art-20-1",
            "Art 20(1)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-20-2",
            "Art 20(2)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-21",
            "Art 21",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-22",
            "Art 22",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-25-1-a",
            "Art 25(1)(a)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-25-1-b",
            "Art 25(1)(b)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-25-1-c",
            "Art 25(1)(c)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-50-1",
            "Art 50(1)",
            "2026-08-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-73-reports",
            "Art 73",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-86-records",
            "Art 86(1)",
            "2027-12-02",
            "compliance-matrix",
        ),
        (
            "eu-ai-act/art-111-2",
            "Art 111(2)",
            "2026-08-02",
            "compliance-matrix",
        ),
    ];
    for (key, cite, from, section) in cases {
        let (_, ob) = set.obligation(key).unwrap_or_else(|| panic!("no {key}"));
        assert!(ob.cite.contains(cite), "{key}: {}", ob.cite);
        assert_eq!(ob.applies_from, Some(date(from)), "{key}");
        assert_eq!(
            ob.section.map(|s| s.to_string()).as_deref(),
            Some(section),
            "{key}"
        );
    }
    // The kinds defined for these duties are now used by an obligation.
    for kind in ["capa_records", "incident_reports", "explanation_records"] {
        assert!(
            set.frameworks()
                .iter()
                .flat_map(|f| &f.obligations)
                .any(|o| o.evidence.iter().any(|r| r.kinds.iter().any(|k| k == kind))),
            "{kind} is used by no obligation"
        );
    }
}

#[test]
fn unknown_key_is_located_and_suggested() {
    let err = error(&replace(
        "title = \"Annual bias examination\"",
        "titel = \"Annual bias examination\"",
    ));
    assert_at(&err, "policy.toml:20:1", "F001 unknown-key");
    assert!(err.contains("unknown field `titel`"), "{err}");
    assert!(err.contains("did you mean \"title\"?"), "{err}");
    // …also inside a nested table.
    let err = error(&replace("  max_age_days = 365", "  max_age_day = 365"));
    assert_at(&err, "policy.toml:28:3", "F001 unknown-key");
    assert!(err.contains("did you mean \"max_age_days\"?"), "{err}");
}

#[test]
fn duplicate_obligation_id() {
    let err = error(&replace("id = \"p-2\"", "id = \"p-1\""));
    assert_at(&err, "policy.toml:37:6", "F002 duplicate-obligation-id");
    assert!(err.contains("already used on line 18"), "{err}");
}

#[test]
fn undeclared_evidence_kind_suggests_the_nearest() {
    let err = error(&replace(
        "kinds = [\"bias_examination\"]",
        "kinds = [\"bias_examnation\"]",
    ));
    assert_at(&err, "policy.toml:27:12", "F003 undeclared-evidence-kind");
    assert!(err.contains("did you mean \"bias_examination\"?"), "{err}");
}

#[test]
fn kinds_declared_by_another_file_count() {
    let other = "[framework]\nid = \"other\"\ntitle = \"O\"\nversion = \"1\"\n[evidence_kinds.risk_register]\ndescription = \"r\"\n";
    let body = replace(
        "kinds = [\"bias_examination\"]",
        "kinds = [\"risk_register\"]",
    );
    assert!(load(&body).is_err());
    FrameworkSet::from_texts(vec![text("policy.toml", &body), text("other.toml", other)]).unwrap();
}

#[test]
fn bad_applies_from() {
    let err = error(&replace("\"@go_live\"", "\"@go_lve\""));
    assert_at(&err, "policy.toml:23:16", "F004 bad-applies-from");
    assert!(err.contains("did you mean \"go_live\"?"), "{err}");
    let err = error(&replace("\"@go_live\"", "\"next year\""));
    assert!(err.contains("[F004 bad-applies-from]"), "{err}");
    assert!(err.contains("\"@annex_iii\""), "{err}");
    // A plain date is fine.
    load(&replace("\"@go_live\"", "2026-07-01")).unwrap();
}

#[test]
fn kind_declared_twice_in_one_file() {
    let err = error(&replace(
        "[evidence_kinds.impact_ratios_sex]",
        "[evidence_kinds.bias_examination]\ndescription = \"again\"\n\n[evidence_kinds.impact_ratios_sex]",
    ));
    assert!(err.starts_with("policy.toml:13:"), "{err}");
    assert!(err.contains("[F005 duplicate-key]"), "{err}");
}

#[test]
fn malformed_conditions() {
    let err = error(&replace("  equals = true\n  message", "  message"));
    assert_at(&err, "policy.toml:31:3", "F006 malformed-condition");
    assert!(err.contains("has no operator"), "{err}");
    let err = error(&replace(
        "{ fact = \"facts.uses_ai\", equals = true }",
        "{ fact = \"facts.uses_ai\", equals = true, exists = true }",
    ));
    assert_at(&err, "policy.toml:24:9", "F006 malformed-condition");
    assert!(err.contains("2 operators (equals, exists)"), "{err}");
    let err = error(&replace("equals = true }", "one_of = \"yes\" }"));
    assert!(err.contains("`one_of` needs a non-empty array"), "{err}");
    let err = error(&replace("equals = true }", "at_least = \"many\" }"));
    assert!(
        err.contains("`at_least` needs a number, a date or a period"),
        "{err}"
    );
    // A period is a valid bound.
    load(&replace("equals = true }", "at_least = \"6 months\" }")).unwrap();
}

#[test]
fn bad_fact_prefix_is_suggested() {
    let err = error(&replace(
        "fact = \"facts.uses_ai\"",
        "fact = \"fact.uses_ai\"",
    ));
    assert_at(&err, "policy.toml:24:18", "F007 bad-fact-path");
    assert!(err.contains("did you mean \"facts.uses_ai\"?"), "{err}");
    let err = error(&replace(
        "computed = \"metrics.dimensions.sex\"",
        "computed = \"metrics\"",
    ));
    assert_at(&err, "policy.toml:15:12", "F007 bad-fact-path");
}

#[test]
fn unknown_role() {
    let err = error(&replace(
        "applies_to = [\"employer\"]",
        "applies_to = [\"employeer\"]",
    ));
    assert_at(&err, "policy.toml:22:15", "F008 unknown-role");
    assert!(err.contains("did you mean \"employer\"?"), "{err}");
}

#[test]
fn unknown_reference_date_and_incomplete_rules() {
    let err = error(&replace(
        "relative_to = \"planned_use_date\"",
        "relative_to = \"planned_use\"",
    ));
    assert_at(&err, "policy.toml:29:17", "F009 unknown-reference-date");
    assert!(err.contains("did you mean \"planned_use_date\"?"), "{err}");
    let err = error(&replace(
        "  max_age_days = 365\n",
        "  min_business_days_before = 10\n",
    ));
    assert!(err.contains("[F010 incomplete-rule]"), "{err}");
    assert!(
        err.contains("`min_business_days_before` needs `before`"),
        "{err}"
    );
    assert!(
        err.contains("`relative_to` without `max_age_days`"),
        "{err}"
    );
}

#[test]
fn invalid_ids_and_empty_requirement() {
    let err = error(&replace("id = \"p-2\"", "id = \"P 2\""));
    assert_at(&err, "policy.toml:37:6", "F011 invalid-id");
    assert!(err.contains("obligation id \"P 2\""), "{err}");
    let err = error(&replace("kinds = [\"impact_ratios_sex\"]", "kinds = []"));
    assert!(err.contains("[F014 empty-requirement]"), "{err}");
}

#[test]
fn sections_are_typed_at_load_with_a_suggestion() {
    let set = load(&replace(
        "applies_to = []\n",
        "applies_to = []\nsection = \"eu-technical-file/annex-iv-5\"\n",
    ))
    .unwrap();
    let ob = &set.get("policy").unwrap().obligations[1];
    assert_eq!(ob.section.unwrap().annex_iv_point(), Some(5));
    // The spelling the EU framework used to have: a document that does not exist.
    let err = error(&replace(
        "applies_to = []\n",
        "applies_to = []\nsection = \"technical-file/annex-iv-3\"\n",
    ));
    assert_at(&err, "policy.toml:42:11", "F015 unknown-section");
    assert!(
        err.contains("did you mean \"eu-technical-file/annex-iv-3\"?"),
        "{err}"
    );
    // An anchor the document does not have.
    let err = error(&replace(
        "applies_to = []\n",
        "applies_to = []\nsection = \"eu-technical-file/annex-iv-10\"\n",
    ));
    assert!(err.contains("[F015 unknown-section]"), "{err}");
    assert!(err.contains("has no anchor \"annex-iv-10\""), "{err}");
    let err = error(&replace(
        "applies_to = []\n",
        "applies_to = []\nsection = \"ll144-summary/results\"\n",
    ));
    assert!(err.contains("[F015 unknown-section]"), "{err}");
}

/// Every EU AI Act obligation declares where it is presented, and only the provider's duties are
/// in the provider's technical documentation (Art 11(1), Annex IV).
#[test]
fn shipped_placements_are_declared_and_the_technical_file_is_the_providers() {
    let set = FrameworkSet::shipped().unwrap();
    for fw in set.frameworks() {
        for ob in &fw.obligations {
            let section = ob
                .section
                .unwrap_or_else(|| panic!("{}/{} declares no section", fw.id, ob.id));
            if section.annex_iv_point().is_some() {
                assert!(
                    ob.applies_to.iter().any(|r| r == "provider"),
                    "{}/{} is filed in the provider's technical file but binds {:?}",
                    fw.id,
                    ob.id,
                    ob.applies_to
                );
            }
        }
    }
    let eu = set.get("eu-ai-act").unwrap();
    let point = |id: &str| {
        eu.obligations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .section
            .and_then(|s| s.annex_iv_point())
    };
    // Issue 8 §1: the placements the article-number guess got wrong. Art 13(1) transparency,
    // Art 13(3)(b)(ii) accuracy levels, Art 13(3)(b)(v) performance for groups and Art 15(3)
    // declared accuracy are Annex IV point 3 ("degrees of accuracy for specific persons or
    // groups ... and the overall expected level of accuracy"); Art 6 classification and the
    // Art 16(b) provider identification are point 1(a) (intended purpose, provider).
    for (id, expected) in [
        ("art-13-1", Some(3)),
        ("art-13-3-b-ii", Some(3)),
        ("art-13-3-b-v", Some(3)),
        ("art-15-3", Some(3)),
        ("art-6-2", Some(1)),
        ("art-6-3", Some(1)),
        ("art-6-4", Some(1)),
        ("art-16-b", Some(1)),
        ("art-4a-2", None),
    ] {
        assert_eq!(point(id), expected, "{id}");
    }
}

/// Issue 8 §3: the requirement texts say what the rule texts say, and no more.
#[test]
fn shipped_requirement_texts_follow_the_rule_texts() {
    let set = FrameworkSet::shipped().unwrap();
    let ob = |key: &str| set.obligation(key).unwrap_or_else(|| panic!("no {key}")).1;
    // Art 4 as amended by Reg. (EU) 2026/1744: "take measures to support the development of AI
    // literacy"; "a sufficient level of" is the superseded 2024 wording.
    let art4 = &ob("eu-ai-act/art-4").requirement;
    assert!(
        art4.contains("support the development of AI literacy"),
        "{art4}"
    );
    assert!(!art4.contains("sufficient level"), "{art4}");
    // Art 6(2) cites the profiling rule of Art 6(3), third subparagraph.
    assert!(
        ob("eu-ai-act/art-6-2")
            .cite
            .contains("Art 6(3), third subparagraph")
    );
    // Art 86(1): the whole condition of the right to explanation.
    assert!(ob("eu-ai-act/art-86").requirement.contains(
        "in a way they consider to have an adverse impact on their health, safety or fundamental rights"
    ));
    // Annex IV 7: no dated statement of fact in a text printed in every future file.
    let annex7 = &ob("eu-ai-act/annex-iv-7").requirement;
    assert!(!annex7.contains("as of"), "{annex7}");
    assert!(!annex7.contains("2026"), "{annex7}");
    // Good practice is a field of its own, not part of the law's paraphrase.
    for key in [
        "eu-ai-act/art-9-2-d",
        "eu-ai-act/art-9-4",
        "eu-ai-act/art-10-2-f",
        "eu-ai-act/art-10-2-g",
        "eu-ai-act/art-26-2",
    ] {
        assert!(ob(key).practice.is_some(), "{key} has no practice");
    }
    assert!(
        !ob("eu-ai-act/art-9-2-d")
            .requirement
            .contains("traceability")
    );
    assert!(!ob("eu-ai-act/art-26-2").requirement.contains("roster"));
    // Log retention is its own evidence, at least six calendar months (Art 19(1), 26(6)).
    for key in ["eu-ai-act/art-19-1", "eu-ai-act/art-26-6"] {
        let o = ob(key);
        assert_eq!(o.evidence[0].kinds, vec!["log_retention_policy"], "{key}");
        assert!(
            o.conditions
                .iter()
                .any(|c| c.op == ConditionOp::AtLeast(serde_json::json!("6 months"))),
            "{key}"
        );
    }
    // 6 RCNY § 5-303(c): six calendar months; § 5-303(a): posted before use; § 5-300: the bias
    // audit is the independent auditor's.
    let keep = ob("nyc-ll144/5-303-c").evidence[0].keep_after.unwrap();
    assert_eq!(keep.period, "6 months".parse().unwrap());
    assert_eq!(
        ob("nyc-ll144/5-303-a-posting").evidence[0].not_after,
        Some(RefDate::PlannedUseDate)
    );
    assert_eq!(
        ob("nyc-ll144/5-301-a").evidence[0].kinds,
        vec!["independent_bias_audit"]
    );
    // Section 5 and Chapter IX duties carry their date as an interpretation.
    let eu = set.get("eu-ai-act").unwrap();
    for id in [
        "art-43-2", "art-47", "art-48", "art-49-1", "art-72", "art-73", "art-86",
    ] {
        let o = eu.obligations.iter().find(|o| o.id == id).unwrap();
        let name = o.applies_from_name.as_deref().unwrap();
        assert!(eu.dates[name].interpretation.is_some(), "{id}");
    }
    // Sections 1-3 carry the date the Omnibus states.
    let o = eu.obligations.iter().find(|o| o.id == "art-9-1").unwrap();
    assert!(
        eu.dates[o.applies_from_name.as_deref().unwrap()]
            .interpretation
            .is_none()
    );
}

#[test]
fn exemptions_are_validated() {
    let body = format!(
        "{BASE}\n[[exemptions]]\nid = \"waived-by-policy\"\ncite = \"Policy § 9\"\nmessage = \"m\"\nconditions = [{{ fact = \"facts.small\", equals = true }}]\nexcept = [\"p-3\"]\n"
    );
    let err = error(&body);
    assert!(err.contains("[F017 unknown-exempt-obligation]"), "{err}");
    assert!(
        err.contains("did you mean \"p-1\"?") || err.contains("did you mean \"p-2\"?"),
        "{err}"
    );
    let ok = body.replace("\"p-3\"", "\"p-2\"");
    let set = load(&ok).unwrap();
    let ex = &set.get("policy").unwrap().exemptions[0];
    assert!(ex.covers("p-1") && !ex.covers("p-2"));
    let err = error(&BASE.replace(
        "  max_age_days = 365\n  relative_to = \"planned_use_date\"\n",
        "  keep_after = \"6 moons\"\n  after = \"last_use_date\"\n",
    ));
    assert!(err.contains("[F016 bad-period]"), "{err}");
}

#[test]
fn several_errors_are_reported_at_once() {
    let body = replace(
        "applies_to = [\"employer\"]",
        "applies_to = [\"employeer\"]",
    )
    .replacen("\"@go_live\"", "\"@nope\"", 1);
    let err = load(&body).unwrap_err();
    match err {
        Error::Inputs(list) => assert_eq!(list.len(), 2, "{list:?}"),
        other => panic!("expected several errors, got {other}"),
    }
}

#[test]
fn duplicate_framework_ids_and_conflicting_kinds() {
    let err = FrameworkSet::from_texts(vec![text("a.toml", BASE), text("b.toml", BASE)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("b.toml:2:6 (field `framework.id`): [F012 duplicate-framework-id]"),
        "{err}"
    );
    let other = "[framework]\nid = \"other\"\ntitle = \"O\"\nversion = \"1\"\n[evidence_kinds.impact_ratios_sex]\ndescription = \"r\"\ncomputed = \"metrics.dimensions.race_ethnicity\"\n";
    let err = FrameworkSet::from_texts(vec![text("a.toml", BASE), text("b.toml", other)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("b.toml:5:17: [F013 conflicting-evidence-kind]"),
        "{err}"
    );
}

#[test]
fn invalid_toml_is_located() {
    let err = error(&replace("version = \"2026-01\"", "version = 2026-01"));
    assert!(err.starts_with("policy.toml:4:"), "{err}");
    assert!(err.contains("[F000 invalid-toml]"), "{err}");
}

mod audit {
    use super::*;

    const CONFIG: &str = r#"[audit]
id = "a"
title = "A"
organization = "O"
system = "S"
audit_date = 2026-03-10
frameworks = ["nyc-ll144", "policy"]
framework_files = ["policies/policy.toml"]
roles = ["employer"]

[auditor]
name = "N"
independent = true

[data]
path = "data.csv"
kind = "historical"
description = "d"
outcome = "selection"

[data.columns]
sex = "g"
selected = "s"

[data.categories.sex]
Male = ["M"]
"#;

    fn audit_with(config: &str, policy: Option<&str>) -> (tempfile::TempDir, Result<FrameworkSet>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
        if let Some(p) = policy {
            std::fs::create_dir_all(dir.path().join("policies")).unwrap();
            std::fs::write(dir.path().join("policies/policy.toml"), p).unwrap();
        }
        let audit = Audit::load(dir.path()).unwrap();
        let set = FrameworkSet::load(&audit);
        (dir, set)
    }

    #[test]
    fn loads_shipped_and_own_frameworks_in_order() {
        let (_dir, set) = audit_with(CONFIG, Some(BASE));
        let set = set.unwrap();
        let ids: Vec<&str> = set.frameworks().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["nyc-ll144", "policy"]);
        let inputs = set.inputs();
        assert_eq!(inputs[0].path, "builtin:frameworks/nyc-ll144.toml");
        assert_eq!(inputs[1].path, "policies/policy.toml");
        assert_eq!(inputs[1].sha256, crate::hash::sha256_hex(BASE.as_bytes()));
        // The kinds of shipped frameworks not in use still count as declared (the vocabulary is global).
        for t in FrameworkText::shipped() {
            let f = FrameworkSet::from_texts(vec![t]).unwrap();
            for k in f.kind_ids() {
                assert!(set.kind(k).is_some(), "{k}");
            }
        }
    }

    #[test]
    fn unknown_framework_points_into_fairfile_toml() {
        let config = CONFIG.replace("[\"nyc-ll144\", \"policy\"]", "[\"nyc-ll144\", \"polcy\"]");
        let (_dir, set) = audit_with(&config, Some(BASE));
        let err = set.unwrap_err().to_string();
        assert!(err.contains("fairfile.toml:7:28 (field `audit.frameworks`): [A001 unknown-framework] unknown framework \"polcy\""), "{err}");
        assert!(err.contains("did you mean \"policy\"?"), "{err}");
        // The file is now unused, which is an error too.
        assert!(err.contains("[A003 unused-framework-file]"), "{err}");
    }

    #[test]
    fn missing_framework_file() {
        let (_dir, set) = audit_with(CONFIG, None);
        let err = set.unwrap_err().to_string();
        assert!(
            err.contains(
                "fairfile.toml:8:20 (field `audit.framework_files`): [A002 missing-framework-file]"
            ),
            "{err}"
        );
    }

    #[test]
    fn an_own_file_with_an_unknown_section_is_rejected() {
        let (dir, set) = audit_with(
            CONFIG,
            Some(&replace(
                "applies_to = [\"employer\"]\n",
                "applies_to = [\"employer\"]\nsection = \"eu-technical-file/point-5\"\n",
            )),
        );
        let err = set.unwrap_err().to_string();
        let expected = format!(
            "{}:23:11 (field `obligations.section`): [F015 unknown-section]",
            dir.path().join("policies/policy.toml").display()
        );
        assert!(err.starts_with(&expected), "{err}");
    }

    #[test]
    fn errors_in_an_own_file_name_that_file() {
        let (dir, set) = audit_with(
            CONFIG,
            Some(&replace("cite = \"Policy § 2\"", "cit = \"Policy § 2\"")),
        );
        let err = set.unwrap_err().to_string();
        let expected = format!(
            "{}:19:1: [F001 unknown-key]",
            dir.path().join("policies/policy.toml").display()
        );
        assert!(err.starts_with(&expected), "{err}");
    }
}

#[test]
fn a_kind_declared_twice_reads_as_the_framework_in_use_declares_it() {
    let other = "[framework]\nid = \"other\"\ntitle = \"O\"\nversion = \"1\"\n[evidence_kinds.bias_examination]\ndescription = \"Other words\"\n";
    let texts = vec![text("other.toml", other), text("policy.toml", BASE)];
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for t in &texts {
        parsed.push(parse_framework(t, &mut errors).unwrap().framework);
    }
    let set = FrameworkSet::assemble(parsed, &[1]);
    let kind = set.kind("bias_examination").unwrap();
    assert_eq!(kind.description, "Bias examination report");
    assert_eq!(kind.declared_by, "policy");
}
