//! Calendar feeds of meetings in iCalendar (RFC 5545): a network's meetings, and the
//! meetings of the networks an organisation sits in, for a calendar application to
//! subscribe to. [`Feed::render`] writes the text; [`service`] reads the meetings.
//!
//! Times are written in `Europe/Helsinki` with the zone's `VTIMEZONE` (the EU summer-time
//! rule the rest of the API uses, [`crate::clock`]), so a client without a time-zone
//! database still places them right. An instant that local time cannot name alone (the
//! hour repeated when summer time ends) is written in UTC instead.
//!
//! The writer is a few lines of our own rather than a crate: the builder crates for Rust
//! write no `VTIMEZONE` (`icalendar` documents that it would need one for `TZID` and has
//! none), and what a feed needs — escaping, folding, a fixed zone — fits on a page, tested
//! below and parsed back in the integration tests with `icalendar`'s parser.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::clock::finnish_offset_hours;

pub mod service;
#[cfg(test)]
mod tests;

/// The zone every local time names.
pub const TIME_ZONE: &str = "Europe/Helsinki";

/// `Europe/Helsinki` by the EU rule in force since 1996: EEST (+03) from 03:00 local on the
/// last Sunday of March to 04:00 local on the last Sunday of October, EET (+02) otherwise.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Helsinki",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0300",
    "TZNAME:EEST",
    "DTSTART:19960331T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0300",
    "TZOFFSETTO:+0200",
    "TZNAME:EET",
    "DTSTART:19961027T040000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// Longest line in octets, the line break not counted (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// One calendar: its name and its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Shown as the calendar's name (`NAME`, `X-WR-CALNAME`).
    pub name: String,
    /// What the calendar holds (`DESCRIPTION`, `X-WR-CALDESC`).
    pub description: String,
    pub events: Vec<Event>,
}

/// One meeting as a `VEVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Globally unique and stable: the same meeting has the same UID in every feed.
    pub uid: String,
    /// When the event's data last changed (`DTSTAMP`, `LAST-MODIFIED`); a stored time, so
    /// the same data always gives the same text.
    pub stamp: DateTime<Utc>,
    pub created: DateTime<Utc>,
    /// Raised with each change (`SEQUENCE`).
    pub sequence: u32,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub summary: String,
    pub location: Option<String>,
    /// The agenda (`URL`).
    pub url: Option<String>,
    pub description: Option<String>,
}

impl Feed {
    /// The feed as iCalendar text: CRLF line ends, folded at 75 octets.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&fold(&text));
            out.push_str("\r\n");
        };
        for fixed in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Yhdyspinta API//Calendar feeds//FI",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            line(fixed.to_owned());
        }
        line(format!("NAME:{}", escape_text(&self.name)));
        line(format!("X-WR-CALNAME:{}", escape_text(&self.name)));
        line(format!("DESCRIPTION:{}", escape_text(&self.description)));
        line(format!("X-WR-CALDESC:{}", escape_text(&self.description)));
        line(format!("X-WR-TIMEZONE:{TIME_ZONE}"));
        line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".to_owned());
        line("X-PUBLISHED-TTL:PT1H".to_owned());
        for fixed in VTIMEZONE {
            line((*fixed).to_owned());
        }
        for event in &self.events {
            for text in event.lines() {
                line(text);
            }
        }
        line("END:VCALENDAR".to_owned());
        out
    }
}

impl Event {
    /// The event's content lines, unfolded.
    fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", escape_text(&self.uid)),
            format!("DTSTAMP:{}", utc(self.stamp)),
            format!("CREATED:{}", utc(self.created)),
            format!("LAST-MODIFIED:{}", utc(self.stamp)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTART{}", date_time(self.start)),
        ];
        if let Some(end) = self.end.filter(|end| *end > self.start) {
            lines.push(format!("DTEND{}", date_time(end)));
        }
        lines.push(format!("SUMMARY:{}", escape_text(&self.summary)));
        if let Some(location) = &self.location {
            lines.push(format!("LOCATION:{}", escape_text(location)));
        }
        if let Some(url) = self.url.as_deref().filter(|url| is_uri(url)) {
            lines.push(format!("URL:{url}"));
        }
        if let Some(description) = &self.description {
            lines.push(format!("DESCRIPTION:{}", escape_text(description)));
        }
        lines.push("END:VEVENT".to_owned());
        lines
    }
}

/// A URI fit for a `URI` value as it is: no spaces, controls or line breaks (the API's
/// URL values are checked on input; this keeps a feed well-formed whatever is stored).
fn is_uri(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic())
}

/// `TEXT` escaped (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash,
/// a line break (CRLF, LF or CR) becomes `\n`; other control characters, which a value may
/// not hold, are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded (RFC 5545 §3.1): no line longer than 75 octets, a continuation
/// starting with a space (which counts), never splitting a UTF-8 character.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3);
    let mut room = LINE_OCTETS;
    for c in line.chars() {
        let width = c.len_utf8();
        if width > room {
            out.push_str("\r\n ");
            room = LINE_OCTETS - 1;
        }
        out.push(c);
        room -= width;
    }
    out
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A `DTSTART`/`DTEND` value with its parameters: `;TZID=Europe/Helsinki:` and local time,
/// or `:` and UTC when local time would name another instant.
fn date_time(at: DateTime<Utc>) -> String {
    let local = helsinki_local(at);
    if from_helsinki_local(local) == Some(at) {
        format!(";TZID={TIME_ZONE}:{}", local.format("%Y%m%dT%H%M%S"))
    } else {
        format!(":{}", utc(at))
    }
}

/// The wall-clock time in Helsinki at `at`.
pub fn helsinki_local(at: DateTime<Utc>) -> NaiveDateTime {
    (at + Duration::hours(finnish_offset_hours(at))).naive_utc()
}

/// The instant a Helsinki wall-clock time names as a calendar reads it (RFC 5545 §3.3.5):
/// of a repeated hour, the first; a skipped hour, `None`.
pub fn from_helsinki_local(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    [3, 2].into_iter().find_map(|offset| {
        let at = (local - Duration::hours(offset)).and_utc();
        (finnish_offset_hours(at) == offset).then_some(at)
    })
}
