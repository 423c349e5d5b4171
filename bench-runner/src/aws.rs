//! `bench-runner aws`: the same suite on real Lambda, driven through the AWS CLI (a subprocess: the
//! runner stays std-only). `deploy` packages and creates (or updates) the variants `build.sh` built,
//! tagged as bench-runner's; `run` forces cold starts by changing an environment variable, invokes
//! with `LogType=Tail`, and writes each REPORT of the decoded log tails in the local mode's layout;
//! `clean` deletes what `deploy` created, and only that.

use crate::cloudwatch::{self, date_path, now_ms, Csv, LogEvent};
use crate::opts::Opts;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const USAGE: &str = "\
usage: bench-runner aws deploy --role ARN --yes [NAME...] [options]
       bench-runner aws run --function NAME --cold N --warm M [--memory MB,...] --yes [options]
       bench-runner aws clean --yes [options]

The suite on real AWS Lambda, through the AWS CLI (`aws`, v1 or v2), which must be installed with
credentials and a Region. Nothing is created, changed or invoked without --yes.

deploy: packages each variant bench-runner/build.sh built (NAMEs, default every line of --manifest) as
  Lambda wants it (a zip with `bootstrap` for provided.al2023; the publish folder for the managed .NET
  runtimes), creates or updates the function PREFIX<name> with it, tagged created-by=bench-runner, and
  waits until it is active and updated.
  --role ARN           the execution role (required)
  --manifest FILE      variants and their memory sizes (default bench-runner/dotnet.manifest)
  --prefix P           function name prefix (default lambdastat-)
  --timeout S          function timeout (default 30)
  --env K=V            environment variable (repeatable), e.g. --env TABLE_NAME=items

