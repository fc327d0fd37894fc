//! GeneralizedTime (X.690 §11.7) to seconds since the Unix epoch.
//!
//! OCSP's times (producedAt, thisUpdate, nextUpdate, revocationTime) are
//! GeneralizedTime in UTC. DER fixes the form: `YYYYMMDDHHMMSS`, then
//! optionally `.` and fractional-second digits without trailing zeros, then
//! `Z`. RFC 5280 §4.1.2.5.2 forbids the fraction in certificates, but RFC
//! 6960 does not, and some responders write one, so it is accepted and
//! dropped (the times are whole seconds here). Times before 1970 are
//! refused: no OCSP response is that old.

/// The shortest form: `YYYYMMDDHHMMSSZ`.
const MIN_LEN: usize = 15;
/// A generous bound on the fraction's digits (nanoseconds need nine), so a
/// hostile time cannot be long.
const MAX_FRACTION_DIGITS: usize = 12;

/// Seconds since the Unix epoch of a DER GeneralizedTime's contents, or
/// `None` if they are not in the form above or name no real moment (month
/// 13, February 30, second 60...).
pub(crate) fn parse_generalized_time(value: &[u8]) -> Option<u64> {
    if value.len() < MIN_LEN || value.last() != Some(&b'Z') {
        return None;
    }
    let (whole, rest) = value.split_at_checked(MIN_LEN - 1)?;
    check_fraction(rest.strip_suffix(b"Z")?)?;

    let year = digits(whole.get(0..4)?)?;
    let month = digits(whole.get(4..6)?)?;
    let day = digits(whole.get(6..8)?)?;
    let hour = digits(whole.get(8..10)?)?;
    let minute = digits(whole.get(10..12)?)?;
    let second = digits(whole.get(12..14)?)?;
    if year < 1970
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_since_epoch(year, month, day)?;
    let seconds_today = hour
        .checked_mul(3600)?
        .checked_add(minute.checked_mul(60)?)?
        .checked_add(second)?;
    days.checked_mul(86_400)?.checked_add(seconds_today)
}

/// Empty, or `.` and 1 to [`MAX_FRACTION_DIGITS`] digits, the last not 0
/// (X.690 §11.7.3).
fn check_fraction(fraction: &[u8]) -> Option<()> {
    let Some(digits) = fraction.strip_prefix(b".") else {
        return fraction.is_empty().then_some(());
    };
    let valid = !digits.is_empty()
        && digits.len() <= MAX_FRACTION_DIGITS
        && digits.iter().all(u8::is_ascii_digit)
        && digits.last() != Some(&b'0');
    valid.then_some(())
}

/// A run of ASCII digits as a number.
fn digits(ascii: &[u8]) -> Option<u64> {
    ascii.iter().try_fold(0u64, |acc, &b| {
        let digit = char::from(b).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

fn is_leap_year(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian
/// calendar, for a year from 1970 on: whole years, then whole months.
fn days_since_epoch(year: u64, month: u64, day: u64) -> Option<u64> {
    let years = year.checked_sub(1970)?;
    // Leap days in the years before `year`, counted from year 1, minus
    // those before 1970.
    let leap_days = |y: u64| {
        (y / 4)
            .checked_sub(y / 100)
            .and_then(|d| d.checked_add(y / 400))
    };
    let leaps = leap_days(year.checked_sub(1)?)?.checked_sub(leap_days(1969)?)?;
    let months = (1..month).map(|m| days_in_month(year, m)).sum::<u64>();
    years
        .checked_mul(365)?
        .checked_add(leaps)?
        .checked_add(months)?
        .checked_add(day.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_times() {
        let cases: &[(&str, u64)] = &[
            ("19700101000000Z", 0),
            ("20000229235959Z", 951_868_799),
            ("20260101000000Z", 1_767_225_600),
            ("20380119031408Z", 2_147_483_648),
            ("21261030211024Z", 4_949_068_224),
            ("99991231235959Z", 253_402_300_799),
            // A fraction is accepted and dropped.
            ("20260101000000.5Z", 1_767_225_600),
            ("20260101000059.123456789Z", 1_767_225_659),
        ];
        for &(text, unix) in cases {
            assert_eq!(
                parse_generalized_time(text.as_bytes()),
                Some(unix),
                "{text}"
            );
        }
    }

    #[test]
    fn every_day_of_a_leap_and_a_plain_year_is_one_day_apart() {
        for year in [1972u64, 2023, 2024, 2100] {
            let mut previous = None;
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let text = format!("{year:04}{month:02}{day:02}000000Z");
                    let unix = parse_generalized_time(text.as_bytes()).unwrap();
                    if let Some(p) = previous {
                        assert_eq!(unix - p, 86_400, "{text}");
                    }
                    previous = Some(unix);
                }
            }
        }
    }

    #[test]
    fn malformed_times_are_refused() {
        for text in [
            "",
            "2026010100000Z",      // a digit short
            "20260101000000",      // no Z
            "20260101000000+0100", // an offset
            "202601010000Z",       // no seconds
            "20261301000000Z",     // month 13
            "20260001000000Z",     // month 0
            "20260230000000Z",     // February 30
            "20250229000000Z",     // not a leap year
            "20260101240000Z",     // hour 24
            "20260101006000Z",     // minute 60
            "20260101000060Z",     // leap second
            "19691231235959Z",     // before 1970
            "2026010100000aZ",
            "20260101000000.Z",   // empty fraction
            "20260101000000.50Z", // trailing zero
            "20260101000000,5Z",  // comma
            "20260101000000.1234567890123Z",
            "+2026010100000Z",
            "２０26010100000Z",
        ] {
            assert_eq!(parse_generalized_time(text.as_bytes()), None, "{text:?}");
        }
    }
}
