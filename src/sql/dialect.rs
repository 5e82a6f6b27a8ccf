//! SQL dialects: how each engine quotes identifiers and string literals, names its types, trims
//! text and computes an exact median.
//!
//! Everything user-written (column names from `fairfile.toml`, raw category values, table names)
//! reaches the query only through [`Dialect::ident`] and [`Dialect::string`], never spliced in as
//! SQL. The rules per engine, and why:
//!
//! | dialect | identifiers | string literals |
//! |---|---|---|
//! | `ansi` | `"name"`, `"` doubled | `'text'`, `'` doubled, backslash an ordinary character; with control characters the standard's `U&'…'` form (`\0009`) |
//! | `duckdb`, `postgres` | `"name"`, `"` doubled | `'text'`, `'` doubled; a value with a backslash or a control character is written `E'…'` with backslash escapes, which in PostgreSQL means the same whether `standard_conforming_strings` is on or off |
//! | `snowflake` | `"name"`, `"` doubled | `'text'` with backslash escapes (`\\`, `\'`, `\n`, `\t`, `\xhh`): Snowflake reads backslash escapes in every string constant |
//! | `spark` | `` `name` ``, `` ` `` doubled | `'text'` with backslash escapes (`\\`, `\'`, `\n`, `\uhhhh`); `''` would *concatenate* two literals in Spark, so a quote is escaped with a backslash |
//! | `bigquery` | `` `name` `` with backslash escapes | `'text'` with backslash escapes (`\\`, `\'`, `\n`, `\uhhhh`) |

use std::fmt;
use std::str::FromStr;

/// A SQL engine family that `fairfile sql` writes its aggregation query for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Dialect {
    /// Standard SQL (SQL:2008 ordered-set aggregates, `TRIM(BOTH … FROM …)`), e.g. Trino.
    Ansi,
    /// DuckDB (its CLI, the Python package, MotherDuck).
    Duckdb,
    /// PostgreSQL 9.4 or later (before 12, see docs/sql.md on printing the median).
    Postgres,
    /// Spark SQL 3.4 or later (Databricks included).
    Spark,
    /// BigQuery GoogleSQL.
    Bigquery,
    /// Snowflake.
    Snowflake,
}

impl Dialect {
    /// Every dialect, in the order the CLI lists them.
    pub const ALL: [Dialect; 6] = [
        Dialect::Ansi,
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Spark,
        Dialect::Bigquery,
        Dialect::Snowflake,
    ];

    /// The dialect's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Ansi => "ansi",
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// Whether string literals (and BigQuery's quoted identifiers) read backslash escape sequences.
    fn backslash_escapes(self) -> bool {
        matches!(
            self,
            Dialect::Spark | Dialect::Bigquery | Dialect::Snowflake
        )
    }

