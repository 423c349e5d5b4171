//! Comparisons against a baseline (checked against an independent
//! computation), `lambdastat check` passing and failing, trends from history,
//! and the example GitHub Actions workflow.

mod common;
use assert_cmd::Command;
use common::numpy_linear;
use predicates::prelude::*;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

fn lambdastat(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("lambdastat").unwrap();
    c.current_dir(cwd);
    c
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// The test's own generator (not the tool's): a 64-bit LCG.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Standard normal upper tail by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7),
/// a different method from the tool's.
fn normal_sf(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * x.abs());
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
            * t
            * (-x * x).exp();
    let erf = if x >= 0.0 { y } else { -y };
    0.5 * (1.0 - erf)
}

/// Mann-Whitney two-sided p by pair counting (U = pairs x > y plus half ties).
fn mann_whitney_p(x: &[f64], y: &[f64]) -> f64 {
    let mut u = 0.0;
    for a in x {
        for b in y {
            u += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let n = n1 + n2;
    let mut all: Vec<f64> = x.iter().chain(y).copied().collect();
    all.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < all.len() {
        let j = all[i..].iter().take_while(|v| **v == all[i]).count();
        ties += (j * j * j - j) as f64;
        i += j;
    }
    let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    let z = ((u - n1 * n2 / 2.0).abs() - 0.5).max(0.0) / sigma;
    2.0 * normal_sf(z)
}

/// Percentile-bootstrap 95% CI of median(c)/median(b), the test's own way.
fn bootstrap_ratio_ci(b: &[f64], c: &[f64], p: f64, resamples: usize) -> (f64, f64) {
    let mut rng = Lcg(12345);
    let mut ratios: Vec<f64> = (0..resamples)
        .map(|_| {
            let rb: Vec<f64> = (0..b.len()).map(|_| b[rng.below(b.len())]).collect();
            let rc: Vec<f64> = (0..c.len()).map(|_| c[rng.below(c.len())]).collect();
            numpy_linear(&rc, p) / numpy_linear(&rb, p)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (numpy_linear(&ratios, 0.025), numpy_linear(&ratios, 0.975))
}

fn write_init_log(path: &Path, prefix: &str, inits: &[f64]) {
    let mut s = String::new();
    for (i, init) in inits.iter().enumerate() {
        s.push_str(&format!(
            "REPORT RequestId: {prefix}-{i:08}\tDuration: 10.00 ms\tBilled Duration: {} ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\tInit Duration: {init:.2} ms\t\n",
            (10.0 + init).ceil()
        ));
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, s).unwrap();
}

fn comparison<'a>(s: &'a Value, name: &str, metric: &str) -> &'a Value {
    s["comparisons"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap()
}

#[test]
fn comparison_matches_an_independent_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Lcg(99);
    // Overlapping samples, rounded to the 2 decimals logs print.
    let base: Vec<f64> = (0..80).map(|_| (1000 + rng.below(400)) as f64 + rng.below(100) as f64 / 100.0).collect();
    let cand: Vec<f64> = (0..60).map(|_| (900 + rng.below(420)) as f64 + rng.below(100) as f64 / 100.0).collect();
    write_init_log(&tmp.path().join("logs/aws/lambda/Base.log"), "b", &base);
    write_init_log(&tmp.path().join("logs/aws/lambda/Cand.log"), "c", &cand);
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out", "-q", "--baseline", "Base", "--resamples", "4000"])
        .assert()
        .success();
    let s = read_json(&tmp.path().join("out/summary.json"));
    assert_eq!(s["baseline"], "Base");
    let m = comparison(&s, "Cand", "cold_start_p50");
    let ratio = numpy_linear(&cand, 0.5) / numpy_linear(&base, 0.5);
    assert!((m["ratio"].as_f64().unwrap() - ratio).abs() < 1e-12, "{} vs {ratio}", m["ratio"]);
    let p = mann_whitney_p(&cand, &base);
    assert!((m["p_value"].as_f64().unwrap() - p).abs() < 1e-5, "{} vs {p}", m["p_value"]);
    let (lo, hi) = bootstrap_ratio_ci(&base, &cand, 0.5, 4000);
    let (tlo, thi) = (m["ci95"][0].as_f64().unwrap(), m["ci95"][1].as_f64().unwrap());
    let width = hi - lo;
    assert!(
        (tlo - lo).abs() < 0.15 * width && (thi - hi).abs() < 0.15 * width,
        "tool [{tlo}, {thi}] vs test [{lo}, {hi}]"
    );
    assert!(tlo <= ratio && ratio <= thi);
    assert_eq!((m["n"].as_u64(), m["n_baseline"].as_u64()), (Some(60), Some(80)));
    // The same seed gives the same interval; another seed a slightly different one.
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out2", "-q", "--baseline", "Base", "--resamples", "4000"])
        .assert()
        .success();
    assert_eq!(
        comparison(&read_json(&tmp.path().join("out2/summary.json")), "Cand", "cold_start_p50")["ci95"],
        m["ci95"]
    );
    // P99 from fewer than 100 values is called out; n < 30 is "too few to say".
    assert!(comparison(&s, "Cand", "cold_start_p99")["note"].as_str().unwrap().contains("effectively the maximum"));
    write_init_log(&tmp.path().join("logs/aws/lambda/Tiny.log"), "t", &cand[..12]);
    lambdastat(tmp.path()).args(["report", "logs", "-o", "out3", "-q", "--baseline", "Base"]).assert().success();
    let tiny = comparison(&read_json(&tmp.path().join("out3/summary.json")), "Tiny", "cold_start_p50").clone();
    assert_eq!(tiny["verdict"], "too few to say");
    assert!(tiny["sentence"].as_str().unwrap().contains("too few to say: n = 12 vs 80"));
    // A baseline that names no group is an error that lists the groups.
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out4", "--baseline", "Nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Nope").and(predicate::str::contains("Base")));
}

/// Init Durations straight from the log text, the test's own way.
fn init_values(text: &str) -> Vec<f64> {
    text.lines()
        .filter(|l| l.contains("REPORT RequestId"))
        .filter_map(|l| l.split("Init Duration: ").nth(1))
        .map(|v| v.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn sample_logs_compared_with_regular() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    // The repository's lambdastat.toml labels the variants and names the baseline.
    lambdastat(root)
        .args(["report", "sample-logs", "-o", tmp.path().to_str().unwrap(), "-q", "--resamples", "4000"])
        .assert()
        .success();
    let s = read_json(&tmp.path().join("summary.json"));
    assert_eq!(s["baseline"], "Regular .NET 8");
    // Regular from the S3 export (.gz), AOT .NET 9 from the `aws logs tail` text.
    let mut regular = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("sample-logs/s3-export/aws/lambda/LambdaRegularDemo")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "gz") {
            let mut text = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(entry.path()).unwrap()).read_to_string(&mut text).unwrap();
            regular.extend(init_values(&text));
        }
    }
    let aot9 =
        init_values(&std::fs::read_to_string(root.join("sample-logs/text/aws/lambda/LambdaAOTDemo9.log")).unwrap());
    let m = comparison(&s, "NativeAOT .NET 9", "cold_start_p50");
    let ratio = numpy_linear(&aot9, 0.5) / numpy_linear(&regular, 0.5);
    assert!((m["ratio"].as_f64().unwrap() - ratio).abs() < 1e-12);
    let (lo, hi) = bootstrap_ratio_ci(&regular, &aot9, 0.5, 4000);
    let (tlo, thi) = (m["ci95"][0].as_f64().unwrap(), m["ci95"][1].as_f64().unwrap());
    assert!(
        (tlo - lo).abs() < 0.15 * (hi - lo) && (thi - hi).abs() < 0.15 * (hi - lo),
        "[{tlo}, {thi}] vs [{lo}, {hi}]"
    );
    assert!(mann_whitney_p(&aot9, &regular) < 0.001 && m["p_value"].as_f64().unwrap() < 0.001);
    assert_eq!(m["verdict"], "better");
    let sentence = m["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with(&format!(
            "NativeAOT .NET 9: cold start P50 {:.1}x faster than Regular .NET 8, 95% CI",
            1.0 / ratio
        )),
        "{sentence}"
    );
    assert!(sentence.ends_with("p < 0.001"), "{sentence}");
    let html = std::fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(html.contains("Compared with Regular .NET 8") && html.contains(&sentence.replace('<', "&lt;")));
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("## Compared with Regular .NET 8"));
}

