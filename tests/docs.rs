//! The documentation's runnable examples (`console` blocks in `docs/*.md`) run against the built binary,
//! and the front door works: `--help` shows examples that parse, completions and the man page are
//! generated, and NO_COLOR turns colour off.

use assert_cmd::Command;

#[test]
fn runnable_examples_in_the_docs() {
    // The examples write under target/doc-examples/ and read sample-logs/, from the repository's root.
    std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/target/doc-examples")).unwrap();
    trycmd::TestCases::new().register_bin("lambdastat", trycmd::cargo::cargo_bin!("lambdastat")).case("docs/*.md");
}

fn lambdastat(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("lambdastat").unwrap().args(args).env_remove("NO_COLOR").output().unwrap()
}

#[test]
fn help_shows_examples_that_parse() {
    use clap::Parser;
    for cmd in [&["--help"][..], &["report", "--help"], &["check", "--help"]] {
        let out = lambdastat(cmd);
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        let examples: Vec<&str> = help
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("{cmd:?}: no examples"))
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("lambdastat "))
            .collect();
        assert!(examples.len() >= 3, "{cmd:?}: {examples:?}");
        for line in examples {
            let args = shell_words(line);
            if let Err(e) = lambdastat::cli::Cli::try_parse_from(&args) {
                panic!("{cmd:?}: the example `{line}` does not parse: {e}");
            }
        }
    }
}

/// Splits a command line as a shell would, for the quoting the examples use.
fn shell_words(line: &str) -> Vec<String> {
    let line = line.split(" | ").last().unwrap();
    let mut words = Vec::new();
    let (mut word, mut quoted, mut any) = (String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            _ => (word.push(c), any = true).1,
        }
    }
    if any {
        words.push(word);
    }
    words
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = lambdastat(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("lambdastat") && text.contains("max-regression"), "{shell}: {text:.200}");
    }
    let man = String::from_utf8(lambdastat(&["man"]).stdout).unwrap();
    assert!(man.contains(".TH lambdastat 1") && man.contains("report") && man.contains("check"), "{man:.300}");
    assert!(!lambdastat(&["completions", "tcsh"]).status.success());
}

#[test]
fn no_color_is_honoured() {
    let esc = |out: &std::process::Output| out.stdout.contains(&0x1b) || out.stderr.contains(&0x1b);
    let run = |no_color: bool, args: &[&str]| {
        let mut c = Command::cargo_bin("lambdastat").unwrap();
        c.args(args).env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        c.output().unwrap()
    };
    // Colour is there when forced, so its absence under NO_COLOR means something.
    assert!(esc(&run(false, &["--help"])));
    assert!(!esc(&run(true, &["--help"])));
    assert!(esc(&run(false, &["report", "--no-such-flag"])));
    assert!(!esc(&run(true, &["report", "--no-such-flag"])));
}
