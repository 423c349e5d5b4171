//! Timestamps as logs print them, to epoch milliseconds (UTC).

/// Parses `2024-02-13T21:01:04.046Z`, `2023-06-02T11:27:25.060000`,
/// `2024-03-05T15:18:17.870000+00:00`, `2022-05-02 20:58:14.456` (Logs
/// Insights) or a 13-digit epoch-millisecond number. Offsets other than UTC are
/// applied. Returns `None` for anything else.
pub fn parse_timestamp_ms(s: &str) -> Option<i64> {
    parse_timestamp_bytes(s.as_bytes())
}

/// [`parse_timestamp_ms`] on bytes (a token of log text, not validated as UTF-8 first).
pub fn parse_timestamp_bytes(b: &[u8]) -> Option<i64> {
    if b.len() == 13 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')));
    }
    if b.len() < 19 {
        return None;
    }
    Some(minute_start(b)? + seconds_on(&b[17..])?)
}

/// The minute of the last timestamp read with [`parse_timestamp_in`]: its first 16 bytes
/// (`YYYY-MM-DDTHH:MM`) and the minute's start, epoch ms before any offset.
#[derive(Debug, Default)]
pub struct LastMinute(Option<([u8; 16], i64)>);

/// [`parse_timestamp_bytes`], the minute of the last timestamp remembered in `last`: log lines come in
/// time order, so most fall in the minute of the line before, and only their seconds, fraction and
/// offset are read.
pub fn parse_timestamp_in(b: &[u8], last: &mut LastMinute) -> Option<i64> {
    if b.len() < 19 {
        return parse_timestamp_bytes(b);
    }
    let key: [u8; 16] = b[..16].try_into().ok()?;
    let start = match last.0 {
        Some((k, start)) if k == key && b[16] == b':' => start,
        _ => {
            let start = minute_start(b)?;
            last.0 = Some((key, start));
            start
        }
    };
    Some(start + seconds_on(&b[17..])?)
}

/// The start of the minute `YYYY-MM-DDTHH:MM:` (or with a space for the `T`) at the start of `b`,
/// epoch ms before any offset; `None` unless those 17 bytes are such a minute.
fn minute_start(b: &[u8]) -> Option<i64> {
    if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    // The twelve digits of `YYYY-MM-DDTHH:MM`, checked together (one branch, not twelve).
    let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
    let digits = [d(0), d(1), d(2), d(3), d(5), d(6), d(8), d(9), d(11), d(12), d(14), d(15)];
    if digits.iter().fold(0, |bad, &x| bad | u32::from(x > 9)) != 0 {
        return None;
    }
    let two = |i: usize| digits[i] * 10 + digits[i + 1];
    let (year, month, day) = (two(0) * 100 + two(2), two(4), two(6));
    let days = days_from_civil_cached(year, month, day)?;
    let (h, m) = (two(8), two(10));
    if h > 23 || m > 59 {
        return None;
    }
    Some((days * 86_400 + i64::from(h * 3600 + m * 60)) * 1000)
}