#[test]
fn check_passes_and_fails_where_it_should() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Lcg(5);
    let inits: Vec<f64> = (0..200).map(|_| 500.0 + rng.below(100) as f64).collect();
    write_init_log(&tmp.path().join("logs/aws/lambda/Fn.log"), "a", &inits);
    lambdastat(tmp.path()).args(["report", "logs", "-o", "old", "-q"]).assert().success();
    // Limits on the summary: pass, then fail (exit 1) with the markdown table written.
    lambdastat(tmp.path())
        .args(["check", "old/summary.json", "--max", "init_ms.p99=1000", "--min", "invocations=100"])
        .assert()
        .success()
        .stdout(predicate::str::contains("init_ms.p99 <= 1000").and(predicate::str::contains("2 passed, 0 failed")));
    lambdastat(tmp.path())
        .args(["check", "old/summary.json", "--max", "init_ms.p99=550", "--markdown", "summary.md"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"));
    let md = std::fs::read_to_string(tmp.path().join("summary.md")).unwrap();
    assert!(md.contains("### lambdastat check: FAILED") && md.contains("| Fn | init_ms.p99 <= 550 |"), "{md}");
    // Check straight from the logs, no summary needed.
    lambdastat(tmp.path()).args(["check", "logs", "--max", "init_ms.p50=600", "-q"]).assert().success();

    // Same distribution, new random draw: noise, not a regression.
    let again: Vec<f64> = (0..200).map(|_| 500.0 + rng.below(100) as f64).collect();
    write_init_log(&tmp.path().join("logs/aws/lambda/Fn.log"), "a", &again);
    lambdastat(tmp.path()).args(["report", "logs", "-o", "noise", "-q"]).assert().success();
    lambdastat(tmp.path())
        .args([
            "check",
            "noise/summary.json",
            "--against",
            "old/summary.json",
            "--max-regression",
            "10%",
            "--metric",
            "init_ms.p50",
            "--metric",
            "init_ms.p99",
        ])
        .assert()
        .success();
    // 40% slower cold starts: a regression beyond 10% even at the ends of the intervals.
    let slower: Vec<f64> = again.iter().map(|v| v * 1.4).collect();
    write_init_log(&tmp.path().join("logs/aws/lambda/Fn.log"), "a", &slower);
    lambdastat(tmp.path()).args(["report", "logs", "-o", "new", "-q"]).assert().success();
    lambdastat(tmp.path())
        .args(["check", "new/summary.json", "--against", "old/summary.json", "--max-regression", "10%"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("init_ms.p50 regression <= 10%").and(predicate::str::contains("FAIL")));
    // Usage errors exit 2.
    lambdastat(tmp.path()).args(["check", "old/summary.json"]).assert().code(2);
    lambdastat(tmp.path()).args(["check", "old/summary.json", "--max", "init_ms.p99=fast"]).assert().code(2);
    lambdastat(tmp.path())
        .args(["check", "old/summary.json", "--against", "logs/aws/lambda/Fn.log", "--max", "errors=0"])
        .assert()
        .code(2);
}

#[test]
fn history_draws_a_trend() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("history")).unwrap();
    for (i, scale) in [1.0, 1.1, 0.9].iter().enumerate() {
        let inits: Vec<f64> = (0..50).map(|k| (700 + k * 3) as f64 * scale).collect();
        write_init_log(&tmp.path().join("logs/aws/lambda/Fn.log"), "a", &inits);
        let out = format!("run{i}");
        lambdastat(tmp.path())
            .args(["report", "logs", "-o", &out, "-q", "--run-label", &format!("build-{i}")])
            .assert()
            .success();
        std::fs::copy(tmp.path().join(&out).join("summary.json"), tmp.path().join(format!("history/{i}.json")))
            .unwrap();
    }
    std::fs::write(tmp.path().join("history/notes.json"), "{\"not\": \"a summary\"}").unwrap();
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out", "-q", "--history", "history", "--run-label", "now"])
        .assert()
        .success();
    let html = std::fs::read_to_string(tmp.path().join("out/index.html")).unwrap();
    assert!(html.contains("Trend over 4 runs"), "three earlier summaries and this run");
    for label in ["build-0", "build-1", "build-2", "now"] {
        assert!(html.contains(label), "{label}");
    }
    assert!(tmp.path().join("out/trend-cold-start-p50.svg").is_file());
    let md = std::fs::read_to_string(tmp.path().join("out/report.md")).unwrap();
    assert!(md.contains("![trend-cold-start-p50.svg](trend-cold-start-p50.svg)"));
}

