//! `fairfile diff`: what changed between two sealed versions (`crate::diff`), as a table or as the
//! JSON of `docs/diff-json.md`.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::Outcome;
use super::args::{AuditDir, Format};
use crate::Result;
use crate::check::Status;
use crate::diff::{CategoryChange, CategoryDiff, Diff, FamilyDiff};
use crate::format;
use crate::seal::short_hash;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// The older version (`2` or `v2`; default: the one before the latest).
    #[arg(value_name = "vA", value_parser = parse_version)]
    pub from: Option<u32>,
    /// The newer version (default: the latest).
    #[arg(value_name = "vB", value_parser = parse_version)]
    pub to: Option<u32>,
    /// Output folder holding the sealed versions (default: AUDIT_DIR/dist).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `2` or `v2`.
pub(super) fn parse_version(text: &str) -> std::result::Result<u32, String> {
    let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
    match digits.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{text:?} is not a version; write it as 2 or v2 (see `fairfile verify` for the sealed versions)"
        )),
    }
}

pub fn run(args: DiffArgs) -> Result<Outcome> {
    let dir = &args.audit.audit_dir;
    if !dir.exists()
        && let Some(v) = dir.to_str().and_then(|t| parse_version(t).ok())
    {
        return Err(crate::diag::InputError::new(
            crate::diag::Location::file(dir),
            "no such audit folder",
        )
        .with_help(format!(
            "the audit folder comes first: `fairfile diff . v{v}` compares version {v} with the latest"
        ))
        .into());
    }
    let out_dir = args
        .out
        .unwrap_or_else(|| args.audit.audit_dir.join(crate::pipeline::DEFAULT_OUT_DIR));
    let diff = crate::diff::load(&out_dir, args.from, args.to)?;
    match args.format {
        Format::Json => super::print_json(&diff)?,
        Format::Table => super::print_text(&table(&diff))?,
    }
    Ok(Outcome::Success)
}

/// `old → new`, or just the value when it did not change.
fn arrow(old: &str, new: &str) -> String {
    if old == new {
        old.to_string()
    } else {
        format!("{old} → {new}")
    }
}

fn opt<T: Copy>(value: Option<T>, f: impl FnOnce(T) -> String) -> String {
    format::or_dash(value, f)
}

/// The terminal report.
pub fn table(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: version {} ({}) → version {} ({})",
        d.audit_id,
        d.from.version,
        format::date(d.from.build_date),
        d.to.version,
        format::date(d.to.build_date)
    );
    let _ = writeln!(
        out,
        "Content hash: {}{}",
        arrow(
            short_hash(&d.from.input_digest),
            short_hash(&d.to.input_digest)
        ),
        if d.content_hash_changed {
            ""
        } else {
            " (every input identical)"
        }
    );

    let _ = writeln!(out, "\nInputs");
    if d.inputs.is_empty() {
        let _ = writeln!(out, "  none added, removed or changed");
    }
    for i in &d.inputs {
        let hashes = match (&i.old_sha256, &i.new_sha256) {
            (Some(o), Some(n)) => arrow(short_hash(o), short_hash(n)),
            (None, Some(n)) => short_hash(n).to_string(),
            (Some(o), None) => short_hash(o).to_string(),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:8} {:10} {}  {hashes}",
            i.change.as_str(),
            i.role,
            i.path
        );
    }

    let m = &d.metrics;
    let _ = writeln!(out, "\nMetrics that moved");
    if m.old_total != m.new_total {
        let _ = writeln!(
            out,
            "  Individuals assessed: {}",
            arrow(&format::count(m.old_total), &format::count(m.new_total))
        );
    }
    if m.old_median_score != m.new_median_score {
        let _ = writeln!(
            out,
            "  Median score: {}",
            arrow(
                &opt(m.old_median_score, format::number),
                &opt(m.new_median_score, format::number)
            )
        );
    }
    let moved: Vec<&FamilyDiff> = m.families.iter().filter(|f| f.moved).collect();
    if moved.is_empty() {
        let _ = writeln!(
            out,
            "  none: every rate, impact ratio and count is the same"
        );
    }
    let count_name = match m.new_mode {
        crate::config::Outcome::Selection => "selected",
        crate::config::Outcome::Scoring => "above median",
    };
    for f in moved {
        let _ = writeln!(out, "  {}", format::dimension_title(&f.family));
        if f.old_provided != f.new_provided {
            let said = |p: bool| if p { "provided" } else { "not provided" };
            let _ = writeln!(
                out,
                "    {}",
                arrow(said(f.old_provided), said(f.new_provided))
            );
        }
        let _ = writeln!(
            out,
            "    unknown: {}",
            arrow(&format::count(f.old_unknown), &format::count(f.new_unknown))
        );
        if f.old_reference != f.new_reference {
            let _ = writeln!(
                out,
                "    reference category: {}",
                arrow(
                    f.old_reference.as_deref().unwrap_or(format::DASH),
                    f.new_reference.as_deref().unwrap_or(format::DASH)
                )
            );
        }
        for c in &f.categories {
            category_lines(&mut out, c, count_name);
        }
    }

    let _ = writeln!(out, "\nObligations whose status changed");
    if d.obligations.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let label = |s: Option<Status>| s.map_or("(absent)", Status::label);
    for o in &d.obligations {
        let _ = writeln!(
            out,
            "  {}/{}  {}: {}",
            o.framework,
            o.id,
            o.cite,
            arrow(label(o.old_status), label(o.new_status))
        );
        let _ = writeln!(out, "    {}", o.title);
        if let Some(reason) = o.new_reason.as_ref().or(o.old_reason.as_ref()) {
            let _ = writeln!(out, "    └ {reason}");
        }
    }

    let _ = writeln!(out, "\nDocuments (SHA-256 of each file)");
    for doc in &d.documents {
        let hash = |h: &Option<String>| {
            h.as_deref()
                .map_or_else(|| "(absent)".to_string(), |h| short_hash(h).to_string())
        };
        let _ = writeln!(
            out,
            "  {} ({}): {}{}",
            doc.document,
            doc.format,
            arrow(&hash(&doc.old_sha256), &hash(&doc.new_sha256)),
            if doc.changed { "" } else { " (unchanged)" }
        );
    }
    out
}

