//! bench-runner: exercises a Lambda function locally the way Lambda does and
//! writes CloudWatch-format logs (and a benchmark CSV) that lambdastat reads.
//!
//! For each execution environment: start the function (bootstrap or command)
//! with Lambda's environment, in cgroups giving it memory MB / 1769 of a CPU
//! and a memory cap; Init Duration = spawn until the first `GET /next`; then
//! for each invocation Duration = event handed over until `/response` or
//! `/error` arrives; Max Memory Used = the environment's peak RSS so far.
//! Crashes, timeouts, init failures, function errors and out-of-memory kills
//! get the REPORT fields Lambda writes (`Status`, `Error Type`), and the run
//! goes on in a fresh environment.

mod aws;
mod cgroup;
mod cloudwatch;
mod dynamodb;
mod launch;
mod measure;
mod opts;
mod runtime_api;
mod sys;

use cloudwatch::{date_path, now_ms, Csv, LogEvent};
use runtime_api::{Api, Event, InitEnd, InvokeEnd, Outcome};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: bench-runner run --function NAME --task-root DIR [options]
       bench-runner aws deploy|run|clean ...   (the same suite on real Lambda: bench-runner aws --help)

Starts the function in DIR (its `bootstrap`, or --command) against a local
Lambda Runtime API and writes CloudWatch logs as an S3 export.

