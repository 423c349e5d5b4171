//! `bench-runner aws` against moto's server on loopback (its Lambda backend that runs no code): deploy
//! creates, tags, updates and waits; nothing happens without --yes; run forces cold starts by
//! environment changes, sweeps memory sizes and records every invocation; clean deletes only what
//! deploy created; a missing CLI, Region or credentials is said plainly. No test touches real AWS.
//! (The log-tail decoding is checked against real `LogResult`s in the unit tests of src/aws.rs.)

#![allow(dead_code)]

#[path = "../../tests/common/moto.rs"]
mod moto;

use moto::Moto;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn runner(moto: &Moto, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-runner"))
        .arg("aws")
        .args(args)
        .args(["--endpoint-url", &moto.endpoint])
        .envs(Moto::ENV)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("TMPDIR", dir.join("scratch"))
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Two built variants as bench-runner/build.sh leaves them: a NativeAOT `bootstrap` and a .NET 8
/// publish folder (framework-dependent, in `<name>.lambda`), with their `.info` and a manifest.
fn variants(dir: &Path) -> PathBuf {
    let build = dir.join("build");
    std::fs::create_dir_all(build.join("aot")).unwrap();
    std::fs::create_dir_all(build.join("jit.lambda")).unwrap();
    std::fs::write(build.join("aot/bootstrap"), "#!/bin/sh\n").unwrap();
    std::fs::write(build.join("jit.lambda/Function.dll"), "MZ").unwrap();
    std::fs::write(build.join("aot.info"), "runtime=.NET 10\nbuild_mode=NativeAOT\nrid=linux-arm64\nexe=bootstrap\n")
        .unwrap();
    std::fs::write(
        build.join("jit.info"),
        format!(
            "runtime=.NET 8\nbuild_mode=JIT\nrid=linux-x64\nexe=Function.dll\nlambda_package={}\npackage_bytes=875985\n",
            build.join("jit.lambda").display()
        ),
    )
    .unwrap();
    let manifest = dir.join("test.manifest");
    std::fs::write(
        &manifest,
        "# name | sources | build | handler | memory | label\n\
         aot | x | x | bootstrap | 256 | NativeAOT .NET 10\n\
         jit | x | x | Function | 512 | Regular .NET 8\n",
    )
    .unwrap();
    manifest
}

fn configuration(moto: &Moto, name: &str) -> serde_json::Value {
    serde_json::from_str(&moto.aws(&["lambda", "get-function-configuration", "--function-name", name])).unwrap()
}

fn function_names(moto: &Moto) -> Vec<String> {
    let out = moto.aws(&["lambda", "list-functions", "--query", "Functions[].FunctionName", "--output", "text"]);
    let mut names: Vec<String> = out.split_whitespace().map(str::to_string).collect();
    names.sort();
    names
}

#[test]
fn deploy_run_and_clean_against_the_local_aws_api() {
    let Some(moto) = Moto::start() else { return };
    moto.lambda_without_docker();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("scratch")).unwrap();
    let manifest = variants(dir);
    let role = moto
        .aws(&[
            "iam",
            "create-role",
            "--role-name",
            "bench",
            "--assume-role-policy-document",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            "--query",
            "Role.Arn",
            "--output",
            "text",
        ])
        .trim()
        .to_string();
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "--manifest",
            manifest.to_str().unwrap(),
            "--build-dir",
            "build",
            "--env",
            "TABLE_NAME=items",
            "--prefix",
            "t-",
        ];
        args.extend(extra);
        runner(&moto, dir, &args)
    };

    // Without --role, or without --yes, nothing is created.
    let o = deploy(&["--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--role"), "{}", text(&o));
    let o = deploy(&["--role", &role]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("t-aot (NativeAOT .NET 10): provided.al2023 arm64, handler bootstrap, 256 MB"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("t-jit (Regular .NET 8): dotnet8 x86_64, handler Function, 512 MB"), "{}", text(&o));
    assert!(function_names(&moto).is_empty());

    // Created as Lambda wants each package, tagged, with the environment.
    let o = deploy(&["--role", &role, "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(function_names(&moto), ["t-aot", "t-jit"]);
    let aot = configuration(&moto, "t-aot");
    assert_eq!(aot["Runtime"], "provided.al2023");
    assert_eq!(aot["Handler"], "bootstrap");
    assert_eq!(aot["Architectures"][0], "arm64");
    assert_eq!(aot["MemorySize"], 256);
    assert_eq!(aot["Timeout"], 30);
    assert_eq!(aot["Environment"]["Variables"]["TABLE_NAME"], "items");
    let jit = configuration(&moto, "t-jit");
    assert_eq!((jit["Runtime"].as_str(), jit["Handler"].as_str()), (Some("dotnet8"), Some("Function")));
    let tags = moto.aws(&["lambda", "list-tags", "--resource", jit["FunctionArn"].as_str().unwrap()]);
    assert!(tags.contains("\"created-by\": \"bench-runner\""), "{tags}");

    // Deploying again updates in place.
    let o = deploy(&["--role", &role, "--yes", "--timeout", "45", "aot"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("updated t-aot"), "{}", text(&o));
    assert_eq!(configuration(&moto, "t-aot")["Timeout"], 45);

    // Run: the cost guard first; nothing is invoked without --yes.
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--function", "t-jit", "--cold", "2", "--warm", "3", "--variant", "Regular .NET 8"];
        args.extend(extra);
        runner(&moto, dir, &args)
    };
    let o = run(&["--memory", "512,1024"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // 2 sizes x (2 + 3) invocations; bound: (0.5 + 1 GB) x (5 x 30 s + 2 x 10 s) x $0.0000166667 + 10 requests.
    let bound = 1.5 * (5.0 * 30.0 + 2.0 * 10.0) * 0.0000166667 + 10.0 * 0.2e-6;
    assert!(text(&o).contains("10 invocations (2 cold + 3 warm at 512, 1024 MB)"), "{}", text(&o));
    assert!(text(&o).contains(&format!("at most ${bound:.4}")), "{}", text(&o));
    let o = run(&["--memory", "512,1024", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    // Every invocation is recorded, the cold ones (one per environment) flagged; moto returns no log tail.
    let ledger = std::fs::read_to_string(dir.join("bench-results/lambda/aws-invocations.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = ledger.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 10, "{ledger}");
    assert_eq!(rows.iter().filter(|r| r[3] == "true").count(), 6, "{ledger}");
    assert_eq!(rows.iter().filter(|r| r[2] == "512").count(), 5, "{ledger}");
    assert!(rows.iter().all(|r| r[1] == "t-jit" && r[5] == "no log tail" && r[6] == "200"), "{ledger}");
    // Each environment is its own stream: 2 sizes x (2 cold + 1 warm).
    let streams: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[4]).collect();
    assert_eq!(streams.len(), 6, "{ledger}");
    assert!(text(&o).contains("10 invocations, 0 failed, 10 without a log tail"), "{}", text(&o));
    // The default event and the responses were scratch files, and are gone.
    assert_eq!(std::fs::read_dir(dir.join("scratch")).unwrap().count(), 0);
    // The forced cold starts changed the environment, and kept what was there; the sweep's last size stays.
    let jit = configuration(&moto, "t-jit");
    assert_eq!(jit["Environment"]["Variables"]["TABLE_NAME"], "items");
    assert!(jit["Environment"]["Variables"]["BENCH_RUNNER_COLD_START"].is_string(), "{jit}");
    assert_eq!(jit["MemorySize"], 1024);

    // A function deploy did not create is refused, and survives clean.
    let zip = dir.join("other.zip");
    let zipped =
        Command::new("zip").args(["-q", "-j"]).arg(&zip).arg(dir.join("build/aot/bootstrap")).status().unwrap();
    assert!(zipped.success());
    moto.aws(&[
        "lambda",
        "create-function",
        "--function-name",
        "t-other",
        "--runtime",
        "provided.al2023",
        "--handler",
        "bootstrap",
        "--role",
        &role,
        "--zip-file",
        &format!("fileb://{}", zip.display()),
    ]);
    let o = runner(&moto, dir, &["clean"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("2 function(s) tagged created-by=bench-runner"), "{}", text(&o));
    let o = runner(&moto, dir, &["clean", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(function_names(&moto), ["t-other"]);
}

#[test]
fn what_is_missing_is_said() {
    let Some(moto) = Moto::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // No Region anywhere.
    let o = Command::new(env!("CARGO_BIN_EXE_bench-runner"))
        .args(["aws", "clean", "--endpoint-url", &moto.endpoint])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no AWS Region"), "{}", text(&o));
    // No credentials.
    let o = Command::new(env!("CARGO_BIN_EXE_bench-runner"))
        .args(["aws", "clean", "--endpoint-url", &moto.endpoint, "--region", "us-east-1"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("has no working credentials"), "{}", text(&o));
    // No CLI at all.
    let o = Command::new(env!("CARGO_BIN_EXE_bench-runner"))
        .args(["aws", "clean"])
        .env("PATH", tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("the AWS CLI (`aws`) cannot be run"), "{}", text(&o));
    // A run of a function that does not exist names it.
    let o = runner(&moto, tmp.path(), &["run", "--function", "nope", "--cold", "1", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("ResourceNotFoundException"), "{}", text(&o));
    let _ = root();
}
