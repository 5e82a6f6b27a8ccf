//! JSON Schemas (draft 2020-12) of every `--format json` output, derived with `schemars` from the
//! very types that are serialized, so a schema cannot drift from the output it describes. They are
//! committed under `docs/schemas/<name>.schema.json` for other tools to rely on;
//! `tests/schemas.rs` fails when a committed file differs from [`all`] (refresh them with
//! `UPDATE_SCHEMAS=1 cargo test --test schemas`) and validates real output against them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

/// One output's schema: its file stem, the command that prints it, its schema id (the `schema`
/// field every such JSON starts with) and the page that documents it.
pub struct OutputSchema {
    pub name: &'static str,
    pub command: &'static str,
    pub id: Option<&'static str>,
    pub doc: &'static str,
    pub schema: Schema,
}

/// Every output's schema, in a fixed order.
pub fn all() -> Vec<OutputSchema> {
    vec![
        output::<crate::metrics::MetricsReport>(
            "metrics",
            "fairfile metrics --format json",
            Some(crate::metrics::METRICS_SCHEMA),
            "docs/metrics-json.md",
        ),
        output::<crate::check::CheckReport>(
            "check",
            "fairfile check --format json",
            Some(crate::check::CHECK_SCHEMA),
            "docs/check-json.md",
        ),
        output::<crate::frameworks::Framework>(
            "framework",
            "fairfile frameworks show ID --format json",
            None,
            "docs/frameworks.md",
        ),
        output::<crate::recheck::Report<'static>>(
            "recheck",
            "fairfile recheck --format json",
            Some(crate::recheck::SCHEMA),
            "docs/recheck.md",
        ),
        output::<crate::results::SealedResults>(
            "results",
            "<audit-id>-results-v<N>.json (a sealed version's results)",
            Some(crate::results::RESULTS_SCHEMA),
            "docs/manifest.md",
        ),
        output::<crate::diff::Diff>(
            "diff",
            "fairfile diff --format json",
            Some(crate::diff::DIFF_SCHEMA),
            "docs/diff-json.md",
        ),
        output::<crate::seal::BuildReport>(
            "build",
            "fairfile build --format json",
            Some(crate::seal::BUILD_SCHEMA),
            "docs/manifest.md",
        ),
        output::<crate::seal::VerifyReport>(
            "verify",
            "fairfile verify --format json",
            Some(crate::seal::VERIFY_SCHEMA),
            "docs/manifest.md",
        ),
        output::<crate::frameworks::FrameworkList>(
            "frameworks",
            "fairfile frameworks list --format json",
            Some(crate::frameworks::FRAMEWORKS_SCHEMA),
            "docs/frameworks.md",
        ),
        output::<crate::scaffold::InitReport>(
            "init",
            "fairfile init --format json",
            Some(crate::scaffold::INIT_SCHEMA),
            "docs/config.md",
        ),
        output::<crate::attest::NewKey>(
            "key",
            "fairfile key new --format json",
            Some(crate::attest::KEY_SCHEMA),
            "docs/attest.md",
        ),
        output::<crate::attest::Signed>(
            "sign",
            "fairfile sign --format json",
            Some(crate::attest::SIGN_SCHEMA),
            "docs/attest.md",
        ),
        output::<crate::status::StatusReport>(
            "status",
            "fairfile status --format json",
            Some(crate::status::STATUS_SCHEMA),
            "docs/status-json.md",
        ),
    ]
}

/// The committed file's contents: pretty JSON with a final newline.
pub fn to_file_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is JSON");
    text.push('\n');
    text
}

fn output<T: JsonSchema>(
    name: &'static str,
    command: &'static str,
    id: Option<&'static str>,
    doc: &'static str,
) -> OutputSchema {
    // The contract of what is written (fields skipped when empty are optional; every other
    // field, `#[serde(default)]` ones included, is always present).
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".into(), format!("`{command}`").into());
    schema.insert(
        "description".into(),
        format!(
            "{}documented in {doc}. Fields may be added within a schema id; none is renamed or removed.",
            id.map(|id| format!("Schema id `{id}`, ")).unwrap_or_default()
        )
        .into(),
    );
    if let Some(id) = id {
        // The `schema` field names the version: pin it, so a reader's validation catches a
        // document of another version.
        if let Some(field) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("schema"))
            .and_then(|s| s.as_object_mut())
        {
            field.insert("const".into(), id.into());
        }
    }
    OutputSchema {
        name,
        command,
        id,
        doc,
        schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_versioned_output_pins_its_schema_id() {
        for s in all() {
            if let Some(id) = s.id {
                assert_eq!(s.schema.get("properties").unwrap()["schema"]["const"], id);
            }
            assert!(to_file_text(&s.schema).ends_with("}\n"));
        }
    }
}