options:
  --command CMD        command line instead of ./bootstrap (e.g. \"dotnet Function.dll\")
  --handler H          _HANDLER (default: the function name)
  --memory MB          memory size; also the CPU share (MB/1769 of a CPU) and cap (default 128)
  --timeout S          function timeout in seconds (default 3)
  --cold N             N fresh environments, one invocation each (default 0)
  --warm M             M invocations to one environment (its first is a cold start) (default 0)
  --event FILE         event JSON (default {})
  --out DIR            logs go to DIR/<function>/<stream>/000000.gz (default bench-results/aws/lambda)
  --csv FILE           benchmark CSV to append to (default bench-results/benchmark.csv)
  --variant LABEL      the variant column of the CSV (default: the function name)
  --runtime-version V  INIT_START runtime version (default provided:al2023.v1)
  --region R           region in the runtime version ARN (default us-east-1)
  --env K=V            extra environment variable (repeatable)
  --build-seconds S    build time to record in the CSV
  --build-info FILE    what bench-runner/build.sh recorded (key=value): package_bytes (the
                       deployment zip), package_files, exe_bytes, build_seconds, runtime, build_mode,
                       rid (the CSV's architecture), emulated (runs under qemu-user)
  --dynamodb-table T   start a local DynamoDB (moto's server on loopback) with table T for the
                       run, give the function TABLE_NAME and AWS_ENDPOINT_URL_DYNAMODB, check at
                       the end that it holds one item per successful invocation, and stop it
  --no-cgroup          do not limit CPU and memory
";

struct Args {
    spec: launch::Spec,
    cold: usize,
    warm: usize,
    event: Vec<u8>,
    out: PathBuf,
    csv: PathBuf,
    variant: String,
    runtime_version: String,
    build: BuildInfo,
    dynamodb_table: Option<String>,
    cgroups: bool,
}

/// What the build recorded about the package (bench-runner/build.sh's `<name>.info`).
#[derive(Default)]
struct BuildInfo {
    seconds: Option<f64>,
    package_bytes: Option<u64>,
    package_files: Option<u64>,
    exe_bytes: Option<u64>,
    runtime: String,
    build_mode: String,
    /// `qemu-user` when the package runs here under CPU emulation (another architecture).
    emulated: bool,
    /// Lambda's name of the package's architecture (`x86_64`, `arm64`), from its runtime identifier.
    architecture: Option<&'static str>,
}

impl BuildInfo {
    fn read(path: &str) -> Result<BuildInfo, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("--build-info {path}: {e}"))?;
        let mut info = BuildInfo::default();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let (k, v) = line.split_once('=').ok_or(format!("{path}:{}: expected key=value", n + 1))?;
            let num = |v: &str| {
                v.parse::<u64>().map(Some).map_err(|_| format!("{path}:{}: {k}=`{v}` is not a whole number", n + 1))
            };
            match k {
                "build_seconds" => {
                    info.seconds =
                        Some(v.parse().map_err(|_| format!("{path}:{}: build_seconds=`{v}` is not a number", n + 1))?)
                }
                "package_bytes" => info.package_bytes = num(v)?,
                "package_files" => info.package_files = num(v)?,
                "exe_bytes" if !v.is_empty() => info.exe_bytes = num(v)?,
                "runtime" => info.runtime = v.to_string(),
                "build_mode" => info.build_mode = v.to_string(),
                "emulated" => info.emulated = !v.is_empty(),
                "rid" => info.architecture = Some(if v.ends_with("arm64") { "arm64" } else { "x86_64" }),
                _ => {}
            }
        }
        Ok(info)
    }
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    match it.next().as_deref() {
        Some("run") => {}
        Some("-h") | Some("--help") => {
            println!("{USAGE}");
            std::process::exit(0);
        }
        None => return Err(USAGE.to_string()),
        Some(other) => return Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
    let o = opts::Opts::parse(&it.collect::<Vec<_>>(), &["no-cgroup", "help"])?;
    if o.flag("help") {
        println!("{USAGE}");
        std::process::exit(0);
    }
    if let Some(a) = o.words.first() {
        return Err(format!("unexpected argument `{a}`\n\n{USAGE}"));
    }
    let get = |k: &str| o.get(k).map(str::to_string);
    let num = |k: &str, default: u64| o.num(k, default);
    let function = get("function").ok_or("--function is required")?;
    // The name becomes a directory of the output and a log group: Lambda's own rule (letters, digits,
    // hyphens, underscores; up to 64) keeps `/`, `..` and anything else out.
    if function.is_empty()
        || function.len() > 64
        || !function.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(format!(
            "--function `{function}`: a function name is 1 to 64 letters, digits, hyphens and underscores"
        ));
    }
    let task_root = PathBuf::from(get("task-root").ok_or("--task-root is required")?);
    let task_root = task_root.canonicalize().map_err(|e| format!("--task-root {}: {e}", task_root.display()))?;
    let command: Vec<String> =
        get("command").map_or(vec!["bootstrap".to_string()], |c| c.split_whitespace().map(str::to_string).collect());
    if command.is_empty() {
        return Err("--command is empty".to_string());
    }
    let memory_mb = num("memory", 128)?;
    if !(128..=10_240).contains(&memory_mb) {
        return Err(format!("--memory {memory_mb}: Lambda allows 128 to 10240 MB"));
    }
    let event = match get("event") {
        Some(f) => std::fs::read(&f).map_err(|e| format!("--event {f}: {e}"))?,
        None => b"{}".to_vec(),
    };
    let extra_env = o
        .all("env")
        .into_iter()
        .map(|v| {
            v.split_once('=').map(|(a, b)| (a.to_string(), b.to_string())).ok_or(format!("--env {v}: expected K=V"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Args {
        spec: launch::Spec {
            handler: get("handler").unwrap_or_else(|| function.clone()),
            function: function.clone(),
            task_root,
            command,
            memory_mb,
            timeout_s: match num("timeout", 3)? {
                0 => return Err("--timeout 0: the timeout is at least 1 second (Lambda allows 1 to 900)".to_string()),
                t => t,
            },
            region: get("region").unwrap_or_else(|| "us-east-1".to_string()),
            extra_env,
        },
        cold: num("cold", 0)? as usize,
        warm: num("warm", 0)? as usize,
        event,
        out: PathBuf::from(get("out").unwrap_or_else(|| "bench-results/aws/lambda".to_string())),
        csv: PathBuf::from(get("csv").unwrap_or_else(|| "bench-results/benchmark.csv".to_string())),
        variant: get("variant").unwrap_or(function),
        runtime_version: get("runtime-version").unwrap_or_else(|| "provided:al2023.v1".to_string()),
        build: {
            let mut info = get("build-info").map_or(Ok(BuildInfo::default()), |f| BuildInfo::read(&f))?;
            if let Some(v) = get("build-seconds") {
                info.seconds = Some(v.parse().map_err(|_| format!("--build-seconds: `{v}` is not a number"))?);
            }
            info
        },
        dynamodb_table: get("dynamodb-table"),
        cgroups: !o.flag("no-cgroup"),
    })
}

/// SplitMix64 for request ids and environment ids.
struct Ids(u64);
impl Ids {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// What one invocation came to.
struct Report {
    request_id: String,
    cold: bool,
    init_ms: Option<f64>,
    duration_ms: f64,
    billed_ms: u64,
    max_memory_mb: u64,
    status: Option<&'static str>,
    error_type: Option<String>,
    at_ms: u128,
}

/// One execution environment while it lives.
struct Environment {
    stream: String,
    log: Arc<Mutex<Vec<LogEvent>>>,
    limits: Option<cgroup::Limits>,
    child: Mutex<std::process::Child>,
    pid: i32,
    memory: measure::MemorySampler,
    /// Init's duration, ms; or the failed invocation that found Init failing.
    init_ms: Result<f64, Report>,
    /// The environment's own temporary directory (its `TMPDIR`), removed at teardown.
    tmp: PathBuf,
}

impl Environment {
    fn alive(&self) -> bool {
        self.child.lock().unwrap().try_wait().is_ok_and(|s| s.is_none())
    }
}

struct Runner {
    args: Args,
    api: Api,
    ids: Ids,
    csv: Csv,
    package: (u64, u64),
    iteration: usize,
    cgroup_note: Option<String>,
    reports: Vec<Report>,
}

impl Runner {
    /// Runs up to `invocations` in one new environment; returns how many it
    /// served (fewer when the environment died).
    fn environment(&mut self, invocations: usize) -> std::io::Result<usize> {
        let mut env = self.start_environment()?;
        let served = match std::mem::replace(&mut env.init_ms, Ok(0.0)) {
            Ok(init_ms) => self.invoke_loop(&env, init_ms, invocations)?,
            Err(failed) => {
                self.finish(failed, &env.log)?;
                1
            }
        };
        self.teardown(env)?;
        Ok(served)
    }

    /// Setup: a log stream, limits, INIT_START, the function started with
    /// Lambda's environment, and its Init awaited.
    fn start_environment(&mut self) -> std::io::Result<Environment> {
        let spec = &self.args.spec.clone();
        self.api.reset();
        let started_ms = now_ms();
        let stream = format!("{}/[$LATEST]{:016x}{:016x}", date_path(started_ms), self.ids.next(), self.ids.next());
        let log: Arc<Mutex<Vec<LogEvent>>> = Arc::new(Mutex::new(Vec::new()));
        let limits = if self.args.cgroups { self.limits(spec.memory_mb) } else { None };
        let tmp = std::env::temp_dir().join(format!("bench-runner-{}-{:x}", std::process::id(), self.ids.next()));
        std::fs::create_dir(&tmp).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", tmp.display())))?;
        let env = launch::lambda_env(spec, &self.api.addr, &stream, &tmp);
        let rv = &self.args.runtime_version.clone();
        let arn_hash: String = (0..4).map(|_| format!("{:016x}", fnv(rv) ^ 0x5bd1_e995)).collect();
        log.lock().unwrap().push((
            started_ms,
            format!(
                "INIT_START Runtime Version: {rv}\tRuntime Version ARN: arn:aws:lambda:{}::runtime:{arn_hash}\n",
                spec.region
            ),
        ));
        let spawned = Instant::now();
        let procs = limits.as_ref().map_or(&[][..], |l| &l.procs[..]);
        let child = launch::spawn(spec, &env, procs, log.clone()).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&tmp);
        })?;
        let pid = child.id() as i32;
        sys::CURRENT_GROUP.store(pid, Ordering::SeqCst);
        let memory = measure::MemorySampler::start(pid, Duration::from_millis(10));
        let mut env = Environment { stream, log, limits, child: Mutex::new(child), pid, memory, init_ms: Ok(0.0), tmp };
        let init = self.api.wait_init(Duration::from_secs(10), &|| env.alive());
        let init_ms = ms(spawned.elapsed());
        env.init_ms = match init {
            Ok(t) => {
                env.memory.peak(); // the high-water mark of Init, before any invocation
                Ok(ms(t - spawned))
            }
            Err(end) => {
                let (status, kind) = match end {
                    InitEnd::Error(kind) => ("error", kind),
                    InitEnd::Exited => ("error", "Runtime.ExitError".to_string()),
                    InitEnd::Timeout => ("timeout", "Sandbox.Timedout".to_string()),
                };
                let mut log = env.log.lock().unwrap();
                log.push((now_ms(), format!("INIT_REPORT Init Duration: {init_ms:.2} ms\tPhase: init\tStatus: {status}\tError Type: {kind}\n")));
                // The invocation that found the environment failing.
                let id = self.ids.uuid();
                let at = now_ms();
                log.push((at, format!("START RequestId: {id} Version: $LATEST\n")));
                Err(Report {
                    request_id: id,
                    cold: true,
                    init_ms: Some(init_ms),
                    duration_ms: 0.0,
                    billed_ms: init_ms.ceil() as u64,
                    max_memory_mb: measure::to_mb(env.memory.peak()),
                    status: Some("error"),
                    error_type: Some(kind),
                    at_ms: at,
                })
            }
        };
        Ok(env)
    }

    /// CPU and memory limits for one environment, or `None` (said once) where cgroups cannot be had.
    fn limits(&mut self, memory_mb: u64) -> Option<cgroup::Limits> {
        let name = format!("{}{}-{}", cgroup::NAME_PREFIX, std::process::id(), self.ids.next() % 1_000_000);
        match cgroup::Limits::create(&name, memory_mb) {
            Ok(l) => {
                self.cgroup_note.get_or_insert_with(|| l.description.clone());
                Some(l)
            }
            Err(why) => {
                if self.cgroup_note.is_none() {
                    eprintln!("bench-runner: cannot limit CPU and memory ({why}); running unthrottled");
                    self.cgroup_note = Some(format!("unthrottled: {why}"));
                }
                None
            }
        }
    }

    /// Invokes up to `invocations` times (the first is the cold start); stops
    /// when the environment times out or dies. Returns how many were served.
    fn invoke_loop(&mut self, env: &Environment, init_ms: f64, invocations: usize) -> std::io::Result<usize> {
        let timeout = Duration::from_secs(self.args.spec.timeout_s);
        let mut served = 0;
        for i in 0..invocations {
            let id = self.ids.uuid();
            let event = Event {
                request_id: id.clone(),
                body: self.args.event.clone(),
                deadline_ms: runtime_api::epoch_ms() + timeout.as_millis(),
                trace_id: format!(
                    "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=0",
                    now_ms() / 1000,
                    self.ids.next(),
                    self.ids.next()
                ),
            };
            env.log.lock().unwrap().push((now_ms(), format!("START RequestId: {id} Version: $LATEST\n")));
            let (duration_ms, status, error_type) = match self.api.invoke(event, timeout, &|| env.alive()) {
                Ok((Outcome::Response, handed, done)) => (ms(done - handed), None, None),
                Ok((Outcome::Error(kind), handed, done)) => {
                    (ms(done - handed), Some("error"), Some(clean_error_type(&kind)))
                }
                Err(InvokeEnd::Timeout) => (timeout.as_secs_f64() * 1000.0, Some("timeout"), None),
                Err(InvokeEnd::Exited(start)) => {
                    // Let the kernel finish accounting an OOM kill.
                    std::thread::sleep(Duration::from_millis(20));
                    let oom = env.limits.as_ref().is_some_and(|l| l.oom_killed());
                    let kind = if oom { "Runtime.OutOfMemory" } else { "Runtime.ExitError" };
                    (ms(start.elapsed()), Some("error"), Some(kind.to_string()))
                }
            };
            let cold = i == 0;
            let billed = (duration_ms + if cold { init_ms } else { 0.0 }).ceil() as u64;
            let report = Report {
                request_id: id,
                cold,
                init_ms: cold.then_some(init_ms),
                duration_ms,
                billed_ms: billed.max(1),
                max_memory_mb: measure::to_mb(env.memory.peak()),
                status,
                error_type,
                at_ms: now_ms(),
            };
            // A timed-out or crashed environment is not reused; a function
            // error (POST /error) leaves it running, as on Lambda.
            let failed = report.status == Some("timeout") || !env.alive();
            self.finish(report, &env.log)?;
            served += 1;
            if failed {
                break;
            }
        }
        Ok(served)
    }

    /// Teardown: every process of the environment killed and reaped, its log stream written.
    fn teardown(&mut self, env: Environment) -> std::io::Result<()> {
        let Environment { stream, log, limits, child, pid, memory, tmp, .. } = env;
        drop(memory);
        sys::kill_group(pid);
        // Processes that left the group (setsid, a double fork) are still in the environment's cgroup.
        if let Some(l) = &limits {
            l.kill_all();
        }
        let _ = child.lock().unwrap().wait();
        sys::CURRENT_GROUP.store(0, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(10));
        sys::reap_all();
        let _ = std::fs::remove_dir_all(&tmp);
        drop(limits);
        std::thread::sleep(Duration::from_millis(5)); // let the output readers drain
        let mut events = std::mem::take(&mut *log.lock().unwrap());
        cloudwatch::write_stream(&self.args.out, &self.args.spec.function, &stream, &mut events)
    }

    /// Logs END and REPORT and writes the CSV row.
    fn finish(&mut self, r: Report, log: &Arc<Mutex<Vec<LogEvent>>>) -> std::io::Result<()> {
        let spec = &self.args.spec;
        let mut report = format!(
            "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
            r.request_id, r.duration_ms, r.billed_ms, spec.memory_mb, r.max_memory_mb
        );
        if let Some(init) = r.init_ms {
            report.push_str(&format!("Init Duration: {init:.2} ms\t"));
        }
        if let Some(status) = r.status {
            report.push_str(&format!("Status: {status}"));
            if let Some(t) = &r.error_type {
                report.push_str(&format!("\tError Type: {t}"));
            }
        }
        report.push('\n');
        {
            let mut l = log.lock().unwrap();
            l.push((r.at_ms, format!("END RequestId: {}\n", r.request_id)));
            l.push((r.at_ms, report));
        }
        self.iteration += 1;
        let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.2}"));
        self.csv.row(&[
            spec.function.clone(),
            self.args.variant.clone(),
            self.iteration.to_string(),
            r.cold.to_string(),
            opt(r.init_ms),
            format!("{:.2}", r.duration_ms),
            r.billed_ms.to_string(),
            spec.memory_mb.to_string(),
            r.max_memory_mb.to_string(),
            self.package.0.to_string(),
            self.package.1.to_string(),
            self.args.build.seconds.map_or(String::new(), |b| format!("{b:.1}")),
            r.status.unwrap_or("success").to_string(),
            r.error_type.clone().unwrap_or_default(),
            r.request_id.clone(),
            cloudwatch::iso(r.at_ms),
            self.args.build.exe_bytes.map_or(String::new(), |b| b.to_string()),
            self.args.build.runtime.clone(),
            self.args.build.build_mode.clone(),
            if self.args.build.emulated { "emulated" } else { "local" }.to_string(),
            self.args.build.architecture.unwrap_or_default().to_string(),
        ])?;
        self.reports.push(r);
        Ok(())
    }
}

