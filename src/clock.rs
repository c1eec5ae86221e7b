//! Finnish local time without a time-zone database: Finland is UTC+2, and UTC+3 in
//! summer time, which in the EU runs from 01:00 UTC on the last Sunday of March to 01:00 UTC
//! on the last Sunday of October.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC.
fn last_sunday_0100(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut day = first_of_next.pred_opt()?;
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt()?;
    }
    Utc.from_local_datetime(&day.and_hms_opt(1, 0, 0)?).single()
}

/// The UTC offset of Finland at `at`, in hours.
pub fn finnish_offset_hours(at: DateTime<Utc>) -> i64 {
    let year = at.year();
    match (last_sunday_0100(year, 3), last_sunday_0100(year, 10)) {
        (Some(start), Some(end)) if at >= start && at < end => 3,
        _ => 2,
    }
}

/// The calendar day in Finland at `at`.
pub fn finnish_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(finnish_offset_hours(at))).date_naive()
}

/// The instant a calendar day starts in Finland.
pub fn start_of_finnish_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let winter = midnight - Duration::hours(2);
    if finnish_offset_hours(winter) == 3 {
        midnight - Duration::hours(3)
    } else {
        winter
    }
}

/// Today in Finland.
pub fn today() -> NaiveDate {
    finnish_date(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn summer_and_winter_offsets() {
        assert_eq!(finnish_offset_hours(utc("2025-01-15T12:00:00Z")), 2);
        assert_eq!(finnish_offset_hours(utc("2025-07-15T12:00:00Z")), 3);
        // 2025: summer time 30 March 01:00 UTC – 26 October 01:00 UTC.
        assert_eq!(finnish_offset_hours(utc("2025-03-30T00:59:59Z")), 2);
        assert_eq!(finnish_offset_hours(utc("2025-03-30T01:00:00Z")), 3);
        assert_eq!(finnish_offset_hours(utc("2025-10-26T00:59:59Z")), 3);
        assert_eq!(finnish_offset_hours(utc("2025-10-26T01:00:00Z")), 2);
    }

    #[test]
    fn days_start_at_finnish_midnight() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            start_of_finnish_day(d("2025-01-15")),
            utc("2025-01-14T22:00:00Z")
        );
        assert_eq!(
            start_of_finnish_day(d("2025-07-15")),
            utc("2025-07-14T21:00:00Z")
        );
    }

    #[test]
    fn finnish_day_turns_before_utc_midnight() {
        assert_eq!(
            finnish_date(utc("2025-12-31T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        assert_eq!(
            finnish_date(utc("2025-06-30T20:59:00Z")),
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
        assert_eq!(
            finnish_date(utc("2025-06-30T21:00:00Z")),
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
        );
    }
}
