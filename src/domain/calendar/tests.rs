use chrono::{DateTime, NaiveDateTime, Utc};

use super::*;

fn utc_at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn meeting() -> Event {
    Event {
        uid: "0b5e3f9e-7a43-4c51-9d0e-3f1b2c4d5e6f@yhdyspinta".into(),
        stamp: utc_at("2026-03-01T10:00:00Z"),
        created: utc_at("2026-02-01T10:00:00Z"),
        sequence: 2,
        start: utc_at("2026-04-15T06:00:00Z"),
        end: Some(utc_at("2026-04-15T08:00:00Z")),
        summary: "Kuntafoorumi; kevät, 2026".into(),
        location: Some("Kuopio\\Valtuustosali".into()),
        url: Some("https://example.org/esityslista?id=1&v=2".into()),
        description: Some("Verkosto: Kuntafoorumi\nEsityslista: https://example.org/a".into()),
    }
}

#[test]
fn commas_semicolons_backslashes_and_line_breaks_are_escaped() {
    assert_eq!(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
    assert_eq!(
        escape_text("one\ntwo\r\nthree\rfour"),
        "one\\ntwo\\nthree\\nfour"
    );
    assert_eq!(
        escape_text("tab\tstays, bell\u{7} goes"),
        "tab\tstays\\, bell goes"
    );
    assert_eq!(escape_text("Väkivallan ehkäisy"), "Väkivallan ehkäisy");
}

#[test]
fn a_long_line_is_folded_at_75_octets() {
    let line = format!("SUMMARY:{}", "x".repeat(200));
    let folded = fold(&line);
    let parts: Vec<&str> = folded.split("\r\n").collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].len(), 75);
    assert_eq!(parts[1].len(), 75);
    assert!(parts[1].starts_with(' ') && parts[2].starts_with(' '));
    let unfolded: String = folded.replace("\r\n ", "");
    assert_eq!(unfolded, line);
    // A short line is left alone.
    assert_eq!(fold("VERSION:2.0"), "VERSION:2.0");
    assert_eq!(fold(&"y".repeat(75)), "y".repeat(75));
}

#[test]
fn folding_never_splits_a_character() {
    // "ä" is two octets: 8 + 2 × 40 octets, so a fold falls inside a character unless
    // the writer moves it.
    let line = format!("SUMMARY:{}", "ä".repeat(40));
    let folded = fold(&line);
    for part in folded.split("\r\n") {
        assert!(part.len() <= 75, "{} octets: {part}", part.len());
    }
    let first = folded.split("\r\n").next().unwrap();
    assert_eq!(
        first.len(),
        74,
        "the fold moves before the character that would not fit"
    );
    assert_eq!(folded.replace("\r\n ", ""), line);
    // Four-octet characters too.
    let emoji = "🙂".repeat(30);
    assert_eq!(fold(&emoji).replace("\r\n ", ""), emoji);
    assert!(fold(&emoji).split("\r\n").all(|part| part.len() <= 75));
}

#[test]
fn times_are_helsinki_local_with_the_zone_named() {
    // 06:00 UTC in April is 09:00 summer time.
    assert_eq!(
        date_time(utc_at("2026-04-15T06:00:00Z")),
        ";TZID=Europe/Helsinki:20260415T090000"
    );
    // 10:00 UTC in January is 12:00 winter time.
    assert_eq!(
        date_time(utc_at("2026-01-15T10:00:00Z")),
        ";TZID=Europe/Helsinki:20260115T120000"
    );
}

#[test]
fn the_repeated_hour_in_october_is_written_in_utc() {
    // Summer time ends 25.10.2026 at 04:00 EEST (01:00 UTC): 03:30 local happens twice.
    let first = utc_at("2026-10-25T00:30:00Z");
    let second = utc_at("2026-10-25T01:30:00Z");
    assert_eq!(helsinki_local(first), local("2026-10-25 03:30"));
    assert_eq!(helsinki_local(second), local("2026-10-25 03:30"));
    assert_eq!(from_helsinki_local(local("2026-10-25 03:30")), Some(first));
    assert_eq!(date_time(first), ";TZID=Europe/Helsinki:20261025T033000");
    assert_eq!(date_time(second), ":20261025T013000Z");
    // The hour skipped in March names no instant.
    assert_eq!(from_helsinki_local(local("2026-03-29 03:30")), None);
}

#[test]
fn a_feed_has_its_zone_its_events_and_crlf_lines() {
    let feed = Feed {
        name: "Kuntafoorumi".into(),
        description: "Kuntafoorumi: kokoukset".into(),
        events: vec![meeting()],
    };
    let text = feed.render();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    let unfolded = text.replace("\r\n ", "");
    for expected in [
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\n",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
        "UID:0b5e3f9e-7a43-4c51-9d0e-3f1b2c4d5e6f@yhdyspinta\r\n",
        "DTSTAMP:20260301T100000Z\r\n",
        "SEQUENCE:2\r\n",
        "DTSTART;TZID=Europe/Helsinki:20260415T090000\r\n",
        "DTEND;TZID=Europe/Helsinki:20260415T110000\r\n",
        "SUMMARY:Kuntafoorumi\\; kevät\\, 2026\r\n",
        "LOCATION:Kuopio\\\\Valtuustosali\r\n",
        "URL:https://example.org/esityslista?id=1&v=2\r\n",
        "DESCRIPTION:Verkosto: Kuntafoorumi\\nEsityslista: https://example.org/a\r\n",
    ] {
        assert!(
            unfolded.contains(expected),
            "{expected:?} missing from\n{unfolded}"
        );
    }
}

#[test]
fn optional_parts_are_left_out() {
    let event = Event {
        end: None,
        location: None,
        url: Some("https://example.org/with space".into()),
        description: None,
        ..meeting()
    };
    let lines = event.lines();
    for absent in ["DTEND", "LOCATION", "URL", "DESCRIPTION"] {
        assert!(
            !lines.iter().any(|line| line.starts_with(absent)),
            "{absent} in {lines:?}"
        );
    }
    // An end before the start is not written either.
    let backwards = Event {
        end: Some(utc_at("2026-04-15T05:00:00Z")),
        ..meeting()
    };
    assert!(!backwards.lines().iter().any(|l| l.starts_with("DTEND")));
}