run: for each memory size, N cold starts (each after an environment variable change, waited for) with
  one invocation each, then M warm invocations; every invocation with LogType=Tail. Writes the REPORT
  lines as an S3 export (OUT/<function>/<stream>/000000.gz), rows of the benchmark CSV (environment
  `lambda`) and OUT/../aws-invocations.tsv (every invocation, failed ones too). Before invoking, prints
  the invocations and an upper bound of their cost.
  --function NAME      the function (any function, not only deployed ones)
  --cold N --warm M    as in local mode
  --memory MB,...      a memory sweep (default: the function's memory size)
  --event FILE         event JSON (default {})
  --out DIR            default bench-results/lambda/aws/lambda
  --csv FILE           default bench-results/lambda/benchmark.csv
  --variant LABEL      the CSV's variant column (default: the function name), suffixed ` · lambda`
  --build-info FILE    what build.sh recorded (package columns of the CSV)

clean: deletes every function tagged created-by=bench-runner (with --prefix, only those names).

import --function NAME FILE...: saved Invoke responses (the JSON of `aws lambda invoke --log-type Tail`
  or `sam remote invoke --output json`) into the same layout as run (--out, --csv, --variant,
  --build-info, --architecture); an invocation with an Init Duration starts a new log stream.

common: --region R, --profile P, --endpoint-url URL (a local AWS API such as moto's server)
";

/// The tag `deploy` puts on what it creates; `clean` deletes only functions carrying it.
const TAG_KEY: &str = "created-by";
const TAG_VALUE: &str = "bench-runner";
/// The variable `run` changes to force a new execution environment.
const COLD_VAR: &str = "BENCH_RUNNER_COLD_START";
/// Attempts of one AWS call when it is throttled or fails transiently (backoff doubles from 0.5 s).
const ATTEMPTS: u32 = 6;
/// Lambda's Init phase is capped at 10 s; the cost bound counts it on every cold start.
const INIT_MAX_S: f64 = 10.0;
/// The price table lambdastat uses too.
const PRICES: &str = include_str!("../../data/lambda-prices.tsv");

type Result<T> = std::result::Result<T, String>;

pub fn main(args: &[String]) -> Result<()> {
    let (command, rest) = args.split_first().ok_or_else(|| USAGE.to_string())?;
    let opts = Opts::parse(rest, &["yes", "help"])?;
    if opts.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    if command == "import" {
        return import(&opts);
    }
    let aws = Aws::new(&opts)?;
    match command.as_str() {
        "deploy" => deploy(&aws, &opts),
        "run" => run(&aws, &opts),
        "clean" => clean(&aws, &opts),
        other => Err(format!("unknown aws command `{other}`\n\n{USAGE}")),
    }
}

/// The AWS CLI, with the Region, profile and endpoint every call gets.
pub struct Aws {
    base: Vec<String>,
    pub region: String,
    pub version: String,
}

/// A failed AWS call: the error code the CLI printed (`ResourceNotFoundException`) and its message.
#[derive(Debug)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

impl Aws {
    /// Checks that the CLI is there and says which version, that a Region is set and that credentials
    /// work; each missing piece is named with what to do.
    fn new(opts: &Opts) -> Result<Aws> {
        let version = Command::new("aws").arg("--version").output().map_err(|e| {
            format!("the AWS CLI (`aws`) cannot be run ({e}): install it (pip install awscli, or AWS's installer)")
        })?;
        let text = String::from_utf8_lossy(&version.stdout).to_string() + &String::from_utf8_lossy(&version.stderr);
        let version = text
            .split_whitespace()
            .find_map(|w| w.strip_prefix("aws-cli/"))
            .ok_or(format!("`aws --version` printed `{}`, not an AWS CLI version", text.trim()))?
            .to_string();
        let mut base = Vec::new();
        for k in ["profile", "endpoint-url"] {
            if let Some(v) = opts.get(k) {
                base.extend([format!("--{k}"), v.to_string()]);
            }
        }
        let mut aws = Aws { base, region: String::new(), version };
        let region = match opts.get("region") {
            Some(r) => r.to_string(),
            None => ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
                .or_else(|| aws.call(&["configure", "get", "region"]).ok().map(|r| r.trim().to_string()))
                .filter(|r| !r.is_empty())
                .ok_or("no AWS Region: give --region, set AWS_REGION, or `aws configure set region REGION`")?,
        };
        aws.base.extend(["--region".to_string(), region.clone()]);
        aws.region = region;
        aws.call(&["sts", "get-caller-identity", "--query", "Account", "--output", "text"]).map_err(|e| {
            format!("the AWS CLI {} has no working credentials ({}: {})", aws.version, e.code, e.message)
        })?;
        Ok(aws)
    }

    /// Runs `aws ARGS`; throttling and transient errors are retried with backoff.
    pub fn call(&self, args: &[&str]) -> std::result::Result<String, CallError> {
        let mut wait = Duration::from_millis(500);
        for attempt in 1..=ATTEMPTS {
            let out = Command::new("aws")
                .args(&self.base)
                .args(args)
                .output()
                .map_err(|e| CallError { code: "CliNotRunnable".into(), message: e.to_string() })?;
            if out.status.success() {
                return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
            }
            let err = parse_cli_error(&String::from_utf8_lossy(&out.stderr));
            if !is_transient(&err.code) || attempt == ATTEMPTS {
                return Err(err);
            }
            std::thread::sleep(wait);
            wait *= 2;
        }
        unreachable!("the last attempt returns")
    }

    /// [`Aws::call`] with the operation named in the error, for the user.
    fn must(&self, args: &[&str]) -> Result<String> {
        self.call(args).map_err(|e| {
            let hint = if e.code.contains("AccessDenied") { " (the credentials lack this permission)" } else { "" };
            format!("aws {}: {}: {}{hint}", args[..2.min(args.len())].join(" "), e.code, e.message)
        })
    }

    fn wait(&self, waiter: &str, function: &str) -> Result<()> {
        self.must(&["lambda", "wait", waiter, "--function-name", function]).map(drop)
    }
}

/// `An error occurred (TooManyRequestsException) when calling the Invoke operation (reached max
/// retries: 4): Rate exceeded` -> code and message.
pub fn parse_cli_error(stderr: &str) -> CallError {
    let line = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    match line.split_once("An error occurred (").and_then(|(_, rest)| rest.split_once(')')) {
        Some((code, rest)) => {
            // `… operation: MESSAGE`, or `… operation (reached max retries: 4): MESSAGE`.
            let message = rest.split_once("): ").or_else(|| rest.split_once(": ")).map_or(rest, |r| r.1);
            CallError { code: code.to_string(), message: message.trim().into() }
        }
        None if line.contains("Unable to locate credentials") => {
            CallError { code: "NoCredentials".into(), message: line.into() }
        }
        None if line.contains("Could not connect") || line.contains("Connection") || line.contains("timed out") => {
            CallError { code: "ConnectionError".into(), message: line.into() }
        }
        None => CallError { code: "CliError".into(), message: line.into() },
    }
}

fn is_transient(code: &str) -> bool {
    matches!(
        code,
        "TooManyRequestsException"
            | "ThrottlingException"
            | "Throttling"
            | "ServiceException"
            | "ServiceUnavailableException"
            | "ResourceConflictException"
            | "ConnectionError"
            | "EC2ThrottledException"
    )
}

/// One variant of a manifest: `name | sources | build | handler | memory | label`.
struct Variant {
    name: String,
    memory_mb: u64,
    label: String,
}

fn manifest(path: &Path) -> Result<Vec<Variant>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        let memory_mb = match f.get(4) {
            Some(m) => m.parse().map_err(|_| format!("{}:{}: memory `{m}` is not a number", path.display(), n + 1))?,
            None => 128,
        };
        out.push(Variant { name: f[0].to_string(), memory_mb, label: f.get(5).unwrap_or(&f[0]).to_string() });
    }
    Ok(out)
}

/// How Lambda runs a built package: runtime, handler and architecture, from what the build recorded.
pub fn lambda_runtime(info: &[(String, String)], package: &Path) -> Result<(String, String, &'static str)> {
    let get = |k: &str| info.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let arch = if get("rid").ends_with("arm64") { "arm64" } else { "x86_64" };
    if package.join("bootstrap").is_file() {
        return Ok(("provided.al2023".into(), "bootstrap".into(), arch));
    }
    // A managed .NET runtime runs the executable assembly the handler names.
    let major = get("runtime").strip_prefix(".NET ").and_then(|v| v.split('.').next()).unwrap_or("");
    let exe = get("exe").strip_suffix(".dll").unwrap_or("");
    if major.is_empty() || exe.is_empty() {
        return Err(format!("{}: neither a `bootstrap` nor a .NET assembly the build recorded", package.display()));
    }
    Ok((format!("dotnet{major}"), exe.to_string(), arch))
}

