//! A local Lambda Runtime API (2018-06-01) on 127.0.0.1: `GET
//! /runtime/invocation/next` (long poll), `POST /runtime/invocation/{id}/response`,
//! `…/{id}/error` and `/runtime/init/error`, with the headers real clients
//! require (request id, deadline in epoch ms, function ARN, trace id).
//! One thread per connection; the runner drives it through [`Api`].

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// An event waiting to be handed to the runtime.
#[derive(Debug, Clone)]
pub struct Event {
    pub request_id: String,
    pub body: Vec<u8>,
    pub deadline_ms: u128,
    pub trace_id: String,
}

/// How an invocation ended, as the runtime reported it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response,
    /// `POST …/error`: the error type from `Lambda-Runtime-Function-Error-Type`
    /// or the body's `errorType`.
    Error(String),
}

#[derive(Default)]
struct State {
    /// Counts environments, so a stale connection cannot touch a new one.
    generation: u64,
    first_next: Option<Instant>,
    pending: Option<Event>,
    /// The event handed over, and when its `/next` response was written.
    handed: Option<(String, Instant)>,
    outcomes: HashMap<String, (Outcome, Instant)>,
    init_error: Option<String>,
}

#[derive(Clone)]
pub struct Api {
    shared: Arc<(Mutex<State>, Condvar)>,
    pub addr: String,
    function_arn: String,
}

impl Api {
    pub fn start(function_arn: String) -> std::io::Result<Api> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        let api = Api { shared: Arc::new((Mutex::new(State::default()), Condvar::new())), addr, function_arn };
        let server = api.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let api = server.clone();
                std::thread::spawn(move || {
                    let _ = api.serve(stream);
                });
            }
        });
        Ok(api)
    }

    /// A new execution environment: forget everything of the last one.
    pub fn reset(&self) {
        let mut s = self.shared.0.lock().unwrap();
        let generation = s.generation + 1;
        *s = State { generation, ..State::default() };
    }

    /// Waits up to `timeout` for the first `/next` (the end of Init), or an
    /// init error, or until `alive` says the process is gone.
    pub fn wait_init(&self, timeout: Duration, alive: &dyn Fn() -> bool) -> Result<Instant, InitEnd> {
        let start = Instant::now();
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        loop {
            if let Some(t) = s.first_next {
                return Ok(t);
            }
            if let Some(e) = &s.init_error {
                return Err(InitEnd::Error(e.clone()));
            }
            if !alive() {
                return Err(InitEnd::Exited);
            }
            if start.elapsed() >= timeout {
                return Err(InitEnd::Timeout);
            }
            s = cv.wait_timeout(s, Duration::from_millis(5)).unwrap().0;
        }
    }

    /// Offers `event` to the runtime and waits for its outcome: `Ok((outcome,
    /// handed at, done at))`, or why there is none.
    pub fn invoke(
        &self,
        event: Event,
        timeout: Duration,
        alive: &dyn Fn() -> bool,
    ) -> Result<(Outcome, Instant, Instant), InvokeEnd> {
        let (lock, cv) = &*self.shared;
        let id = event.request_id.clone();
        let offered = Instant::now();
        let mut s = lock.lock().unwrap();
        s.pending = Some(event);
        cv.notify_all();
        loop {
            if let Some((outcome, at)) = s.outcomes.remove(&id) {
                let handed = s.handed.as_ref().filter(|(h, _)| *h == id).map_or(offered, |(_, t)| *t);
                return Ok((outcome, handed, at));
            }
            let started = s.handed.as_ref().filter(|(h, _)| *h == id).map(|(_, t)| *t);
            if !alive() {
                return Err(InvokeEnd::Exited(started.unwrap_or(offered)));
            }
            if let Some(t) = started {
                if t.elapsed() >= timeout {
                    return Err(InvokeEnd::Timeout);
                }
            } else if offered.elapsed() >= timeout {
                return Err(InvokeEnd::Timeout);
            }
            s = cv.wait_timeout(s, Duration::from_millis(2)).unwrap().0;
        }
    }

    fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_nodelay(true)?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut out = stream;
        loop {
            let Some(req) = read_request(&mut reader)? else { return Ok(()) };
            let path = req.path.strip_prefix("/2018-06-01").unwrap_or(&req.path).to_string();
            match (req.method.as_str(), path.as_str()) {
                ("GET", "/runtime/invocation/next") => self.next(&mut out)?,
                ("POST", "/runtime/init/error") => {
                    let kind = error_type(&req);
                    let (lock, cv) = &*self.shared;
                    lock.lock().unwrap().init_error = Some(kind);
                    cv.notify_all();
                    respond(&mut out, 202, "application/json", b"{\"status\":\"OK\"}", &[])?;
                }
                ("POST", p) if p.starts_with("/runtime/invocation/") => {
                    let rest = &p["/runtime/invocation/".len()..];
                    let (id, what) = rest.split_once('/').unwrap_or((rest, ""));
                    let outcome = match what {
                        "response" => Outcome::Response,
                        "error" => Outcome::Error(error_type(&req)),
                        _ => {
                            respond(&mut out, 404, "application/json", b"{\"errorType\":\"NotFound\"}", &[])?;
                            continue;
                        }
                    };
                    let (lock, cv) = &*self.shared;
                    let mut s = lock.lock().unwrap();
                    if s.handed.as_ref().is_some_and(|(h, _)| h == id) {
                        s.outcomes.insert(id.to_string(), (outcome, Instant::now()));
                        cv.notify_all();
                        drop(s);
                        respond(&mut out, 202, "application/json", b"{\"status\":\"OK\"}", &[])?;
                    } else {
                        drop(s);
                        respond(&mut out, 403, "application/json", b"{\"errorType\":\"InvalidStateTransition\",\"errorMessage\":\"unknown or finished request id\"}", &[])?;
                    }
                }
                _ => respond(&mut out, 404, "application/json", b"{\"errorType\":\"NotFound\"}", &[])?,
            }
        }
    }

    /// Long poll: marks the end of Init on the first call, then blocks until
    /// an event is offered.
    fn next(&self, out: &mut TcpStream) -> std::io::Result<()> {
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        let generation = s.generation;
        if s.first_next.is_none() {
            s.first_next = Some(Instant::now());
            cv.notify_all();
        }
        let event = loop {
            if s.generation != generation {
                return Ok(()); // the environment is gone; drop the connection
            }
            if let Some(e) = s.pending.take() {
                break e;
            }
            s = cv.wait_timeout(s, Duration::from_millis(50)).unwrap().0;
        };
        drop(s);
        let headers = [
            ("Lambda-Runtime-Aws-Request-Id", event.request_id.clone()),
            ("Lambda-Runtime-Deadline-Ms", event.deadline_ms.to_string()),
            ("Lambda-Runtime-Invoked-Function-Arn", self.function_arn.clone()),
            ("Lambda-Runtime-Trace-Id", event.trace_id.clone()),
        ];
        respond(out, 200, "application/json", &event.body, &headers)?;
        let mut s = lock.lock().unwrap();
        s.handed = Some((event.request_id, Instant::now()));
        cv.notify_all();
        Ok(())
    }
}

