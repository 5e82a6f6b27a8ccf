//! The adverse-impact analysis in the view model: its tables as strings (the cells `fairfile
//! metrics --analysis` prints, from [`crate::analysis::display`]) and the figures' data — a forest
//! plot per family and the cut-off chart — with positions as numbers and every label and the alt
//! text as strings spelled by [`crate::format`]. The templates draw with Typst's own primitives;
//! nothing here is Typst source.

use serde::Serialize;

use crate::analysis::cutoffs::CutoffAnalysis;
use crate::analysis::{Analysis, FamilyAnalysis, StrataAnalysis, display};
use crate::format::{self, DASH};
use crate::metrics::{Dimension, MetricsReport};

#[derive(Debug, Serialize)]
pub(crate) struct AnalysisModel {
    pub note: String,
    pub families: Vec<AnalysisFamilyModel>,
    /// What the columns of the family tables mean.
    pub columns_note: String,
    pub strata: Option<StrataModel>,
    pub cutoffs: Option<CutoffsModel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AnalysisFamilyModel {
    pub key: &'static str,
    pub title: &'static str,
    pub summary: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub forest: ForestModel,
}

/// A forest plot: each category's rate with its 95 % interval on a common axis, the reference
/// rate marked.
#[derive(Debug, Serialize)]
pub(crate) struct ForestModel {
    /// Everything the figure shows, in words and numbers (PDF/UA alternative description).
    pub alt: String,
    pub caption: String,
    /// Upper end of the rate axis (0 to it).
    pub axis_max: f64,
    pub ticks: Vec<Tick>,
    pub reference_rate: Option<f64>,
    pub points: Vec<ForestPoint>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Tick {
    pub at: f64,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct ForestPoint {
    pub category: String,
    /// `None` for a category with nobody (drawn as text only).
    pub rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The rate and its interval as in the results table.
    pub text: String,
    pub reference: bool,
    /// Impact ratio below the four-fifths value: drawn hollow and marked in the text.
    pub below_four_fifths: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct StrataModel {
    pub note: String,
    pub columns: String,
    pub count: String,
    pub strata_headers: Vec<String>,
    pub strata_rows: Vec<Vec<String>>,
    pub headers: Vec<&'static str>,
    pub families: Vec<StrataFamilyModel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct StrataFamilyModel {
    pub title: &'static str,
    pub rows: Vec<Vec<String>>,
    /// "Category: stratum, stratum" for each category with strata set aside.
    pub set_aside: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CutoffsModel {
    pub note: String,
    /// The cut-off in use and where it comes from, or why it is unknown.
    pub in_use: String,
    /// Set when the table could not be made.
    pub not_computed: Option<String>,
    pub mismatch: bool,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// The nearest cut-off meeting the policy value, in a sentence.
    pub nearest: String,
    pub chart: Option<CutoffChart>,
}

/// Each family's lowest impact ratio across cut-offs.
#[derive(Debug, Serialize)]
pub(crate) struct CutoffChart {
    pub alt: String,
    pub caption: String,
    pub x_min: f64,
    pub x_max: f64,
    pub x_ticks: Vec<Tick>,
    pub min_ratio: f64,
    pub min_ratio_label: String,
    pub in_use: Option<f64>,
    pub nearest: Option<f64>,
    pub series: Vec<CutoffSeries>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CutoffSeries {
    pub title: &'static str,
    /// `solid`, `dashed` or `dotted`, with the marker `circle`, `square` or `triangle`: the
    /// series differ in line and marker, not only in colour.
    pub style: &'static str,
    pub marker: &'static str,
    /// (cut-off, lowest impact ratio) where defined.
    pub points: Vec<(f64, f64)>,
}

pub(crate) fn build(m: &MetricsReport) -> Option<AnalysisModel> {
    let a = m.analysis.as_ref()?;
    let rate_label = match m.mode {
        crate::config::Outcome::Selection => "selection rate",
        crate::config::Outcome::Scoring => "scoring rate",
    };
    let families = [
        ("sex", &a.sex, &m.dimensions.sex),
        (
            "race_ethnicity",
            &a.race_ethnicity,
            &m.dimensions.race_ethnicity,
        ),
        (
            "intersectional",
            &a.intersectional,
            &m.dimensions.intersectional,
        ),
    ]
    .into_iter()
    .filter_map(|(key, f, d)| Some(family(key, f.as_ref()?, d, rate_label, m)))
    .collect();
    Some(AnalysisModel {
        note: a.note.clone(),
        families,
        columns_note: columns_note(a, m.mode),
        strata: a.strata.as_ref().map(strata),
        cutoffs: a.cutoffs.as_ref().map(cutoffs),
    })
}

fn columns_note(a: &Analysis, mode: crate::config::Outcome) -> String {
    let positive = match mode {
        crate::config::Outcome::Selection => "selected",
        crate::config::Outcome::Scoring => "above the median",
    };
    display::columns_note(a, positive)
}

fn family(
    key: &'static str,
    f: &FamilyAnalysis,
    d: &Dimension,
    rate_label: &str,
    m: &MetricsReport,
) -> AnalysisFamilyModel {
    let title = format::dimension_title(key);
    let summary = format!(
        "Reference {}; {} comparison{} (the Holm family); overall rate {}; {} unknown ({} positive).",
        f.reference.as_deref().unwrap_or("none"),
        f.comparisons,
        if f.comparisons == 1 { "" } else { "s" },
        format::or_dash(f.overall_rate, format::rate),
        format::count(f.unknown),
        format::count(f.unknown_positive),
    );
    AnalysisFamilyModel {
        key,
        title,
        summary,
        headers: display::CATEGORY_HEADERS.to_vec(),
        rows: f.categories.iter().map(display::category_cells).collect(),
        forest: forest(title, d, rate_label, m.policy.four_fifths_threshold),
    }
}

fn forest(title: &str, d: &Dimension, rate_label: &str, four_fifths: f64) -> ForestModel {
    let points: Vec<ForestPoint> = d
        .categories
        .iter()
        .map(|c| {
            let interval = match (c.ci95_low, c.ci95_high) {
                (Some(lo), Some(hi)) => format!(" [{}]", format::interval(lo, hi)),
                _ => String::new(),
            };
            let flagged = c.four_fifths_flag == Some(true);
            let text = match c.rate {
                Some(rate) => format!(
                    "{}{interval}{}{}",
                    format::rate(rate),
                    if c.reference { ", reference" } else { "" },
                    if flagged {
                        format!(", impact ratio below {}", format::ratio(four_fifths))
                    } else {
                        String::new()
                    }
                ),
                None => "no individuals".to_string(),
            };
            ForestPoint {
                category: c.category.clone(),
                rate: c.rate,
                low: c.ci95_low,
                high: c.ci95_high,
                text,
                reference: c.reference,
                below_four_fifths: flagged,
            }
        })
        .collect();
    let top = points
        .iter()
        .filter_map(|p| p.high.or(p.rate))
        .fold(0.0f64, f64::max);
    // The axis ends at the next tenth above every interval (at least 10 %), ticks every tenth
    // (every fifth of it beyond 50 %).
    let axis_max = ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let step = if axis_max > 0.5 { 0.2 } else { 0.1 };
    let ticks = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= axis_max + 1e-9)
        .map(|t| Tick {
            at: t,
            label: format::percent(t, 0),
        })
        .collect();
    let reference = d.categories.iter().find(|c| c.reference);
    let reference_rate = reference.and_then(|c| c.rate);
    let mut alt = format!(
        "Forest plot, {title}: the {rate_label} of each category with its 95% confidence interval"
    );
    if let (Some(r), Some(rate)) = (reference, reference_rate) {
        alt.push_str(&format!(
            "; dashed line at the reference rate, {} {}",
            r.category,
            format::rate(rate)
        ));
    }
    alt.push_str(". ");
    alt.push_str(
        &points
            .iter()
            .map(|p| format!("{}: {}", p.category, p.text))
            .collect::<Vec<_>>()
            .join("; "),
    );
    alt.push('.');
    ForestModel {
        alt,
        caption: format!(
            "{}: {} with its 95% confidence interval (Wilson) per category. Dashed line: the reference rate; square: the reference category; hollow circle: impact ratio below {} (context, not a pass mark).",
            title,
            rate_label,
            format::ratio(four_fifths)
        ),
        axis_max,
        ticks,
        reference_rate,
        points,
    }
}

fn strata(s: &StrataAnalysis) -> StrataModel {
    let families = [
        ("Sex", &s.sex),
        ("Race/ethnicity", &s.race_ethnicity),
        ("Intersectional categories", &s.intersectional),
    ]
    .into_iter()
    .filter_map(|(title, f)| {
        let f = f.as_ref()?;
        Some(StrataFamilyModel {
            title,
            rows: f.iter().map(display::stratified_cells).collect(),
            set_aside: f
                .iter()
                .filter(|c| !c.strata_set_aside.is_empty())
                .map(|c| format!("{}: {}", c.category, c.strata_set_aside.join(", ")))
                .collect(),
        })
    })
    .collect();
    StrataModel {
        note: s.note.clone(),
        columns: s.columns.join(", "),
        count: format::count(s.strata.len() as u64),
        strata_headers: vec![
            "Stratum".to_string(),
            "n".to_string(),
            "Positive".to_string(),
            "Rate".to_string(),
        ],
        strata_rows: s
            .strata
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    format::count(x.n),
                    format::count(x.positive),
                    format::or_dash(
                        (x.n > 0).then(|| x.positive as f64 / x.n as f64),
                        format::rate,
                    ),
                ]
            })
            .collect(),
        headers: display::STRATIFIED_HEADERS.to_vec(),
        families,
    }
}

fn cutoffs(c: &CutoffAnalysis) -> CutoffsModel {
    let in_use = match (&c.in_use, &c.in_use_source) {
        (Some(v), Some(source)) => format!("score ≥ {} ({source})", format::number(*v)),
        _ => c
            .null_reasons
            .get("in_use")
            .cloned()
            .unwrap_or_else(|| DASH.to_string()),
    };
    let nearest_cutoff = c.nearest_meeting_min.as_ref().map(|r| r.cutoff);
    let mut rows: Vec<&crate::analysis::cutoffs::CutoffRow> = c.rows.iter().collect();
    if let Some(n) = &c.nearest_meeting_min
        && !rows.iter().any(|r| r.cutoff == n.cutoff)
    {
        rows.push(n);
        rows.sort_by(|a, b| a.cutoff.total_cmp(&b.cutoff));
    }
    let nearest = match &c.nearest_meeting_min {
        Some(n) => format!(
            "Nearest cut-off at which every impact ratio is at least {}: score ≥ {}, selecting {} ({}). The value {} is {}.",
            format::ratio(c.min_impact_ratio),
            format::number(n.cutoff),
            format::count(n.selected),
            format::rate(n.selection_rate),
            format::ratio(c.min_impact_ratio),
            c.min_impact_ratio_basis,
        ),
        None => format!(
            "{}.",
            c.null_reasons
                .get("nearest_meeting_min")
                .map_or("No cut-off meets the policy value", String::as_str)
        ),
    };
    let chart = (!rows.is_empty()).then(|| chart(c, &rows, nearest_cutoff));
    CutoffsModel {
        note: c.note.clone(),
        in_use,
        not_computed: c.null_reasons.get("rows").cloned(),
        mismatch: c.in_use_matches_selection == Some(false),
        headers: display::CUTOFF_HEADERS.to_vec(),
        rows: rows
            .iter()
            .map(|r| display::cutoff_cells(r, nearest_cutoff, c.min_impact_ratio))
            .collect(),
        nearest,
        chart,
    }
}

fn chart(
    c: &CutoffAnalysis,
    rows: &[&crate::analysis::cutoffs::CutoffRow],
    nearest: Option<f64>,
) -> CutoffChart {
    let x_min = rows.first().map_or(0.0, |r| r.cutoff);
    let x_max = rows.last().map_or(1.0, |r| r.cutoff).max(x_min + 1e-9);
    let series = [
        ("Sex", "solid", "circle", 0usize),
        ("Race/ethnicity", "dashed", "square", 1),
        ("Intersectional", "dotted", "triangle", 2),
    ]
    .into_iter()
    .filter_map(|(title, style, marker, f)| {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| {
                let family = [&r.sex, &r.race_ethnicity, &r.intersectional][f];
                family.as_ref()?;
                Some((r.cutoff, display::family_lowest(family)?))
            })
            .collect();
        (!points.is_empty()).then_some(CutoffSeries {
            title,
            style,
            marker,
            points,
        })
    })
    .collect::<Vec<_>>();
    let ticks = rows
        .iter()
        .filter(|r| r.percentiles.iter().any(|p| p % 25 == 0) || r.in_use)
        .map(|r| Tick {
            at: r.cutoff,
            label: format::number(r.cutoff),
        })
        .collect();
    let mut alt = format!(
        "Line chart of the lowest impact ratio in each family of categories if everyone scoring at or above a cut-off were selected, for cut-offs from {} to {}, with a horizontal line at {}, a policy value and not a pass mark.",
        format::number(x_min),
        format::number(x_max),
        format::ratio(c.min_impact_ratio)
    );
    if let Some(v) = c.in_use {
        alt.push_str(&format!(" The cut-off in use is {}.", format::number(v)));
    }
    if let Some(v) = nearest {
        alt.push_str(&format!(
            " The nearest cut-off at which every impact ratio reaches the policy value is {}.",
            format::number(v)
        ));
    }
    // Per family, in words: where the line starts and ends, and its value at the marked cut-offs.
    for s in &series {
        let at = |x: Option<f64>| {
            x.and_then(|x| s.points.iter().find(|p| p.0 == x))
                .map(|p| format::ratio(p.1))
        };
        let (first, last) = (s.points[0], s.points[s.points.len() - 1]);
        alt.push_str(&format!(
            " {}: {} at the lowest cut-off and {} at the highest",
            s.title,
            format::ratio(first.1),
            format::ratio(last.1)
        ));
        if let Some(v) = at(c.in_use) {
            alt.push_str(&format!(", {v} at the cut-off in use"));
        }
        if let Some(v) = at(nearest) {
            alt.push_str(&format!(", {v} at the nearest cut-off meeting the value"));
        }
        alt.push('.');
    }
    alt.push_str(" Every value is in the table that follows.");
    CutoffChart {
        alt,
        caption: format!(
            "Lowest impact ratio per family across score cut-offs (selected: score at or above the cut-off). Sex: solid line, circles; race/ethnicity: dashed, squares; intersectional: dotted, triangles. Horizontal line: {} (policy value); vertical lines: the cut-off in use and the nearest cut-off meeting the value.",
            format::ratio(c.min_impact_ratio)
        ),
        x_min,
        x_max,
        x_ticks: ticks,
        min_ratio: c.min_impact_ratio,
        min_ratio_label: format::ratio(c.min_impact_ratio),
        in_use: c.in_use.filter(|v| *v >= x_min && *v <= x_max),
        nearest,
        series,
    }
}
