//! `fairfile init`: write a new audit folder ([`crate::scaffold`]), never overwriting a file.

use std::path::PathBuf;

use super::Outcome;
use crate::Result;
use crate::config::Outcome as DataOutcome;
use crate::diag::{Error, InputError, Location};
use crate::frameworks::FrameworkSet;
use crate::scaffold::{self, Options};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  fairfile init my-audit --framework nyc-ll144\n  fairfile init my-audit --framework nyc-ll144 --framework eu-ai-act --role employer --role deployer\n  fairfile init . --framework eu-ai-act --role provider --outcome scoring\n  fairfile init my-audit --framework nyc-ll144 --format json   # the files written, as JSON\n\nThen fill in every \"FILL IN\" value of fairfile.toml, put the data in data/ (data/README.md),\nand run `fairfile check DIR`: it lists what is still to do. Each evidence/*.md template counts\nonce it is written and its `draft = true` line removed.\n\nExit status: 0 written; 2 usage errors, or a file that already exists (nothing is written)."
)]
pub struct InitArgs {
    /// The folder to create or fill (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Framework(s) to check against; repeat or comma-separate for both.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        required = true,
        value_name = "FRAMEWORK"
    )]
    pub framework: Vec<InitFramework>,
    /// Your role(s), which decide the obligations that apply (repeatable). Default: `employer`
    /// for nyc-ll144 and `deployer` for eu-ai-act, i.e. an employer using a hiring tool.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ROLE")]
    pub role: Vec<InitRole>,
    /// What the tool outputs: a selection decision (6 RCNY §5-301(b)) or a score (§5-301(c)).
    #[arg(long, value_enum, default_value_t = InitOutcome::Selection)]
    pub outcome: InitOutcome,
    /// Report format: the next steps as text on stderr, or the files written as JSON on stdout.
    #[arg(long, value_enum, default_value_t = super::args::Format::Table)]
    pub format: super::args::Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitFramework {
    /// NYC Local Law 144 and 6 RCNY §§ 5-300 – 5-304.
    #[value(name = "nyc-ll144")]
    NycLl144,
    /// EU AI Act (Regulation (EU) 2024/1689), high-risk employment systems.
    #[value(name = "eu-ai-act")]
    EuAiAct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitRole {
    /// LL144: uses the tool to screen candidates or employees in New York City.
    Employer,
    /// LL144: employment agency using the tool.
    #[value(name = "employment_agency")]
    EmploymentAgency,
    /// EU AI Act Art 3(3): develops the system or has it developed and places it on the market.
    Provider,
    /// EU AI Act Art 3(4): uses the system under its authority.
    Deployer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitOutcome {
    Selection,
    Scoring,
}

pub fn run(args: InitArgs) -> Result<Outcome> {
    let options = Options {
        frameworks: args
            .framework
            .iter()
            .map(|f| match f {
                InitFramework::NycLl144 => "nyc-ll144",
                InitFramework::EuAiAct => "eu-ai-act",
            })
            .map(String::from)
            .collect(),
        roles: args
            .role
            .iter()
            .map(|r| match r {
                InitRole::Employer => "employer",
                InitRole::EmploymentAgency => "employment_agency",
                InitRole::Provider => "provider",
                InitRole::Deployer => "deployer",
            })
            .map(String::from)
            .collect(),
        outcome: match args.outcome {
            InitOutcome::Selection => DataOutcome::Selection,
            InitOutcome::Scoring => DataOutcome::Scoring,
        },
        today: chrono::Local::now().date_naive(),
    };
    let files = scaffold::scaffold(&options, &FrameworkSet::shipped()?)?;

    // Every target is checked before anything is written: an existing file means nothing changes.
    let mut existing: Vec<InputError> = files
        .iter()
        .map(|f| args.dir.join(&f.path))
        .filter(|p| p.exists() || p.is_symlink())
        .map(|p| {
            InputError::new(
                Location::file(&p),
                "already exists; `fairfile init` never overwrites a file",
            )
            .with_help("choose a new folder, or move the existing files away; nothing was written")
        })
        .collect();
    if !existing.is_empty() {
        return Err(if existing.len() == 1 {
            existing.remove(0).into()
        } else {
            Error::Inputs(existing)
        });
    }
    for f in &files {
        let path = args.dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        // create_new: a file appearing since the check above is still not overwritten.
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        std::io::Write::write_all(&mut out, f.contents.as_bytes())
            .map_err(|e| Error::io(&path, e))?;
    }
    let templates = files
        .iter()
        .filter(|f| f.path.starts_with("evidence/"))
        .count();
    let dir = args.dir.display();
    if args.format == super::args::Format::Json {
        super::print_json(&scaffold::InitReport {
            schema: scaffold::INIT_SCHEMA.to_string(),
            dir: dir.to_string(),
            frameworks: options.frameworks.clone(),
            roles: if options.roles.is_empty() {
                scaffold::default_roles(&options.frameworks)
            } else {
                options.roles.clone()
            },
            files: files
                .iter()
                .map(|f| scaffold::InitFile {
                    path: f.path.clone(),
                    sha256: crate::hash::sha256_hex(f.contents.as_bytes()),
                    evidence_template: f.path.starts_with("evidence/"),
                })
                .collect(),
            next: vec![
                format!("fill in every \"FILL IN\" value of {dir}/fairfile.toml"),
                format!("put the data in {dir}/data/ (see its README.md)"),
                format!("fairfile check {dir}"),
            ],
        })?;
        return Ok(Outcome::Success);
    }
    eprintln!(
        "wrote {} files in {dir}: fairfile.toml, data/README.md, .gitignore and {templates} evidence templates\n\
next: fill in every \"FILL IN\" value of {dir}/fairfile.toml, put the data in {dir}/data/ (see its README.md),\n\
      then run `fairfile check {dir}` to see what is still to do",
        files.len()
    );
    Ok(Outcome::Success)
}