fn read_info(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (build it with bench-runner/build.sh)", path.display()))?;
    Ok(text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn deploy(aws: &Aws, opts: &Opts) -> Result<()> {
    let role = opts.get("role").ok_or("deploy needs --role ARN (the functions' execution role)")?;
    let manifest_path = PathBuf::from(opts.get("manifest").unwrap_or("bench-runner/dotnet.manifest"));
    let prefix = opts.get("prefix").unwrap_or("lambdastat-");
    let timeout = opts.num("timeout", 30)?.to_string();
    let build = PathBuf::from(opts.get("build-dir").unwrap_or("bench-runner/build"));
    let variants: Vec<Variant> = manifest(&manifest_path)?
        .into_iter()
        .filter(|v| opts.words.is_empty() || opts.words.contains(&v.name))
        .collect();
    if variants.is_empty() {
        return Err(format!("no variant of {} is named {:?}", manifest_path.display(), opts.words));
    }
    let mut env: Vec<(String, String)> = Vec::new();
    for kv in opts.all("env") {
        let (k, v) = kv.split_once('=').ok_or(format!("--env {kv}: expected K=V"))?;
        env.push((k.into(), v.into()));
    }
    println!("deploy {} function(s) to {} with role {role}:", variants.len(), aws.region);
    let mut plans = Vec::new();
    for v in &variants {
        let info = read_info(&build.join(format!("{}.info", v.name)))?;
        let get = |k: &str| info.iter().rev().find(|(key, _)| key == k).map(|(_, x)| x.clone());
        let package = PathBuf::from(get("lambda_package").unwrap_or_else(|| build.join(&v.name).display().to_string()));
        let (runtime, handler, arch) = lambda_runtime(&info, &package)?;
        let name = format!("{prefix}{}", v.name);
        check_name(&name)?;
        println!(
            "  {name} ({}): {runtime} {arch}, handler {handler}, {} MB, timeout {timeout} s, from {}",
            v.label,
            v.memory_mb,
            package.display()
        );
        plans.push((name, runtime, handler, arch, package, v.memory_mb));
    }
    if !opts.flag("yes") {
        return Err("nothing deployed: add --yes to create or update these functions".into());
    }
    for (name, runtime, handler, arch, package, memory) in plans {
        // The zip is a scratch file, removed however this function's deployment ends.
        let mut scratch = Scratch(Vec::new());
        let zip = scratch.path(&format!("{name}.zip"));
        zip_package(&package, &zip)?;
        let zip_arg = format!("fileb://{}", zip.display());
        let env_json = env_json(&env);
        let memory = memory.to_string();
        let code = ["--zip-file", zip_arg.as_str(), "--architectures", arch];
        let config: Vec<&str> = vec![
            "--runtime",
            &runtime,
            "--handler",
            &handler,
            "--memory-size",
            &memory,
            "--timeout",
            &timeout,
            "--role",
            role,
            "--environment",
            &env_json,
        ];
        match aws.call(&[
            "lambda",
            "get-function",
            "--function-name",
            &name,
            "--query",
            "Configuration.FunctionArn",
            "--output",
            "text",
        ]) {
            Ok(arn) => {
                let arn = arn.trim();
                if !is_ours(aws, arn)? {
                    return Err(format!("{name} exists and was not created by bench-runner (no {TAG_KEY}={TAG_VALUE} tag): choose another --prefix"));
                }
                let mut args = vec!["lambda", "update-function-code", "--function-name", &name];
                args.extend(code);
                aws.must(&args)?;
                aws.wait("function-updated-v2", &name)?;
                let mut args = vec!["lambda", "update-function-configuration", "--function-name", &name];
                args.extend(&config);
                aws.must(&args)?;
                aws.wait("function-updated-v2", &name)?;
                println!("updated {name}");
            }
            Err(e) if e.code == "ResourceNotFoundException" => {
                let tags = format!("{TAG_KEY}={TAG_VALUE}");
                let mut args = vec!["lambda", "create-function", "--function-name", &name, "--tags", &tags];
                args.extend(code);
                args.extend(&config);
                aws.must(&args)?;
                aws.wait("function-active-v2", &name)?;
                println!("created {name}");
            }
            Err(e) => return Err(format!("aws lambda get-function {name}: {}: {}", e.code, e.message)),
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(format!("`{name}`: a function name is 1 to 64 letters, digits, hyphens and underscores"));
    }
    Ok(())
}

/// Zips a package folder into `zip` as `zip -r` makes it (build.sh measures the same zip).
fn zip_package(dir: &Path, zip: &Path) -> Result<()> {
    let status = Command::new("zip")
        .args(["-q", "-r", "-X"])
        .arg(zip)
        .arg(".")
        .current_dir(dir)
        .status()
        .map_err(|e| format!("`zip` cannot be run ({e}): install it (apt-get install zip)"))?;
    if !status.success() {
        return Err(format!("zip of {} failed", dir.display()));
    }
    Ok(())
}

/// `{"Variables":{"K":"V"}}` as the CLI takes it.
pub fn env_json(vars: &[(String, String)]) -> String {
    let esc = |s: &str| {
        let mut o = String::new();
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o
    };
    let body: Vec<String> = vars.iter().map(|(k, v)| format!("\"{}\":\"{}\"", esc(k), esc(v))).collect();
    format!("{{\"Variables\":{{{}}}}}", body.join(","))
}

/// Whether the function carries bench-runner's tag.
fn is_ours(aws: &Aws, arn: &str) -> Result<bool> {
    let q = format!("Tags.\"{TAG_KEY}\"");
    Ok(aws.must(&["lambda", "list-tags", "--resource", arn, "--query", &q, "--output", "text"])?.trim() == TAG_VALUE)
}

fn clean(aws: &Aws, opts: &Opts) -> Result<()> {
    let prefix = opts.get("prefix").unwrap_or("");
    let listed = aws.must(&[
        "lambda",
        "list-functions",
        "--query",
        "Functions[].[FunctionName,FunctionArn]",
        "--output",
        "text",
    ])?;
    let mut ours = Vec::new();
    for line in listed.lines() {
        let Some((name, arn)) = line.split_once('\t') else { continue };
        if name.starts_with(prefix) && is_ours(aws, arn.trim())? {
            ours.push(name.to_string());
        }
    }
    println!("{} function(s) tagged {TAG_KEY}={TAG_VALUE} in {}: {}", ours.len(), aws.region, ours.join(", "));
    if !opts.flag("yes") {
        return Err("nothing deleted: add --yes to delete them".into());
    }
    for name in ours {
        aws.must(&["lambda", "delete-function", "--function-name", &name])?;
        println!("deleted {name}");
    }
    Ok(())
}

/// A function's configuration as `run` needs it.
struct Config {
    memory_mb: u64,
    timeout_s: u64,
    arch: String,
    code_size: u64,
    env: Vec<(String, String)>,
}

fn config(aws: &Aws, function: &str) -> Result<Config> {
    let q = "[MemorySize,Timeout,Architectures[0],CodeSize]";
    let text = aws.must(&[
        "lambda",
        "get-function-configuration",
        "--function-name",
        function,
        "--query",
        q,
        "--output",
        "text",
    ])?;
    let f: Vec<&str> = text.split_whitespace().collect();
    let num = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or(format!("{function}: unreadable configuration `{}`", text.trim()))
    };
    let env_text = aws.must(&[
        "lambda",
        "get-function-configuration",
        "--function-name",
        function,
        "--query",
        "Environment.Variables",
        "--output",
        "json",
    ])?;
    Ok(Config {
        memory_mb: num(0)?,
        timeout_s: num(1)?,
        arch: f.get(2).filter(|a| **a != "None").unwrap_or(&"x86_64").to_string(),
        code_size: num(3).unwrap_or(0),
        env: parse_flat_json(&env_text).ok_or(format!("{function}: unreadable environment `{}`", env_text.trim()))?,
    })
}

/// A flat JSON object of strings (`{"K": "V"}`), or `null`, as pairs.
pub fn parse_flat_json(text: &str) -> Option<Vec<(String, String)>> {
    let t = text.trim();
    if t == "null" || t.is_empty() {
        return Some(Vec::new());
    }
    let mut chars = t.strip_prefix('{')?.strip_suffix('}')?.chars().peekable();
    let mut out = Vec::new();
    let string = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Option<String> {
        while chars.peek()?.is_whitespace() {
            chars.next();
        }
        if chars.next()? != '"' {
            return None;
        }
        let mut s = String::new();
        loop {
            match chars.next()? {
                '"' => return Some(s),
                '\\' => match chars.next()? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    c => s.push(c),
                },
                c => s.push(c),
            }
        }
    };
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let k = string(&mut chars)?;
        while chars.peek()?.is_whitespace() {
            chars.next();
        }
        if chars.next()? != ':' {
            return None;
        }
        out.push((k, string(&mut chars)?));
    }
}