/// `SS`, maybe a fraction, then nothing, `Z` or an offset (`b` starts at the seconds), as ms into the
/// minute less the offset.
fn seconds_on(b: &[u8]) -> Option<i64> {
    let (s1, s2) = (u32::from(b.first()?.wrapping_sub(b'0')), u32::from(b.get(1)?.wrapping_sub(b'0')));
    if s1 > 9 || s2 > 9 || s1 * 10 + s2 > 59 {
        return None;
    }
    let sec = s1 * 10 + s2;
    let mut i = 2;
    let mut millis = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 3 {
                millis = millis * 10 + u32::from(d - b'0');
            }
            i += 1;
        }
        for _ in (i - start).min(3)..3 {
            millis *= 10;
        }
    }
    let offset_min: i64 = match &b[i..] {
        b"" | b"Z" | b"+00:00" => 0,
        &[sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |hi: u8, lo: u8| {
                let (hi, lo) = (hi.wrapping_sub(b'0'), lo.wrapping_sub(b'0'));
                (hi < 10 && lo < 10).then(|| i64::from(hi) * 10 + i64::from(lo))
            };
            let minutes = two(h1, h2)? * 60 + two(m1, m2)?;
            if sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    Some(i64::from(sec * 1000 + millis) - offset_min * 60_000)
}

/// [`days_from_civil`] of the date asked last on this thread, remembered: log lines come in time
/// order, so nearly every line asks for the day before it.
fn days_from_civil_cached(year: u32, month: u32, day: u32) -> Option<i64> {
    use std::cell::Cell;
    thread_local! {
        static LAST: Cell<(u32, Option<i64>)> = const { Cell::new((u32::MAX, None)) };
    }
    let key = (year * 100 + month) * 100 + day;
    LAST.with(|last| {
        let (k, days) = last.get();
        if k == key {
            return days;
        }
        let days = days_from_civil(year, month, day);
        last.set((key, days));
        days
    })
}

/// Days from 1970-01-01 to a proleptic Gregorian date (years 0 to 9999); `None` for a month
/// or day that does not exist. Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: u32, month: u32, day: u32) -> Option<i64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > month_days {
        return None;
    }
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
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
        assert_eq!(parse_timestamp_ms("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_timestamp_ms("2024-02-13T24:00:00Z"), None);
        assert_eq!(parse_timestamp_ms("2024-02-13T21:60:00Z"), None);
        assert_eq!(parse_timestamp_ms("2024-02-13T16:31:04.046-04:30"), Some(z));
        // An offset is a sign, two digits, a colon and two digits; anything else is refused (this
        // one, a multi-byte character inside the offset, once made a `str` slice panic).
        assert_eq!(parse_timestamp_ms("2024-02-13T21:01:04+0\u{e9}:0"), None);
        assert_eq!(parse_timestamp_ms("2024-02-13T21:01:04+-1:00"), None);
        assert_eq!(parse_timestamp_ms("2024-02-13T21:01:04+01x00"), None);
        assert_eq!(parse_timestamp_ms("170785806404a"), None);
    }

    /// Random timestamps in each layout give chrono's instant; a byte of a digit turned into any
    /// other character gives `None`.
    #[test]
    fn random_timestamps_agree_with_chrono() {
        use chrono::{NaiveDate, TimeZone, Utc};
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        let mut below = |n: u64| next() % n;
        let mut last = LastMinute::default();
        for _ in 0..20_000 {
            let (y, mo) = (1900 + below(300) as i32, 1 + below(12) as u32);
            let Some(date) = NaiveDate::from_ymd_opt(y, mo, 1 + below(31) as u32) else { continue };
            let t = date.and_hms_milli_opt(below(24) as u32, below(60) as u32, below(60) as u32, below(1000) as u32);
            let want = Utc.from_utc_datetime(&t.unwrap()).timestamp_millis();
            let text = match below(3) {
                0 => t.unwrap().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                1 => t.unwrap().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
                _ => t.unwrap().format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            };
            assert_eq!(parse_timestamp_ms(&text), Some(want), "{text}");
            // With the last minute remembered: the same, read twice, and for another second of the
            // same minute with another ending (a cut fraction, an offset, a broken offset).
            assert_eq!(parse_timestamp_in(text.as_bytes(), &mut last), Some(want), "{text}");
            assert_eq!(parse_timestamp_in(text.as_bytes(), &mut last), Some(want), "{text}");
            let ending = ["", "Z", ".5", ".123456+00:00", "+01:30", "-00:45", "+1:30", ".x", ":00"][below(9) as usize];
            let other = format!("{}{:02}{ending}", &text[..17], below(61));
            assert_eq!(
                parse_timestamp_in(other.as_bytes(), &mut last),
                parse_timestamp_bytes(other.as_bytes()),
                "{other}"
            );
            let mut broken = text.into_bytes();
            let at = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18][below(14) as usize];
            broken[at] = b"/:aZ \xff"[below(6) as usize];
            assert_eq!(parse_timestamp_bytes(&broken), None, "{}", String::from_utf8_lossy(&broken));
            assert_eq!(parse_timestamp_in(&broken, &mut last), None, "{}", String::from_utf8_lossy(&broken));
        }
    }

    /// The calendar arithmetic agrees with chrono on every day of years 0 to 9999 sampled,
    /// and refuses the days chrono refuses.
    #[test]
    fn days_agree_with_chrono() {
        use chrono::NaiveDate;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for year in (0..=9999).step_by(7).chain(1896..=2104) {
            for month in 0..=13 {
                for day in 0..=32 {
                    let want = NaiveDate::from_ymd_opt(year as i32, month, day).map(|d| (d - epoch).num_days());
                    assert_eq!(days_from_civil(year, month, day), want, "{year}-{month}-{day}");
                    // Remembered or not, the same answer (asked twice, then another day between).
                    assert_eq!(days_from_civil_cached(year, month, day), want);
                    assert_eq!(days_from_civil_cached(year, month, day), want);
                }
            }
        }
    }
}
