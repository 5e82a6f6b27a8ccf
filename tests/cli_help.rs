//! The command line teaches itself (issue 9), through the real binary: every command's `--help`
//! has a purpose line, explained arguments, examples and the exit statuses; `fairfile` alone says
//! where to start; no colour reaches a pipe or a `NO_COLOR` user; `--quiet` silences warnings;
//! completions and the manual page are generated from the same definition.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn fairfile() -> Command {
    let mut cmd = Command::cargo_bin("fairfile").unwrap();
    // The tests decide colour themselves; the caller's environment must not.
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

fn run(args: &[&str]) -> Output {
    fairfile().args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-resumerank")
}

/// The command names listed under "Commands:" in a help text (clap's own `help` left out).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

/// Every command and subcommand, as argument paths (`["frameworks", "show"]`), found by walking
/// the help itself, so a command added later is held to the same standard.
fn all_commands() -> Vec<Vec<String>> {
    let top = stdout(&run(&["--help"]));
    let mut all = Vec::new();
    for name in listed_commands(&top) {
        let help = stdout(&run(&[&name, "--help"]));
        for sub in listed_commands(&help) {
            all.push(vec![name.clone(), sub]);
        }
        all.push(vec![name]);
    }
    all
}

#[test]
fn every_command_help_has_purpose_arguments_example_and_exit_codes() {
    let commands = all_commands();
    for expected in [
        "metrics",
        "check",
        "build",
        "verify",
        "diff",
        "sql",
        "recheck",
        "completions",
        "man",
    ] {
        assert!(
            commands.iter().any(|c| c == &[expected]),
            "{expected} not listed in --help: {commands:?}"
        );
    }
    assert!(commands.iter().any(|c| c == &["frameworks", "show"]));
    for command in &commands {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(&args);
        assert!(out.status.success(), "{args:?}");
        let help = stdout(&out);
        let purpose = help.lines().next().unwrap_or("");
        assert!(
            purpose.len() > 20 && !purpose.starts_with("Usage"),
            "{args:?}: no purpose line: {purpose:?}"
        );
        assert!(help.contains("Usage: fairfile "), "{args:?}");
        assert!(
            help.contains("\nExamples:\n  fairfile "),
            "{args:?}: no example\n{help}"
        );
        assert!(
            help.contains("Exit status"),
            "{args:?}: no exit codes\n{help}"
        );
        // Every argument and option explained: each entry line is followed by a description.
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let entry = line.trim_start();
            let is_entry = line.starts_with("  ")
                && !line.starts_with("   ")
                && (entry.starts_with('-') || entry.starts_with('<') || entry.starts_with('['));
            let in_options = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.starts_with(' ') && !l.is_empty())
                .is_some_and(|h| h.ends_with("options:") || *h == "Options:" || *h == "Arguments:");
            if is_entry && in_options {
                // Short help puts the text on the same line; long help on the next one.
                let same_line = entry
                    .split_once("  ")
                    .is_some_and(|(_, text)| text.trim().len() > 3);
                let next = lines.get(i + 1).copied().unwrap_or("");
                let next_line = next.starts_with("          ") && next.trim().len() > 3;
                assert!(
                    same_line || next_line,
                    "{args:?}: {entry} is not explained\n{help}"
                );
            }
        }
    }
}

#[test]
fn top_level_help_documents_exit_codes() {
    let help = stdout(&run(&["--help"]));
    for line in [
        "  0  success",
        "  1  findings",
        "  2  usage or input error",
        "  3  internal failure",
    ] {
        assert!(help.contains(line), "{line:?} missing\n{help}");
    }
}

#[test]
fn no_command_prints_start_here_and_exits_0() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let init = text.find("fairfile init").expect("mentions init");
    let check = text.find("fairfile check").expect("mentions check");
    let build = text.find("fairfile build").expect("mentions build");
    assert!(init < check && check < build, "{text}");
    assert!(out.stderr.is_empty());
}

