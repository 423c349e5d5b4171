//! Lambda's JSON log format (`LoggingConfig.LogFormat = JSON`): platform events
//! `{"time":…,"type":"platform.report","record":{…}}`. Key order varies, unknown
//! event types and fields are ignored.

use super::record::{thousandths_of, Invocation, Status, MAX_MS};
use crate::time::parse_timestamp_ms;
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub struct PlatformEvent<'a> {
    #[serde(borrow)]
    pub time: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub record: EventRecord<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord<'a> {
    #[serde(borrow)]
    pub request_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub error_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub function_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub runtime_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub runtime_version_arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub phase: Option<Cow<'a, str>>,
    /// The execution environment (= log stream), in `platform.initStart`.
    #[serde(borrow)]
    pub instance_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub metrics: Metrics,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub duration_ms: Option<f64>,
    pub billed_duration_ms: Option<f64>,
    #[serde(rename = "memorySizeMB")]
    pub memory_size_mb: Option<f64>,
    #[serde(rename = "maxMemoryUsedMB")]
    pub max_memory_used_mb: Option<f64>,
    pub init_duration_ms: Option<f64>,
    pub restore_duration_ms: Option<f64>,
}

/// Parses the first JSON value in `text` (trailing text is ignored: the event
/// may be followed by the rest of a quoted line).
pub fn parse_event(text: &str) -> Option<PlatformEvent<'_>> {
    parse_event_at(text).map(|(ev, _)| ev)
}

/// [`parse_event`], also giving the byte length of the value read.
pub fn parse_event_at(text: &str) -> Option<(PlatformEvent<'_>, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<PlatformEvent>();
    let ev = stream.next()?.ok()?;
    Some((ev, stream.byte_offset()))
}

fn thousandths(v: Option<f64>) -> Option<u64> {
    v.and_then(thousandths_of)
}

fn whole(v: Option<f64>) -> Option<u64> {
    v.filter(|x| x.is_finite() && *x >= 0.0 && x.fract() == 0.0 && *x <= MAX_MS as f64).map(|x| x as u64)
}

/// A metric that is absent stays absent; one that is there but unreadable
/// (negative, fractional where it must be whole, not a number) is an error
/// naming it, never read as absent.
fn metric(
    v: Option<f64>,
    read: fn(Option<f64>) -> Option<u64>,
    bad: &'static str,
) -> Result<Option<u64>, &'static str> {
    match v {
        None => Ok(None),
        Some(_) => read(v).map(Some).ok_or(bad),
    }
}

/// Turns a `platform.report` event into an invocation, or names the missing
/// or unreadable field. Only `requestId` and `durationMs` are required: Lambda
/// Managed Instances reports carry no billed duration or memory, and count as
/// invocations with what they have (their cost is not known).
pub fn report_invocation<'e>(ev: &'e PlatformEvent<'_>) -> Result<Invocation<'e>, &'static str> {
    let r = &ev.record;
    let m = &r.metrics;
    let request_id = r.request_id.as_deref().ok_or("platform.report missing requestId")?;
    let status = match r.status.as_deref() {
        None => Status::Success,
        Some(s) => Status::from_word(s).ok_or("platform.report with unreadable status")?,
    };
    let duration = metric(m.duration_ms, thousandths, "platform.report with unreadable durationMs")?;
    Ok(Invocation {
        request_id,
        timestamp_ms: ev.time.as_deref().and_then(parse_timestamp_ms),
        duration_us: Some(duration.ok_or("platform.report missing durationMs")?),
        billed_ms: metric(m.billed_duration_ms, whole, "platform.report with unreadable billedDurationMs")?,
        memory_size_mb: metric(m.memory_size_mb, whole, "platform.report with unreadable memorySizeMB")?
            .map(|mb| if mb == 0 { Err("platform.report with unreadable memorySizeMB") } else { Ok(mb) })
            .transpose()?,
        max_memory_used_mb: metric(m.max_memory_used_mb, whole, "platform.report with unreadable maxMemoryUsedMB")?,
        init_us: metric(m.init_duration_ms, thousandths, "platform.report with unreadable initDurationMs")?,
        restore_us: metric(m.restore_duration_ms, thousandths, "platform.report with unreadable restoreDurationMs")?,
        status,
        error_type: r.error_type.as_deref(),
        ..Invocation::default()
    })
}