/// The price per GB-second and per request of an architecture in a Region (data/lambda-prices.tsv).
pub fn price(region: &str, arch: &str) -> (f64, f64) {
    let rows: Vec<Vec<&str>> = PRICES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    let row = rows
        .iter()
        .find(|r| r[0] == region)
        .or_else(|| rows.iter().find(|r| r[0] == "default"))
        .expect("a default price");
    let n = |i: usize| row[i].trim().parse::<f64>().expect("a price");
    (if arch == "arm64" { n(2) } else { n(1) }, n(3) / 1e6)
}

/// An upper bound of the cost of `cold` + `warm` invocations at each memory size: every invocation
/// billed for the whole timeout, every cold start for the longest Init too.
pub fn cost_bound(sizes: &[u64], cold: u64, warm: u64, timeout_s: u64, (per_gb_s, per_request): (f64, f64)) -> f64 {
    sizes
        .iter()
        .map(|&mb| {
            let gb = mb as f64 / 1024.0;
            let seconds = (cold + warm) as f64 * timeout_s as f64 + cold as f64 * INIT_MAX_S;
            gb * seconds * per_gb_s + (cold + warm) as f64 * per_request
        })
        .sum()
}

fn run(aws: &Aws, opts: &Opts) -> Result<()> {
    let function = opts.get("function").ok_or("run needs --function NAME")?.to_string();
    check_name(&function)?;
    let (cold, warm) = (opts.num("cold", 0)?, opts.num("warm", 0)?);
    if cold + warm == 0 {
        return Err("nothing to run: give --cold N and/or --warm M".into());
    }
    let base = config(aws, &function)?;
    let sizes: Vec<u64> = match opts.get("memory") {
        Some(list) => list
            .split(',')
            .map(|m| match m.trim().parse::<u64>() {
                Ok(v) if (128..=10_240).contains(&v) => Ok(v),
                _ => Err(format!("--memory {m}: Lambda allows 128 to 10240 MB")),
            })
            .collect::<Result<_>>()?,
        None => vec![base.memory_mb],
    };
    let n = sizes.len() as u64 * (cold + warm);
    let updates = sizes.len() as u64 * (cold + u64::from(warm > 0))
        + sizes.iter().filter(|&&m| m != base.memory_mb).count() as u64;
    let bound = cost_bound(&sizes, cold, warm, base.timeout_s, price(&aws.region, &base.arch));
    println!(
        "{function} in {} ({}): {n} invocations ({cold} cold + {warm} warm at {} MB), {updates} configuration updates; \
         at most ${bound:.4} (every invocation at its {} s timeout, every cold start with a {INIT_MAX_S} s Init)",
        aws.region,
        base.arch,
        sizes.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        base.timeout_s
    );
    if !opts.flag("yes") {
        return Err("nothing invoked: add --yes to run (and pay for) these invocations".into());
    }
    // The default event and the responses are scratch files, removed however `run` ends.
    let mut scratch = Scratch(Vec::new());
    let event = match opts.get("event") {
        Some(f) => {
            std::fs::read(f).map_err(|e| format!("--event {f}: {e}"))?;
            PathBuf::from(f)
        }
        None => {
            let p = scratch.path("event.json");
            std::fs::write(&p, "{}").map_err(|e| format!("{}: {e}", p.display()))?;
            p
        }
    };
    let mut session = Session {
        aws,
        event: format!("fileb://{}", event.display()),
        response: scratch.path("response.json"),
        recorder: Recorder::new(opts, &function, &base.arch, base.code_size)?,
        config: base,
    };
    for &memory in &sizes {
        session.set_memory(memory)?;
        for _ in 0..cold {
            session.force_cold()?;
            session.environment(1, memory)?;
        }
        if warm > 0 {
            // The warm invocations start from a fresh environment too (its first is a cold start).
            session.force_cold()?;
            session.environment(warm, memory)?;
        }
    }
    session.recorder.summary();
    Ok(())
}