#[test]
fn missing_config_says_what_to_run_next() {
    let dir = tempfile::tempdir().unwrap();
    let out = fairfile().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no fairfile.toml"), "{err}");
    assert!(
        err.contains(&format!(
            "run `fairfile init {} --framework nyc-ll144`",
            dir.path().display()
        )),
        "{err}"
    );
    assert!(
        err.starts_with("error: ") && !has_ansi(&out.stderr),
        "{err}"
    );
    let coloured = fairfile()
        .arg("check")
        .arg(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(has_ansi(&coloured.stderr));
    let no_color = fairfile()
        .arg("check")
        .arg(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(no_color.stderr, out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(
        run(&["--quiet", "--verbose", "check"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
    let bad_date = run(&["check", ".", "--as-of", "2026-13-01"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("expected a date as YYYY-MM-DD"));
}

fn has_ansi(bytes: &[u8]) -> bool {
    bytes.contains(&0x1b)
}

#[test]
fn check_table_colours_status_names_only_when_allowed() {
    let check = |env: &[(&str, &str)]| {
        let mut cmd = fairfile();
        cmd.arg("check").arg(example());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        out
    };
    // Forced colour proves there is colour to remove (or the other two cases prove nothing).
    let forced = check(&[("CLICOLOR_FORCE", "1")]);
    assert!(has_ansi(&forced.stdout));
    assert!(stdout(&forced).contains("\u{1b}[32mMet"));
    // Not a terminal (the test's pipe): plain text.
    let piped = check(&[]);
    assert!(!has_ansi(&piped.stdout) && !has_ansi(&piped.stderr));
    // NO_COLOR wins even over CLICOLOR_FORCE.
    let no_color = check(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!has_ansi(&no_color.stdout) && !has_ansi(&no_color.stderr));
    // Same text once the colour is stripped: the table's layout does not depend on it.
    assert_eq!(stdout(&piped), stdout(&no_color));
}

#[test]
fn help_has_no_ansi_with_no_color_or_in_a_pipe() {
    let piped = run(&["check", "--help"]);
    assert!(!has_ansi(&piped.stdout));
    let no_color = fairfile()
        .args(["check", "--help"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!has_ansi(&no_color.stdout));
}

/// A copy of the check fixture with an evidence file no document names: `check --format json`
/// warns about it on stderr.
fn audit_with_warning() -> tempfile::TempDir {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/audit"),
        dir.path(),
    );
    std::fs::write(dir.path().join("evidence/photo.jpg"), b"jpeg").unwrap();
    dir
}

#[test]
fn quiet_suppresses_warnings_and_verbose_adds_detail() {
    let dir = audit_with_warning();
    let json = |flag: Option<&str>| {
        let mut cmd = fairfile();
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        let out = cmd
            .arg("check")
            .arg(dir.path())
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out
    };
    let normal = json(None);
    assert!(String::from_utf8_lossy(&normal.stderr).contains("warning: [E009"));
    let quiet = json(Some("--quiet"));
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    // The result itself is unchanged.
    assert_eq!(quiet.stdout, normal.stdout);
    // The global flag may come after the command, too.
    let out = fairfile()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());

    let verbose = json(Some("--verbose"));
    let err = String::from_utf8_lossy(&verbose.stderr);
    assert!(err.contains("warning: [E009"), "{err}");
    assert!(err.contains("reading ") && err.contains(" bytes)"), "{err}");
    assert!(err.contains("fairfile check: done in "), "{err}");
    // No progress bar drawing reaches a pipe.
    assert!(!err.contains('\r') && !has_ansi(&verbose.stderr), "{err}");
}

#[test]
fn completions_for_each_shell_mention_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(script.len() > 500, "{shell}: {} bytes", script.len());
        for sub in [
            "metrics",
            "check",
            "build",
            "verify",
            "diff",
            "recheck",
            "frameworks",
        ] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("fail-on"), "{shell}: no check options");
    }
}

#[test]
fn man_page_is_roff_and_renders() {
    let out = run(&["man"]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(page.contains(".TH fairfile 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    assert!(page.contains("fairfile\\-check(1)"));

    let dir = tempfile::tempdir().unwrap();
    let out = fairfile()
        .args(["--quiet", "man", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    for page in [
        "fairfile.1",
        "fairfile-check.1",
        "fairfile-frameworks-show.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    let check = std::fs::read_to_string(dir.path().join("fairfile-check.1")).unwrap();
    assert!(check.contains("Examples:") && check.contains("\\-\\-fail\\-on"));

    // Rendered by the real formatter where the machine has one (groff, as `man` uses).
    match std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-Wall", "-z"])
        .arg(dir.path().join("fairfile.1"))
        .output()
    {
        Ok(rendered) => {
            assert!(rendered.status.success());
            let rendered = std::process::Command::new("groff")
                .args(["-man", "-Tascii", "-P-c", "-P-b", "-P-u"])
                .arg(dir.path().join("fairfile.1"))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(
                text.contains("SYNOPSIS") && text.contains("completions"),
                "{text}"
            );
        }
        Err(e) => eprintln!("groff not available ({e}); rendering not checked"),
    }
}
