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
    /// The two digits at `b[i..i + 2]` as a number.
    #[inline(always)]
    fn two(b: &[u8], i: usize) -> Option<u32> {
        let (hi, lo) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (hi < 10 && lo < 10).then(|| u32::from(hi) * 10 + u32::from(lo))
    }
    if b.len() == 13 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')));
    }
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let days = days_from_civil(two(b, 0)? * 100 + two(b, 2)?, two(b, 5)?, two(b, 8)?)?;
    let (h, m, sec) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let mut i = 19;
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
            let minutes = i64::from(two(&[h1, h2], 0)? * 60 + two(&[m1, m2], 0)?);
            if sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let seconds = days * 86_400 + i64::from(h * 3600 + m * 60 + sec);
    Some(seconds * 1000 + i64::from(millis) - offset_min * 60_000)
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
                }
            }
        }
    }
}