#[test]
fn example_workflow_is_valid_and_uses_real_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(".github/workflows/lambdastat.yml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML");
    let wf = &docs[0];
    let on = &wf["on"];
    assert!(!on["push"].is_badvalue() && !on["schedule"].is_badvalue(), "runs on push and on a schedule");
    assert_eq!(wf["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(wf["permissions"]["id-token"].as_str(), Some("write"));
    let steps = wf["jobs"]["report"]["steps"].as_vec().expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/upload-pages-artifact@")));
    assert!(uses.iter().any(|u| u.starts_with("actions/deploy-pages@")));
    let runs: String = steps.iter().filter_map(|s| s["run"].as_str()).collect::<Vec<_>>().join("\n");
    assert!(runs.contains("GITHUB_STEP_SUMMARY") && runs.contains("report.md"));
    // Every lambdastat flag the workflow uses exists in that subcommand's --help.
    let joined = runs.replace("\\\n", " ");
    let mut checked = 0;
    for sub in ["report", "check"] {
        let help = String::from_utf8(lambdastat(root).args([sub, "--help"]).output().unwrap().stdout).unwrap();
        for line in joined.lines().filter(|l| l.contains(&format!("lambdastat {sub}"))) {
            for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
                let flag = flag.trim_start_matches("${previous:+").split('=').next().unwrap();
                assert!(help.contains(flag), "workflow uses `{flag}`, unknown to `lambdastat {sub}`");
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "found only {checked} flags");
}
