//! A function built with the official `lambda_runtime` crate. The event
//! steers it, so that bench-runner's fault handling can be tested:
//! `{"sleep_ms": N}` (timeouts), `{"alloc_mb": N}` (memory), `{"crash": true}`
//! (the runtime exits), `{"fail": "message"}` (a function error).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::time::Duration;

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, ctx) = event.into_parts();
    if let Some(ms) = payload.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(mb) = payload.get("alloc_mb").and_then(Value::as_u64) {
        let mut v = vec![0u8; (mb as usize) << 20];
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(&v);
    }
    if payload.get("crash").is_some() {
        std::process::exit(3);
    }
    if let Some(msg) = payload.get("fail").and_then(Value::as_str) {
        return Err(msg.into());
    }
    println!("handled {}", ctx.request_id);
    Ok(json!({ "ok": true, "request_id": ctx.request_id }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    if std::env::var_os("FAIL_INIT").is_some() {
        eprintln!("init failed on purpose");
        std::process::exit(1);
    }
    lambda_runtime::run(service_fn(handler)).await
}