    /// Quote one identifier (a column, table or schema name) so that any name, including a
    /// reserved word, one with quotes in it, Unicode, or mixed case, means exactly itself.
    ///
    /// Quoted identifiers are case-sensitive everywhere: the name must be spelt as the engine
    /// stores it (PostgreSQL folds unquoted names to lower case, Snowflake to upper case).
    pub fn ident(self, name: &str) -> Result<String, QuoteError> {
        if name.is_empty() {
            return Err(QuoteError::EmptyIdentifier);
        }
        if name.contains('\0') {
            return Err(QuoteError::Nul(name.to_string()));
        }
        Ok(match self {
            Dialect::Ansi | Dialect::Duckdb | Dialect::Postgres | Dialect::Snowflake => {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::Bigquery => format!("`{}`", backslash_escaped(name, '`', self)),
        })
    }

    /// A string literal meaning exactly `value`. ASCII control characters (tab, line feed…) are
    /// written as escapes, so that the printed query survives being copied between tools.
    pub fn string(self, value: &str) -> Result<String, QuoteError> {
        if value.contains('\0') {
            return Err(QuoteError::Nul(value.to_string()));
        }
        let has_control = value.chars().any(|c| c.is_ascii_control());
        Ok(if self.backslash_escapes() {
            format!("'{}'", backslash_escaped(value, '\'', self))
        } else if matches!(self, Dialect::Postgres | Dialect::Duckdb)
            && (has_control || value.contains('\\'))
        {
            // An escape string constant: in PostgreSQL it means the same whether
            // standard_conforming_strings is on or off, and it spells control characters visibly.
            format!("E'{}'", backslash_escaped(value, '\'', self))
        } else if self == Dialect::Ansi && has_control {
            // The standard's Unicode escape literal (SQL:2003): `\XXXX`, and `\\` for a backslash.
            let mut out = String::from("U&'");
            for c in value.chars() {
                match c {
                    '\'' => out.push_str("''"),
                    '\\' => out.push_str("\\\\"),
                    c if c.is_ascii_control() => out.push_str(&format!("\\{:04X}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        } else {
            format!("'{}'", value.replace('\'', "''"))
        })
    }

    /// The type a raw value is cast to before it is compared with the mapping's text values.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Ansi | Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark | Dialect::Bigquery => "STRING",
        }
    }

    /// The IEEE 754 binary64 type scores are cast to: the same numbers fairfile parses from text.
    pub fn double_type(self) -> &'static str {
        match self {
            Dialect::Ansi | Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Duckdb | Dialect::Spark | Dialect::Snowflake => "DOUBLE",
            Dialect::Bigquery => "FLOAT64",
        }
    }

    /// `expr` with the characters of `chars` removed from both ends.
    pub fn trim(self, expr: &str, chars: &str) -> Result<String, QuoteError> {
        let chars = self.string(chars)?;
        Ok(match self {
            Dialect::Ansi | Dialect::Postgres | Dialect::Spark => {
                format!("TRIM(BOTH {chars} FROM {expr})")
            }
            Dialect::Duckdb | Dialect::Bigquery | Dialect::Snowflake => {
                format!("TRIM({expr}, {chars})")
            }
        })
    }

    /// An aggregate giving the *lower* middle value of the non-NULL values of `expr` (for an odd
    /// count, the middle value). With [`Dialect::upper_middle`] it gives the exact median as the
    /// average of the two middle values, computed in the query the same way fairfile computes it,
    /// instead of relying on each engine's interpolation arithmetic in `percentile_cont`.
    ///
    /// `PERCENTILE_DISC(0.5)` is the first value whose cumulative distribution reaches 0.5, i.e.
    /// the value at sorted position ⌈n/2⌉: the lower middle value for even n, the middle one for
    /// odd n. Ordering descending gives position ⌈n/2⌉ from the top: the upper middle value.
    ///
    /// BigQuery has `PERCENTILE_DISC` only as an analytic function; its query wraps it (see
    /// [`Dialect::median_is_analytic`]).
    pub fn lower_middle(self, expr: &str) -> String {
        match self {
            Dialect::Bigquery => format!("PERCENTILE_DISC({expr}, 0.5) OVER ()"),
            _ => format!("PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY {expr})"),
        }
    }

    /// The upper middle value (for an odd count, the middle value); see [`Dialect::lower_middle`].
    pub fn upper_middle(self, expr: &str) -> String {
        match self {
            // The lower middle value of the negated scores, negated back (negation is exact).
            Dialect::Bigquery => format!("-(PERCENTILE_DISC(-{expr}, 0.5) OVER ())"),
            _ => format!("PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY {expr} DESC)"),
        }
    }

    /// Whether [`Dialect::lower_middle`] is an analytic (window) function rather than an aggregate.
    pub fn median_is_analytic(self) -> bool {
        self == Dialect::Bigquery
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Dialect::ALL.iter().map(|d| d.name()).collect();
                format!(
                    "unknown SQL dialect {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Escape `text` for a backslash-escaping quoted form closed by `quote`.
fn backslash_escaped(text: &str, quote: char, dialect: Dialect) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => match dialect {
                // PostgreSQL's and DuckDB's escape strings, and Snowflake's literals, read `\xhh`;
                // Spark and BigQuery read `\uhhhh` (Spark has no `\f`: it would read `\f` as `f`).
                Dialect::Postgres | Dialect::Duckdb | Dialect::Snowflake => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                _ => out.push_str(&format!("\\u{:04x}", c as u32)),
            },
            c => out.push(c),
        }
    }
    out
}

/// A name or value that cannot be written into a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    /// SQL has no empty identifier.
    EmptyIdentifier,
    /// No engine stores a NUL character in text, so such a value can never match.
    Nul(String),
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuoteError::EmptyIdentifier => f.write_str("an empty name cannot be a SQL identifier"),
            QuoteError::Nul(s) => write!(
                f,
                "{s:?} contains a NUL character, which SQL text cannot hold"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_quote_reserved_words_and_quotes() {
        assert_eq!(Dialect::Postgres.ident("order").unwrap(), "\"order\"");
        assert_eq!(Dialect::Duckdb.ident("a\"b").unwrap(), "\"a\"\"b\"");
        assert_eq!(Dialect::Snowflake.ident("Gender").unwrap(), "\"Gender\"");
        assert_eq!(Dialect::Spark.ident("a`b").unwrap(), "`a``b`");
        assert_eq!(Dialect::Bigquery.ident("a`b\\c").unwrap(), "`a\\`b\\\\c`");
        assert_eq!(Dialect::Ansi.ident("género").unwrap(), "\"género\"");
        assert_eq!(Dialect::Ansi.ident(""), Err(QuoteError::EmptyIdentifier));
    }

    #[test]
    fn string_literals_per_dialect() {
        assert_eq!(Dialect::Ansi.string("it's").unwrap(), r"'it''s'");
        assert_eq!(Dialect::Ansi.string(r"a\b").unwrap(), r"'a\b'");
        assert_eq!(Dialect::Ansi.string("a\t\\'").unwrap(), r"U&'a\0009\\'''");
        assert_eq!(Dialect::Duckdb.string(r"a\b").unwrap(), r"E'a\\b'");
        assert_eq!(Dialect::Duckdb.string("a\tb").unwrap(), r"E'a\tb'");
        assert_eq!(Dialect::Duckdb.string("it's").unwrap(), r"'it''s'");
        assert_eq!(Dialect::Postgres.string(r"a\b'c").unwrap(), r"E'a\\b\'c'");
        assert_eq!(
            Dialect::Postgres.string("\u{1}\x0C").unwrap(),
            r"E'\x01\x0c'"
        );
        assert_eq!(Dialect::Spark.string("\x0C").unwrap(), r"'\u000c'");
        assert_eq!(Dialect::Postgres.string("plain").unwrap(), "'plain'");
        assert_eq!(Dialect::Postgres.string("").unwrap(), "''");
        assert_eq!(
            Dialect::Spark.string("it's \\ \n").unwrap(),
            r"'it\'s \\ \n'"
        );
        assert_eq!(
            Dialect::Spark.string("Überprüfung ✓").unwrap(),
            "'Überprüfung ✓'"
        );
        assert_eq!(
            Dialect::Bigquery.string("\u{1}\u{7f}").unwrap(),
            r"'\u0001\u007f'"
        );
        assert_eq!(Dialect::Snowflake.string("\u{1}'").unwrap(), r"'\x01\''");
        assert!(matches!(
            Dialect::Postgres.string("a\0"),
            Err(QuoteError::Nul(_))
        ));
    }

    #[test]
    fn dialect_names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(d.name().parse::<Dialect>().unwrap(), d);
        }
        assert!(
            "mysql"
                .parse::<Dialect>()
                .unwrap_err()
                .contains("expected one of ansi")
        );
    }
}
