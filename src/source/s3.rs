//! S3 input: `s3://BUCKET/PREFIX` is listed and each object read over HTTP,
//! streamed into the same readers as local files (nothing is written to disk).
//! Requests are SigV4 presigned URLs (rusty-s3) sent with ureq. Credentials,
//! Region and endpoint are found the way AWS tools find them.

use super::names::{path_function, strip_extensions};
use super::{InputFile, SharedNames, SourceError};
use rusty_s3::{actions::ListObjectsV2, Bucket, Credentials, S3Action, UrlStyle};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long a presigned request stays valid.
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);
/// Attempts of one request when S3 throttles or fails transiently (backoff doubles from 200 ms).
const ATTEMPTS: u32 = 6;

/// Why S3 could not be listed or read.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("not an s3://BUCKET/PREFIX URL")]
    NotAnS3Url,
    #[error("no objects under this prefix")]
    Empty,
    #[error("endpoint {endpoint}: {reason}")]
    Endpoint { endpoint: String, reason: String },
    /// S3 answered with an error status; `code` and `message` from its XML body.
    #[error("{}", http_message(*status, code.as_deref(), message.as_deref(), *attempts))]
    Http { status: u16, code: Option<String>, message: Option<String>, attempts: u32 },
    /// No answer: the connection failed (after every attempt).
    #[error("{reason} (after {attempts} attempts)")]
    Transport { reason: String, attempts: u32 },
    #[error("{what}: {reason}")]
    Unreadable { what: &'static str, reason: String },
}

/// `NoSuchBucket: The specified bucket does not exist (HTTP 404)`.
fn http_message(status: u16, code: Option<&str>, message: Option<&str>, attempts: u32) -> String {
    let retried = if attempts > 1 { format!(", after {attempts} attempts") } else { String::new() };
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message} (HTTP {status}{retried})"),
        (Some(code), None) => format!("{code} (HTTP {status}{retried})"),
        _ => format!("HTTP {status}{retried}"),
    }
}

/// One bucket, with what it takes to read it.
pub struct Store {
    bucket: Bucket,
    credentials: Option<Credentials>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({} at {})", self.bucket.name(), self.bucket.base_url())
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.bucket.base_url() == other.bucket.base_url()
    }
}

impl Eq for Store {}

/// `s3://bucket/some/prefix` -> `("bucket", "some/prefix")`.
pub fn parse_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then_some((bucket, prefix))
}

/// Whether a command-line input names S3.
pub fn is_s3_url(input: &Path) -> bool {
    input.to_str().is_some_and(|s| s.starts_with("s3://"))
}

/// Lists `s3://BUCKET/PREFIX` into input files, named as the same tree on disk
/// would be (a component after `aws/lambda/`, else the object's own name, else
/// for an S3 export object the prefix's last component).
pub fn expand(url: &str, endpoint: Option<&str>) -> Result<Vec<InputFile>, SourceError> {
    let err = |source: S3Error| SourceError::S3 { url: url.to_string(), source };
    let (bucket, prefix) = parse_url(url).ok_or_else(|| err(S3Error::NotAnS3Url))?;
    let store = Arc::new(connect(bucket, endpoint).map_err(err)?);
    let given = strip_extensions(Path::new(prefix.trim_end_matches('/')));
    let given = if prefix.trim_end_matches('/').is_empty() { bucket.to_string() } else { given };
    let mut files = Vec::new();
    let mut names = SharedNames::default();
    for (key, size) in list(&store, prefix).map_err(err)? {
        if key.ends_with('/') || key.rsplit('/').next() == Some("aws-logs-write-test") {
            continue;
        }
        let path = PathBuf::from(format!("s3://{bucket}/{key}"));
        let own = if super::names::is_s3_export_object(&path) { given.clone() } else { strip_extensions(&path) };
        files.push(InputFile {
            function_from_path: names.get(path_function(&path, &own)),
            path: path.into(),
            size: Some(size),
            s3: Some(Box::new(S3Object { store: store.clone(), key })),
            anchored: None,
        });
    }
    if files.is_empty() {
        return Err(err(S3Error::Empty));
    }
    Ok(files)
}

/// An object to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    pub store: Arc<Store>,
    pub key: String,
}

impl S3Object {
    /// The object's bytes as a stream.
    pub fn open(&self) -> Result<Box<dyn Read + Send>, S3Error> {
        let action = self.store.bucket.get_object(self.store.credentials.as_ref(), &self.key);
        let response = send(&self.store.agent, || action.sign(SIGNED_FOR).to_string())?;
        Ok(Box::new(response.into_body().into_reader()))
    }
}