pub enum InitEnd {
    Error(String),
    Exited,
    Timeout,
}

pub enum InvokeEnd {
    /// The process exited; the invocation had started at this instant.
    Exited(Instant),
    Timeout,
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The body's `errorType`, else `Lambda-Runtime-Function-Error-Type`, else `Unhandled`.
fn error_type(req: &Request) -> String {
    let from_header = req.header("Lambda-Runtime-Function-Error-Type").filter(|t| !t.is_empty()).map(str::to_string);
    let body = String::from_utf8_lossy(&req.body);
    if let Some(i) = body.find("\"errorType\"") {
        let rest = &body[i + 11..];
        if let Some(start) = rest.find('"') {
            let rest = &rest[start + 1..];
            if let Some(end) = rest.find('"') {
                if end > 0 {
                    return rest[..end].to_string();
                }
            }
        }
    }
    from_header.unwrap_or_else(|| "Unhandled".to_string())
}

fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default().to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut req = Request { method, path, headers, body: Vec::new() };
    if req.header("Transfer-Encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if n == 0 {
                // Trailers, then the blank line.
                loop {
                    let mut t = String::new();
                    if r.read_line(&mut t)? == 0 || t.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            req.body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = req.header("Content-Length").and_then(|v| v.parse::<usize>().ok()) {
        req.body = vec![0; n];
        r.read_exact(&mut req.body)?;
    }
    Ok(Some(req))
}

fn respond(
    out: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, String)],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        202 => "Accepted",
        403 => "Forbidden",
        _ => "Not Found",
    };
    let mut head =
        format!("HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

/// Epoch milliseconds now.
pub fn epoch_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}