/// Files in the temporary directory that are removed when this is dropped (on an error too).
struct Scratch(Vec<PathBuf>);

impl Scratch {
    /// `bench-runner-<pid>-<name>` in the temporary directory.
    fn path(&mut self, name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("bench-runner-{}-{name}", std::process::id()));
        self.0.push(p.clone());
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `import`: saved Invoke responses (the JSON `aws lambda invoke --log-type Tail` or `sam remote invoke
/// --output json` prints) into the same layout as `run`. An invocation with an Init Duration starts a new
/// execution environment (log stream); the ones after it share it.
fn import(opts: &Opts) -> Result<()> {
    let function = opts.get("function").ok_or("import needs --function NAME")?.to_string();
    check_name(&function)?;
    if opts.words.is_empty() {
        return Err("import needs the files of saved Invoke responses".into());
    }
    let arch = opts.get("architecture").unwrap_or("x86_64");
    let mut rec = Recorder::new(opts, &function, arch, 0)?;
    let mut stream = rec.new_stream();
    let mut events: Vec<LogEvent> = Vec::new();
    for file in &opts.words {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let responses = json_strings(&text, "LogResult");
        if responses.is_empty() {
            return Err(format!("{file}: no \"LogResult\" (was it invoked with --log-type Tail?)"));
        }
        let errors = json_strings(&text, "FunctionError");
        for (i, log_result) in responses.iter().enumerate() {
            let cold = decode_base64(log_result)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .and_then(|t| report_line(&t).map(|r| parse_report(r).init_ms.is_some()))
                .unwrap_or(false);
            if cold && !events.is_empty() {
                rec.write(&stream, &mut events)?;
                stream = rec.new_stream();
            }
            let error = errors.get(i).cloned().unwrap_or_default();
            let outcome = Ok(Invoked { status: "200".into(), function_error: error, log_result: log_result.clone() });
            rec.record(&stream, cold, None, outcome, None, &mut events)?;
        }
    }
    rec.write(&stream, &mut events)?;
    rec.summary();
    Ok(())
}

/// Every string value of `"key"` in a JSON text, in order (the responses hold no nested quotes there).
pub fn json_strings(text: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let after = rest.trim_start();
        let Some(value) = after.strip_prefix(':').map(str::trim_start).and_then(|v| v.strip_prefix('"')) else {
            continue;
        };
        if let Some(end) = value.find('"') {
            out.push(value[..end].to_string());
        }
    }
    out
}

