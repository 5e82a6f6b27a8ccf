//! The LL144 summary of results as one self-contained web page: LL144 requires the summary to be
//! "made publicly available on the employment section of the website" of the employer or
//! employment agency (Admin. Code § 20-871(a)(2), 6 RCNY § 5-303).
//!
//! Generated with askama from `templates/ll144-summary.html`, compiled into the binary and
//! checked at compile time; askama escapes every value for HTML by default, and the template marks
//! nothing safe, so a name like `<script>` prints as text. The page reads the PDF's view model
//! ([`super::model::build`]), so every figure is the string [`crate::format`] spelled for the PDF.
//! No external resources: inline styles only, no scripts, fonts or images, and a
//! Content-Security-Policy that forbids loading anything.

use std::collections::BTreeMap;

use askama::Template;

use super::view::{FlagLabel, Model, RowModel};
use super::{DocumentKind, RenderContext};
use crate::diag::{Error, Result};
use crate::seal::output_file_name;

#[derive(Template)]
#[template(path = "ll144-summary.html")]
struct SummaryPage<'a> {
    m: &'a Model,
    /// BCP 47 tag for `<html lang>` (`en`, `en-US`).
    lang: String,
    /// The PDF of the same version, named on the page.
    pdf_file: String,
    unknown_sex: &'a str,
    unknown_race: &'a str,
    unknown_both: &'a str,
    rate_label_lower: String,
    reference_label_capitalised: String,
    below_four_fifths_capitalised: String,
    any_small: bool,
    reference: &'a FlagLabel,
    small: &'a FlagLabel,
    excluded: &'a FlagLabel,
    small_sample: &'a FlagLabel,
}

impl SummaryPage<'_> {
    /// The flag marks after a category name (as the PDF's `marked`): ` †‡*` or nothing.
    fn marks(&self, row: &RowModel) -> String {
        marks(row)
    }
}

fn marks(row: &RowModel) -> String {
    use crate::format::Flag;
    let marks: String = [
        (row.small, Flag::Small),
        (row.excluded, Flag::Excluded),
        (row.small_sample, Flag::SmallSample),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| f.mark())
    .collect();
    if marks.is_empty() {
        marks
    } else {
        format!(" {marks}")
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Render the public web page of `kind` (only the LL144 summary has one).
pub fn render_page(kind: DocumentKind, ctx: &RenderContext<'_>) -> Result<Vec<u8>> {
    if kind != DocumentKind::Ll144Summary {
        return Err(Error::Other(format!(
            "{} has no web page; only the LL144 summary is published on a website",
            kind.slug()
        )));
    }
    let lang = super::language(ctx.audit)?;
    let tag = match &lang.1 {
        Some(region) => format!("{}-{region}", lang.0),
        None => lang.0.clone(),
    };
    let model = super::model::build(kind, ctx, &BTreeMap::new(), lang);
    let unknown_of = |key: &str| {
        model
            .results
            .dimensions
            .iter()
            .find(|d| d.key == key)
            .map_or(crate::format::DASH, |d| d.unknown.as_str())
    };
    let flag = |key: &str| {
        model
            .labels
            .flags
            .get(key)
            .ok_or_else(|| Error::Other(format!("flag {key:?} has no label; this is a bug")))
    };
    let page = SummaryPage {
        m: &model,
        lang: tag,
        pdf_file: output_file_name(
            ctx.audit.config.audit.get_ref().id.get_ref(),
            kind,
            ctx.version,
        ),
        unknown_sex: unknown_of("sex"),
        unknown_race: unknown_of("race_ethnicity"),
        unknown_both: unknown_of("intersectional"),
        rate_label_lower: model.results.rate_label.to_lowercase(),
        reference_label_capitalised: capitalised(model.results.reference_label),
        below_four_fifths_capitalised: capitalised(flag("below_four_fifths")?.name),
        any_small: model.results.dimensions.iter().any(|d| d.any_small),
        reference: flag("reference")?,
        small: flag("small")?,
        excluded: flag("excluded")?,
        small_sample: flag("small_sample")?,
    };
    let html = page
        .render()
        .map_err(|e| Error::Render(format!("cannot render the LL144 web page: {e}")))?;
    Ok(html.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(small: bool, excluded: bool, small_sample: bool) -> RowModel {
        RowModel {
            category: "Asian".into(),
            sex: None,
            race: None,
            n: "10".into(),
            count: "5".into(),
            rate: "50.0%".into(),
            impact_ratio: "0.900".into(),
            share: "1.0%".into(),
            ci: "—".into(),
            fisher_p: "—".into(),
            four_fifths_flag: false,
            small,
            excluded,
            reference: false,
            small_sample,
            null_reasons: vec![],
        }
    }

    #[test]
    fn marks_are_the_pdfs_in_its_order() {
        assert_eq!(marks(&row(false, false, false)), "");
        assert_eq!(marks(&row(true, false, false)), " †");
        assert_eq!(marks(&row(true, true, true)), " †‡*");
        assert_eq!(capitalised("below 4/5"), "Below 4/5");
        assert_eq!(capitalised(""), "");
    }
}
