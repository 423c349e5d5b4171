//! Timestamps as logs print them, to epoch milliseconds (UTC).

use chrono::NaiveDate;

/// Parses `2024-02-13T21:01:04.046Z`, `2023-06-02T11:27:25.060000`,
/// `2024-03-05T15:18:17.870000+00:00`, `2022-05-02 20:58:14.456` (Logs
/// Insights) or a 13-digit epoch-millisecond number. Offsets other than UTC are
/// applied. Returns `None` for anything else.
pub fn parse_timestamp_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 13 && b.iter().all(u8::is_ascii_digit) {
        return s.parse().ok();
    }
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut millis = 0u32;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let mut digits = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            if digits < 3 {
                millis = millis * 10 + (b[i] - b'0') as u32;
            }
            digits += 1;
            i += 1;
        }
        for _ in digits.min(3)..3 {
            millis *= 10;
        }
    }
    let offset_min: i64 = match &s[i..] {
        "" | "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let hh: i64 = zone[1..3].parse().ok()?;
            let mm: i64 = zone[4..6].parse().ok()?;
            sign * (hh * 60 + mm)
        }
        _ => return None,
    };
    let dt = date.and_hms_milli_opt(h, m, sec, millis)?;
    Some(dt.and_utc().timestamp_millis() - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let z = parse_timestamp_ms("2024-02-13T21:01:04.046Z").unwrap();
        assert_eq!(z, 1_707_858_064_046);
        assert_eq!(parse_timestamp_ms("2024-02-13T21:01:04.046000+00:00"), Some(z));
        assert_eq!(parse_timestamp_ms("2024-02-13 21:01:04.046"), Some(z));
        assert_eq!(parse_timestamp_ms("2024-02-13T22:01:04.046+01:00"), Some(z));
        assert_eq!(parse_timestamp_ms("1707858064046"), Some(z));
        assert_eq!(parse_timestamp_ms("16:36:11"), None);
        assert_eq!(parse_timestamp_ms("2024-13-13T21:01:04Z"), None);
    }
}