/// `aws-invocations.tsv` beside the CSV: every invocation, failed ones too.
fn ledger(csv: &Path) -> Result<std::fs::File> {
    let path = csv.with_file_name("aws-invocations.tsv");
    let new = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if new {
        use std::io::Write;
        writeln!(f, "timestamp\tfunction\tmemory_mb\tcold\tstream\toutcome\tstatus_code\tfunction_error\trequest_id\tround_trip_ms")
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(f)
}

/// What one Invoke call answered.
struct Invoked {
    status: String,
    function_error: String,
    /// Base64 of the log tail; empty when there is none.
    log_result: String,
}

/// Writes invocations as `run` and `import` leave them: log streams in the S3-export layout, benchmark
/// CSV rows (environment `lambda`) and the ledger of every invocation.
struct Recorder {
    function: String,
    variant: String,
    out: PathBuf,
    csv_path: PathBuf,
    csv: Csv,
    ledger: std::fs::File,
    info: Vec<(String, String)>,
    arch: String,
    code_size: u64,
    iteration: u64,
    failed: u64,
    no_tail: u64,
}

impl Recorder {
    fn new(opts: &Opts, function: &str, arch: &str, code_size: u64) -> Result<Recorder> {
        let csv_path = PathBuf::from(opts.get("csv").unwrap_or("bench-results/lambda/benchmark.csv"));
        Ok(Recorder {
            function: function.to_string(),
            variant: format!("{} · lambda", opts.get("variant").unwrap_or(function)),
            out: PathBuf::from(opts.get("out").unwrap_or("bench-results/lambda/aws/lambda")),
            csv: Csv::open(&csv_path).map_err(|e| e.to_string())?,
            ledger: ledger(&csv_path)?,
            csv_path,
            info: match opts.get("build-info") {
                Some(f) => read_info(Path::new(f))?,
                None => Vec::new(),
            },
            arch: arch.to_string(),
            code_size,
            iteration: 0,
            failed: 0,
            no_tail: 0,
        })
    }

    /// A log stream name for a new execution environment.
    fn new_stream(&self) -> String {
        format!("{}/[$LATEST]{:032x}", date_path(now_ms()), (u128::from(self.iteration) << 64) | now_ms())
    }

    fn write(&self, stream: &str, events: &mut Vec<LogEvent>) -> Result<()> {
        if !events.is_empty() {
            cloudwatch::write_stream(&self.out, &self.function, stream, events).map_err(|e| e.to_string())?;
            events.clear();
        }
        Ok(())
    }

    /// One invocation: its log tail's lines into `events`, a CSV row of its REPORT, a ledger line.
    fn record(
        &mut self,
        stream: &str,
        first: bool,
        memory: Option<u64>,
        result: std::result::Result<Invoked, CallError>,
        round_trip_ms: Option<f64>,
        events: &mut Vec<LogEvent>,
    ) -> Result<()> {
        use std::io::Write;
        self.iteration += 1;
        let at = now_ms();
        let (mut status, mut function_error, mut request_id, mut memory) =
            (String::new(), String::new(), String::new(), memory);
        let outcome = match result {
            Err(e) => {
                self.failed += 1;
                eprintln!(
                    "bench-runner aws: invocation {} of {}: {}: {}",
                    self.iteration, self.function, e.code, e.message
                );
                format!("failed: {}", e.code)
            }
            Ok(inv) => {
                status = inv.status;
                function_error = inv.function_error;
                let tail = decode_base64(&inv.log_result).map(|b| String::from_utf8_lossy(&b).into_owned());
                match tail.as_deref().and_then(report_line) {
                    Some(line) => {
                        let r = parse_report(line);
                        for l in tail.as_deref().unwrap_or("").lines().filter(|l| !l.trim().is_empty()) {
                            events.push((at, format!("{l}\n")));
                        }
                        self.row(&r, &function_error, at)?;
                        request_id = r.request_id.clone();
                        memory = memory.or(r.memory_mb);
                        "report".to_string()
                    }
                    None => {
                        self.no_tail += 1;
                        "no log tail".to_string()
                    }
                }
            }
        };
        let memory = memory.map_or(String::new(), |m| m.to_string());
        let round_trip = round_trip_ms.map_or(String::new(), |t| format!("{t:.1}"));
        writeln!(
            self.ledger,
            "{}\t{}\t{memory}\t{first}\t{stream}\t{outcome}\t{status}\t{function_error}\t{request_id}\t{round_trip}",
            cloudwatch::iso(at),
            self.function
        )
        .map_err(|e| format!("aws-invocations.tsv: {e}"))
    }

    /// A benchmark CSV row of one REPORT (the same columns as local mode; environment `lambda`).
    fn row(&mut self, r: &Report, function_error: &str, at: u128) -> Result<()> {
        let get =
            |k: &str| self.info.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let status =
            r.status
                .clone()
                .unwrap_or_else(|| if function_error.is_empty() { "success".into() } else { "error".into() });
        let error_type = r.error_type.clone().unwrap_or_else(|| function_error.to_string());
        let package_bytes = match get("package_bytes") {
            b if b.is_empty() && self.code_size > 0 => self.code_size.to_string(),
            b => b,
        };
        let f = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.2}"));
        self.csv
            .row(&[
                self.function.clone(),
                self.variant.clone(),
                self.iteration.to_string(),
                r.init_ms.is_some().to_string(),
                f(r.init_ms),
                f(r.duration_ms),
                r.billed_ms.map_or(String::new(), |b| b.to_string()),
                r.memory_mb.map_or(String::new(), |m| m.to_string()),
                r.max_memory_mb.map_or(String::new(), |m| m.to_string()),
                package_bytes,
                get("package_files"),
                get("build_seconds"),
                status,
                error_type,
                r.request_id.clone(),
                cloudwatch::iso(at),
                get("exe_bytes"),
                get("runtime"),
                get("build_mode"),
                "lambda".to_string(),
                self.arch.clone(),
            ])
            .map_err(|e| e.to_string())
    }

    fn summary(&self) {
        eprintln!(
            "bench-runner aws: {}: {} invocations, {} failed, {} without a log tail; logs in {}, CSV {}",
            self.function,
            self.iteration,
            self.failed,
            self.no_tail,
            self.out.display(),
            self.csv_path.display()
        );
    }
}

