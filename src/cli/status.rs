//! `fairfile status`: what is due and when (`crate::status`), as a table, JSON
//! (`docs/status-json.md`) or an iCalendar file.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::Outcome;
use super::args::{AuditDir, parse_date};
use super::terminal::Terminal;
use crate::Result;
use crate::format;
use crate::pipeline::LoadedAudit;
use crate::status::{DeadlineState, StatusReport};

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// Count days from this day, YYYY-MM-DD (default: today). Evidence is also checked as of it.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Output format: a table, the JSON of docs/status-json.md, or an iCalendar file (RFC 5545).
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
    /// Only deadlines within this many days (overdue ones are always listed).
    #[arg(long, value_name = "DAYS")]
    pub within: Option<u32>,
    /// Write to this file instead of stdout (written whole, or not at all).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit with status 1 when any deadline is overdue (for a scheduled job that should alert).
    #[arg(long)]
    pub fail_on_overdue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// A readable terminal report.
    Table,
    /// The documented JSON schema (docs/status-json.md).
    Json,
    /// An iCalendar file: one all-day event per deadline, stable UIDs.
    Ics,
}

pub fn run(args: StatusArgs) -> Result<Outcome> {
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let loaded = LoadedAudit::load(&args.audit.audit_dir, &Terminal::new())?;
    let check = loaded.check(as_of)?;
    let mut report = crate::status::deadlines(
        &loaded.audit,
        &loaded.frameworks,
        &loaded.evidence,
        &check,
        as_of,
    );
    if let Some(days) = args.within {
        report
            .deadlines
            .retain(|d| d.state == DeadlineState::Overdue || d.days_remaining <= i64::from(days));
    }
    let text = match args.format {
        StatusFormat::Table => render_table(&report),
        StatusFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| crate::Error::Other(e.to_string()))?;
            s.push('\n');
            s
        }
        StatusFormat::Ics => crate::status::ics::to_ics(&report),
    };
    match &args.out {
        Some(path) => crate::seal::write_atomic(path, text.as_bytes())?,
        None if args.format == StatusFormat::Table => super::print_styled(&text)?,
        None => super::print_text(&text)?,
    }
    let overdue = report
        .deadlines
        .iter()
        .any(|d| d.state == DeadlineState::Overdue);
    Ok(if args.fail_on_overdue && overdue {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// One line per deadline: date, days remaining, state, what; the rule and the file indented below.
fn render_table(report: &StatusReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Deadlines for {} as of {} ({} in all)\n",
        report.audit_id,
        format::date(report.as_of),
        format::count(report.deadlines.len() as u64)
    );
    if report.deadlines.is_empty() {
        out.push_str("Nothing is due: no dated rule applies to this audit yet.\n");
        return out;
    }
    for d in &report.deadlines {
        let (style, label) = match d.state {
            DeadlineState::Overdue => (anstyle::AnsiColor::Red.on_default().bold(), "OVERDUE"),
            DeadlineState::Due => (anstyle::AnsiColor::Yellow.on_default().bold(), "due"),
            DeadlineState::Done => (anstyle::AnsiColor::Green.on_default(), "done"),
            DeadlineState::Info => (anstyle::Style::new(), "info"),
        };
        let _ = writeln!(
            out,
            "{}  {:>12}  {style}{label:<7}{style:#}  {}",
            format::date(d.date),
            days(d.days_remaining),
            d.what
        );
        let mut refs = Vec::new();
        if let Some(ob) = &d.obligation {
            refs.push(match &d.cite {
                Some(c) => format!("{ob} ({c})"),
                None => ob.clone(),
            });
        }
        if let Some(ev) = &d.evidence {
            refs.push(ev.clone());
        }
        if !refs.is_empty() {
            let _ = writeln!(out, "{:36}{}", "", refs.join(" · "));
        }
    }
    out
}

fn days(n: i64) -> String {
    match n {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        -1 => "1 day ago".to_string(),
        n if n > 0 => format!("in {} days", format::count(n as u64)),
        n => format!("{} days ago", format::count(n.unsigned_abs())),
    }
}