/// The bucket's client: Region, credentials and endpoint from the environment
/// and `~/.aws/{credentials,config}`.
fn connect(bucket: &str, endpoint: Option<&str>) -> Result<Store, S3Error> {
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let region = env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| profile_value(&config_file(), &format!("profile {profile}"), &profile, "region"))
        .unwrap_or_else(|| "us-east-1".into());
    let credentials = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        (Some(key), Some(secret)) => Some(with_token(key, secret, env("AWS_SESSION_TOKEN"))),
        _ => {
            let file = credentials_file();
            let get = |k| profile_value(&file, &profile, &profile, k);
            match (get("aws_access_key_id"), get("aws_secret_access_key")) {
                (Some(key), Some(secret)) => Some(with_token(key, secret, get("aws_session_token"))),
                _ => None,
            }
        }
    };
    let custom =
        endpoint.map(str::to_string).or_else(|| env("AWS_ENDPOINT_URL_S3")).or_else(|| env("AWS_ENDPOINT_URL"));
    let (endpoint, style) = match custom {
        // S3-compatible stores (and local ones) are addressed by path.
        Some(e) => (e, UrlStyle::Path),
        None => (format!("https://s3.{region}.amazonaws.com"), UrlStyle::VirtualHost),
    };
    let bad = |reason: String| S3Error::Endpoint { endpoint: endpoint.clone(), reason };
    let url = endpoint.parse().map_err(|e| bad(format!("{e}")))?;
    let bucket = Bucket::new(url, style, bucket.to_string(), region).map_err(|e| bad(e.to_string()))?;
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .build()
        .into();
    Ok(Store { bucket, credentials, agent })
}

fn with_token(key: String, secret: String, token: Option<String>) -> Credentials {
    match token {
        Some(t) => Credentials::new_with_token(key, secret, t),
        None => Credentials::new(key, secret),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home_file(var: &str, name: &str) -> Option<PathBuf> {
    env(var).map(PathBuf::from).or_else(|| env("HOME").map(|h| Path::new(&h).join(".aws").join(name)))
}

fn credentials_file() -> String {
    home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default()
}

fn config_file() -> String {
    home_file("AWS_CONFIG_FILE", "config").and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default()
}

/// `key = value` in the INI section `[section]` (or `[alt]`: `~/.aws/config`
/// names profiles `[profile NAME]` except `[default]`).
fn profile_value(ini: &str, section: &str, alt: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in ini.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            inside = name == section || name == alt;
        } else if inside {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().to_string()).filter(|v| !v.is_empty());
                }
            }
        }
    }
    None
}

/// Every key (and size) under `prefix`, through all pages of ListObjectsV2.
fn list(store: &Store, prefix: &str) -> Result<Vec<(String, u64)>, S3Error> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut action = ListObjectsV2::new(&store.bucket, store.credentials.as_ref());
        if !prefix.is_empty() {
            action.with_prefix(prefix);
        }
        if let Some(t) = &token {
            action.with_continuation_token(t.as_str());
        }
        let response = send(&store.agent, || action.sign(SIGNED_FOR).to_string())?;
        let text = read_text(response)?;
        let page = ListObjectsV2::parse_response(&text)
            .map_err(|e| S3Error::Unreadable { what: "unreadable listing", reason: e.to_string() })?;
        keys.extend(page.contents.into_iter().map(|c| (c.key, c.size.unwrap_or(0))));
        match page.next_continuation_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(keys),
        }
    }
}

fn read_text(response: ureq::http::Response<ureq::Body>) -> Result<String, S3Error> {
    response
        .into_body()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .map_err(|e| S3Error::Unreadable { what: "reading the response", reason: e.to_string() })
}

/// GETs a (freshly signed) URL; throttling, server errors and broken
/// connections are retried with backoff, other failures say what S3 said.
fn send(agent: &ureq::Agent, url: impl Fn() -> String) -> Result<ureq::http::Response<ureq::Body>, S3Error> {
    let mut wait = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        let last = attempt == ATTEMPTS;
        match agent.get(&url()).call() {
            Ok(r) if r.status().is_success() => return Ok(r),
            Ok(r) => {
                let status = r.status().as_u16();
                let transient = matches!(status, 429 | 500 | 502 | 503 | 504);
                let text = read_text(r).unwrap_or_default();
                if !transient || last {
                    return Err(describe(status, &text, attempt));
                }
            }
            Err(e) if last => return Err(S3Error::Transport { reason: e.to_string(), attempts: attempt }),
            Err(_) => {}
        }
        std::thread::sleep(wait);
        wait *= 2;
    }
    unreachable!("the last attempt returns")
}

/// The error S3's XML body describes.
fn describe(status: u16, body: &str, attempts: u32) -> S3Error {
    let tag = |t: &str| {
        let open = format!("<{t}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&format!("</{t}>"))? + start;
        Some(body[start..end].to_string())
    };
    S3Error::Http { status, code: tag("Code"), message: tag("Message"), attempts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_profiles_and_errors() {
        assert_eq!(parse_url("s3://b/exports/aws/lambda/"), Some(("b", "exports/aws/lambda/")));
        assert_eq!(parse_url("s3://b"), Some(("b", "")));
        assert_eq!(parse_url("s3:///x"), None);
        let ini = "[default]\nregion = eu-west-1\n[profile dev]\nregion=us-west-2\naws_access_key_id = AK\n";
        assert_eq!(profile_value(ini, "profile dev", "dev", "region").as_deref(), Some("us-west-2"));
        assert_eq!(profile_value(ini, "profile default", "default", "region").as_deref(), Some("eu-west-1"));
        assert_eq!(profile_value(ini, "profile x", "x", "region"), None);
        let xml = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        assert_eq!(describe(403, xml, 1).to_string(), "AccessDenied: Access Denied (HTTP 403)");
        assert_eq!(describe(503, "", 6).to_string(), "HTTP 503, after 6 attempts");
    }
}