/// `run`'s state: the CLI, the function's configuration, what is written.
struct Session<'a> {
    aws: &'a Aws,
    event: String,
    response: PathBuf,
    recorder: Recorder,
    config: Config,
}

impl Session<'_> {
    fn function(&self) -> String {
        self.recorder.function.clone()
    }

    fn set_memory(&mut self, memory: u64) -> Result<()> {
        if memory != self.config.memory_mb {
            let (f, m) = (self.function(), memory.to_string());
            self.aws.must(&["lambda", "update-function-configuration", "--function-name", &f, "--memory-size", &m])?;
            self.aws.wait("function-updated-v2", &f)?;
            self.config.memory_mb = memory;
        }
        Ok(())
    }

    /// A configuration change (a new value of [`COLD_VAR`]): the next invocation gets a new execution
    /// environment.
    fn force_cold(&mut self) -> Result<()> {
        let mut env: Vec<(String, String)> = self.config.env.iter().filter(|(k, _)| k != COLD_VAR).cloned().collect();
        env.push((COLD_VAR.to_string(), format!("{:x}", now_ms())));
        let (f, json) = (self.function(), env_json(&env));
        self.aws.must(&["lambda", "update-function-configuration", "--function-name", &f, "--environment", &json])?;
        self.aws.wait("function-updated-v2", &f)?;
        Ok(())
    }

    /// `count` invocations of one (new) execution environment, written as one log stream.
    fn environment(&mut self, count: u64, memory: u64) -> Result<()> {
        let stream = self.recorder.new_stream();
        let mut events: Vec<LogEvent> = Vec::new();
        for i in 0..count {
            let started = Instant::now();
            let result = self.invoke();
            let round_trip = started.elapsed().as_secs_f64() * 1000.0;
            self.recorder.record(&stream, i == 0, Some(memory), result, Some(round_trip), &mut events)?;
        }
        self.recorder.write(&stream, &mut events)
    }

    fn invoke(&self) -> std::result::Result<Invoked, CallError> {
        let (f, response) = (self.function(), self.response.display().to_string());
        let text = self.aws.call(&[
            "lambda",
            "invoke",
            "--function-name",
            &f,
            "--log-type",
            "Tail",
            "--payload",
            &self.event,
            "--query",
            "[StatusCode,FunctionError,LogResult]",
            "--output",
            "text",
            &response,
        ])?;
        let fields: Vec<&str> = text.trim_end().split('\t').collect();
        let field = |i: usize| fields.get(i).copied().filter(|v| *v != "None").unwrap_or("").to_string();
        Ok(Invoked { status: field(0), function_error: field(1), log_result: field(2) })
    }
}

/// Standard base64 (what `LogResult` holds); `None` when it is not.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    (!text.trim().is_empty()).then_some(out)
}

/// The (last) REPORT line of a log tail.
pub fn report_line(tail: &str) -> Option<&str> {
    tail.lines().rev().find(|l| l.starts_with("REPORT RequestId:"))
}

/// The fields of a REPORT line, by name.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub request_id: String,
    pub duration_ms: Option<f64>,
    pub billed_ms: Option<u64>,
    pub memory_mb: Option<u64>,
    pub max_memory_mb: Option<u64>,
    pub init_ms: Option<f64>,
    pub status: Option<String>,
    pub error_type: Option<String>,
}