fn category_lines(out: &mut String, c: &CategoryDiff, count_name: &str) {
    let n = |v: Option<u64>| opt(v, format::count);
    let what = match c.change {
        CategoryChange::Appeared => " (appeared)",
        CategoryChange::Disappeared => " (disappeared)",
        CategoryChange::Moved => "",
    };
    let _ = writeln!(out, "    {}{what}", c.category);
    let _ = writeln!(
        out,
        "      n {}, {count_name} {}",
        arrow(&n(c.old_n), &n(c.new_n)),
        arrow(&n(c.old_count), &n(c.new_count))
    );
    let _ = writeln!(
        out,
        "      rate {}{}",
        arrow(
            &opt(c.old_rate, format::rate),
            &opt(c.new_rate, format::rate)
        ),
        c.rate_difference
            .filter(|_| c.old_rate != c.new_rate)
            .map(|x| format!(" ({})", format::rate_difference(x)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "      impact ratio {}{}",
        arrow(
            &opt(c.old_impact_ratio, format::ratio),
            &opt(c.new_impact_ratio, format::ratio)
        ),
        c.impact_ratio_difference
            .filter(|_| c.old_impact_ratio != c.new_impact_ratio)
            .map(|x| format!(" ({})", format::difference(x)))
            .unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_written_as_2_or_v2() {
        assert_eq!(parse_version("2"), Ok(2));
        assert_eq!(parse_version("v12"), Ok(12));
        assert!(parse_version("0").is_err());
        assert!(parse_version("latest").unwrap_err().contains("2 or v2"));
    }

    #[test]
    fn a_moved_category_reads_old_arrow_new_with_the_difference() {
        let c = CategoryDiff {
            category: "Female".into(),
            change: CategoryChange::Moved,
            old_n: Some(1200),
            new_n: Some(1200),
            old_count: Some(480),
            new_count: Some(450),
            old_rate: Some(0.4),
            new_rate: Some(0.375),
            rate_difference: Some(0.375 - 0.4),
            old_impact_ratio: Some(0.813),
            new_impact_ratio: Some(0.79),
            impact_ratio_difference: Some(0.79 - 0.813),
        };
        let mut out = String::new();
        category_lines(&mut out, &c, "selected");
        assert_eq!(
            out,
            "    Female\n      n 1,200, selected 480 → 450\n      rate 40.0% → 37.5% (−2.5 pp)\n      \
             impact ratio 0.813 → 0.790 (−0.023)\n"
        );
    }
}
