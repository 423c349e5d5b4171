//! `lambdastat report s3://BUCKET/PREFIX` against a real S3 implementation
//! (moto's server on loopback): the same numbers as the tree read from disk,
//! credentials and endpoint found as AWS tools find them, errors naming the
//! bucket and key.

mod common;

use assert_cmd::Command;
use common::Moto;
use std::path::Path;

fn lambdastat() -> Command {
    let mut c = Command::cargo_bin("lambdastat").unwrap();
    c.env_remove("AWS_PROFILE").env("AWS_CONFIG_FILE", "/dev/null").env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    c
}

fn functions(out: &Path) -> serde_json::Value {
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    summary["functions"].clone()
}

#[test]
fn an_s3_export_tree_reads_as_it_does_from_disk() {
    let Some(moto) = Moto::start() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tree = root.join("sample-logs/s3-export");
    moto.aws(&["s3", "mb", "s3://exports"]);
    moto.aws(&["s3", "cp", "--recursive", "--quiet", tree.to_str().unwrap(), "s3://exports/team-a/"]);
    let tmp = tempfile::tempdir().unwrap();

    let local = tmp.path().join("local");
    lambdastat().args(["report", "-q", "--out"]).arg(&local).arg(&tree).assert().success();
    // The endpoint from the flag; credentials from the environment.
    let remote = tmp.path().join("remote");
    lambdastat()
        .args(["report", "-q", "s3://exports/team-a/", "--endpoint-url", &moto.endpoint, "--out"])
        .arg(&remote)
        .envs(Moto::ENV)
        .assert()
        .success();
    let expected = functions(&local);
    assert_eq!(expected.as_array().unwrap().len(), 1);
    assert_eq!(functions(&remote), expected);

    // The endpoint from AWS_ENDPOINT_URL_S3; credentials and Region from a profile's files.
    let creds = tmp.path().join("credentials");
    std::fs::write(
        &creds,
        "[default]\naws_access_key_id = x\n[team]\naws_access_key_id = AKIA0\naws_secret_access_key = s\n",
    )
    .unwrap();
    let config = tmp.path().join("config");
    std::fs::write(&config, "[profile team]\nregion = eu-west-1\n").unwrap();
    let by_profile = tmp.path().join("by-profile");
    lambdastat()
        .args(["report", "-q", "s3://exports/team-a", "--out"])
        .arg(&by_profile)
        .env("AWS_ENDPOINT_URL_S3", &moto.endpoint)
        .env("AWS_PROFILE", "team")
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_CONFIG_FILE", &config)
        .assert()
        .success();
    assert_eq!(functions(&by_profile), expected);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(by_profile.join("summary.json")).unwrap()).unwrap();
    let first = summary["inputs"]["per_file"][0]["path"].as_str().unwrap();
    assert!(first.starts_with("s3://exports/team-a/aws/lambda/LambdaRegularDemo/"), "{first}");

    // Errors name the bucket (and prefix) and say what S3 said.
    for (url, said) in [
        (
            "s3://no-such-bucket/x/",
            "s3://no-such-bucket/x/: NoSuchBucket: The specified bucket does not exist (HTTP 404)",
        ),
        ("s3://exports/nothing-here/", "s3://exports/nothing-here/: no objects under this prefix"),
    ] {
        let out = lambdastat()
            .args(["report", url, "--endpoint-url", &moto.endpoint, "--out"])
            .arg(tmp.path().join("none"))
            .envs(Moto::ENV)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let stderr = String::from_utf8_lossy(&out);
        assert!(stderr.contains(said), "{stderr}");
    }
}