pub fn parse_report(line: &str) -> Report {
    let mut r = Report::default();
    for field in line.split('\t').map(str::trim).filter(|f| !f.is_empty()) {
        let Some((name, value)) = field.split_once(": ") else { continue };
        let number = value.split_whitespace().next().unwrap_or("");
        match name {
            "REPORT RequestId" => r.request_id = value.trim().to_string(),
            "Duration" => r.duration_ms = number.parse().ok(),
            "Billed Duration" => r.billed_ms = number.parse().ok(),
            "Memory Size" => r.memory_mb = number.parse().ok(),
            "Max Memory Used" => r.max_memory_mb = number.parse().ok(),
            "Init Duration" | "Restore Duration" => r.init_ms = number.parse().ok(),
            "Status" => r.status = Some(value.to_string()),
            "Error Type" => r.error_type = Some(value.to_string()),
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_errors_json_and_cost() {
        let e = parse_cli_error("\nAn error occurred (TooManyRequestsException) when calling the Invoke operation (reached max retries: 4): Rate exceeded\n");
        assert_eq!((e.code.as_str(), e.message.as_str()), ("TooManyRequestsException", "Rate exceeded"));
        assert!(is_transient(&e.code));
        let e = parse_cli_error("An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:1:function:x");
        assert_eq!(e.code, "ResourceNotFoundException");
        assert!(e.message.starts_with("Function not found"), "{}", e.message);
        assert!(!is_transient(&e.code));
        assert_eq!(
            parse_cli_error(
                "Unable to locate credentials. You can configure credentials by running \"aws configure\"."
            )
            .code,
            "NoCredentials"
        );

        let env = vec![("TABLE_NAME".to_string(), "items".to_string()), ("Q".to_string(), "a\"b\\c".to_string())];
        let json = env_json(&env);
        assert_eq!(json, r#"{"Variables":{"TABLE_NAME":"items","Q":"a\"b\\c"}}"#);
        let inner = &json["{\"Variables\":".len()..json.len() - 1];
        assert_eq!(parse_flat_json(inner).unwrap(), env);
        assert_eq!(parse_flat_json("null").unwrap(), vec![]);
        assert_eq!(
            parse_flat_json("{\n    \"A\": \"1\",\n    \"B\": \"\\u00e9\"\n}\n").unwrap(),
            vec![("A".into(), "1".into()), ("B".into(), "é".into())]
        );
        assert_eq!(parse_flat_json("{\"A\": 1}"), None);

        // 2 sizes x (1 cold + 2 warm) at 30 s, a cold start's Init at most 10 s.
        let (gb_s, req) = price("us-east-1", "x86_64");
        let bound = cost_bound(&[512, 1024], 1, 2, 30, (gb_s, req));
        let expected = (0.5 + 1.0) * (3.0 * 30.0 + 10.0) * 0.0000166667 + 6.0 * 0.2 / 1e6;
        assert!((bound - expected).abs() < 1e-12, "{bound} vs {expected}");
        assert_eq!(price("eu-central-2", "arm64"), (0.0000146667, 0.22 / 1e6));
        assert_eq!(price("nowhere-1", "arm64").0, 0.0000133334);
    }

    #[test]
    fn runtimes_of_built_packages() {
        let dir = std::env::temp_dir().join(format!("bench-runner-aws-test-{}", std::process::id()));
        let (aot, jit) = (dir.join("aot"), dir.join("jit"));
        std::fs::create_dir_all(&aot).unwrap();
        std::fs::create_dir_all(&jit).unwrap();
        std::fs::write(aot.join("bootstrap"), "").unwrap();
        let info =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let arm = info(&[("runtime", ".NET 10"), ("rid", "linux-arm64"), ("exe", "bootstrap")]);
        assert_eq!(lambda_runtime(&arm, &aot).unwrap(), ("provided.al2023".into(), "bootstrap".into(), "arm64"));
        let net8 = info(&[("runtime", ".NET 8"), ("rid", "linux-x64"), ("exe", "Function.dll")]);
        assert_eq!(lambda_runtime(&net8, &jit).unwrap(), ("dotnet8".into(), "Function".into(), "x86_64"));
        assert!(lambda_runtime(&info(&[]), &jit).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn real_log_tails_decode_to_their_reports() {
        let fixtures = include_str!("../tests/fixtures/log-results.tsv");
        let mut n = 0;
        for line in fixtures.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let tail = String::from_utf8(decode_base64(f[6]).unwrap()).unwrap();
            assert!(tail.starts_with("START RequestId: ") && tail.ends_with("\n"), "{tail}");
            let r = parse_report(report_line(&tail).unwrap());
            let expected = Report {
                request_id: f[0].to_string(),
                duration_ms: f[1].parse().ok(),
                billed_ms: f[2].parse().ok(),
                memory_mb: f[3].parse().ok(),
                max_memory_mb: f[4].parse().ok(),
                init_ms: f[5].parse().ok(),
                status: None,
                error_type: None,
            };
            assert_eq!(r, expected);
            n += 1;
        }
        assert_eq!(n, 2);
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64(""), None);
        // A tail is the last 4 KB: it may begin mid-line; the REPORT at its end is still read, by name.
        let cut = "ing\nEND RequestId: x\nREPORT RequestId: x\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tStatus: timeout\tError Type: Runtime.Unknown\t\n";
        let r = parse_report(report_line(cut).unwrap());
        assert_eq!(
            (r.duration_ms, r.status.as_deref(), r.error_type.as_deref()),
            (Some(1.5), Some("timeout"), Some("Runtime.Unknown"))
        );
    }
}