/// An error type fit for a REPORT line: one token of letters, digits and
/// `._:-` (the Rust client sends a type name with spaces and angle brackets).
fn clean_error_type(kind: &str) -> String {
    let ok =
        !kind.is_empty() && kind.len() <= 64 && kind.bytes().all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(&c));
    if ok {
        kind.to_string()
    } else {
        "Function.Unhandled".to_string()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("aws") {
        if let Err(msg) = aws::main(&argv[1..]) {
            eprintln!("bench-runner aws: {msg}");
            std::process::exit(2);
        }
        return;
    }
    let mut args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    sys::install_signal_handlers();
    sys::become_subreaper();
    if args.cgroups {
        let stale = cgroup::clean_stale();
        if stale > 0 {
            eprintln!("bench-runner: removed {stale} cgroups left by runners that died, and what ran in them");
        }
    }
    let fail = |msg: String| -> ! {
        eprintln!("bench-runner: {msg}");
        std::process::exit(1);
    };
    // The local DynamoDB lives as long as this run (dropped, and so stopped, at the end).
    let dynamo = args.dynamodb_table.clone().map(|table| {
        let log = args.out.join(format!("{}.dynamodb.log", args.spec.function));
        let _ = std::fs::create_dir_all(&args.out);
        let d = dynamodb::LocalDynamo::start(&table, &args.spec.region, &log).unwrap_or_else(|e| fail(e));
        args.spec.extra_env.extend(d.function_env());
        d
    });
    let arn = format!("arn:aws:lambda:{}:000000000000:function:{}", args.spec.region, args.spec.function);
    let result = (|| -> std::io::Result<Runner> {
        let api = Api::start(arn)?;
        let csv = Csv::open(&args.csv)?;
        let package = match (args.build.package_bytes, args.build.package_files) {
            (Some(bytes), Some(files)) => (bytes, files),
            _ => launch::package_size(&args.spec.task_root),
        };
        let seed = now_ms() as u64 ^ u64::from(std::process::id()) << 32;
        let cgroup_note = (!args.cgroups).then(|| "unthrottled (--no-cgroup)".to_string());
        let mut r = Runner { args, api, ids: Ids(seed), csv, package, iteration: 0, cgroup_note, reports: Vec::new() };
        for _ in 0..r.args.cold {
            r.environment(1)?;
        }
        let mut left = r.args.warm;
        while left > 0 {
            left -= r.environment(left)?.min(left);
        }
        Ok(r)
    })();
    let r = result.unwrap_or_else(|e| fail(e.to_string()));
    let n = r.reports.len();
    let cold = r.reports.iter().filter(|x| x.cold).count();
    let failed = r.reports.iter().filter(|x| x.status.is_some()).count();
    let mut warm: Vec<f64> =
        r.reports.iter().filter(|x| !x.cold && x.status.is_none()).map(|x| x.duration_ms).collect();
    warm.sort_by(f64::total_cmp);
    let median = warm.get(warm.len() / 2).map_or(String::from("–"), |m| format!("{m:.3} ms"));
    eprintln!(
        "bench-runner: {} {n} invocations ({cold} cold, {failed} failed; warm median duration {median}); {}; logs in {}, CSV {}",
        r.args.spec.function,
        r.cgroup_note.as_deref().unwrap_or("no environments"),
        r.args.out.display(),
        r.args.csv.display()
    );
    if let Some(d) = &dynamo {
        let items = d.count().unwrap_or_else(|e| fail(e));
        let succeeded = (n - failed) as u64;
        if items != succeeded {
            fail(format!("DynamoDB table {} holds {items} items after {succeeded} successful invocations", d.table));
        }
        eprintln!("bench-runner: DynamoDB table {} holds {items} items, one per successful invocation", d.table);
    }
}
