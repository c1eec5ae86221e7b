//! Reading the CSV into checked rows, every problem reported with its line and column.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{Level, Visibility};
use uuid::Uuid;

use super::{CSV_COLUMNS, MAX_ROWS, NAME_MAX, Row, RowError, SHORT_MAX};
use crate::domain::values::{self, Checked};
use crate::error::FieldError;

fn level_of(value: &str) -> Option<Level> {
    match value.trim().to_ascii_uppercase().as_str() {
        "LEADERSHIP" | "JOHDON TASO" | "JOHTO" => Some(Level::Leadership),
        "INTERFACE" | "YHDYSPINTATASO" | "YHDYSPINTA" => Some(Level::Interface),
        "EVERYDAY" | "ARJEN TASO" | "ARKI" => Some(Level::Everyday),
        "PARTICIPATION" | "OSALLISTUMISEN TASO" | "OSALLISTUMINEN" => Some(Level::Participation),
        _ => None,
    }
}

/// Reads the CSV into checked rows, collecting every problem.
pub(super) fn parse_rows(
    csv_text: &str,
    topics: &HashMap<String, Uuid>,
    municipalities: &HashMap<String, Uuid>,
) -> (Vec<Row>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    let header_error = |message: String| RowError {
        line: 1,
        column: None,
        message,
    };
    match reader.headers() {
        Err(err) => {
            errors.push(header_error(format!("cannot read the header: {err}")));
            return (rows, errors);
        }
        Ok(h) if !h.iter().eq(CSV_COLUMNS) => {
            errors.push(header_error(format!(
                "the header must be: {}",
                CSV_COLUMNS.join(",")
            )));
            return (rows, errors);
        }
        Ok(_) => {}
    }
    for (n, record) in reader.records().enumerate() {
        let line = i32::try_from(n + 2).unwrap_or(i32::MAX);
        let whole_row = |message: String| RowError {
            line,
            column: None,
            message,
        };
        if n >= MAX_ROWS {
            errors.push(whole_row(format!("at most {MAX_ROWS} rows per import")));
            break;
        }
        match record {
            Ok(record) => match parse_record(line, &record, topics, municipalities) {
                Ok(row) => rows.push(row),
                Err(row_errors) => errors.extend(row_errors),
            },
            Err(err) => errors.push(whole_row(format!("unreadable row: {err}"))),
        }
    }
    (rows, errors)
}

/// The problems of one row, as they are found.
struct Problems {
    line: i32,
    found: Vec<RowError>,
}

impl Problems {
    fn add(&mut self, column: &str, message: String) {
        self.found.push(RowError {
            line: self.line,
            column: Some(column.into()),
            message,
        });
    }

    /// The checked value, or none with its problem noted.
    fn check<T>(&mut self, result: Checked<T>) -> Option<T> {
        result.map_err(|e| self.add(&e.field, e.message)).ok()
    }

    /// An optional cell checked with `parse`.
    fn optional<T>(&mut self, value: &str, parse: impl Fn(&str) -> Checked<T>) -> Option<T> {
        if value.is_empty() {
            None
        } else {
            self.check(parse(value))
        }
    }

    fn date(&mut self, column: &str, value: &str) -> Option<NaiveDate> {
        self.optional(value, |v| {
            v.parse::<NaiveDate>()
                .map_err(|_| FieldError::new(column, format!("{v:?} is not a date (YYYY-MM-DD)")))
        })
    }
}

/// One record as a checked row, or every problem in it.
fn parse_record(
    line: i32,
    record: &::csv::StringRecord,
    topics: &HashMap<String, Uuid>,
    municipalities: &HashMap<String, Uuid>,
) -> Result<Row, Vec<RowError>> {
    let cell = |i: usize| record.get(i).unwrap_or_default();
    let mut p = Problems {
        line,
        found: Vec::new(),
    };
    let person_name = p
        .check(values::text("person_name", Some(cell(0)), NAME_MAX, true))
        .flatten();
    let title = p
        .check(values::text("title", Some(cell(1)), SHORT_MAX, false))
        .flatten();
    let email = p.optional(cell(2), |v| values::email("email", v));
    let phone = p.optional(cell(3), |v| values::phone("phone", v));
    let visibility = match cell(4).to_ascii_uppercase().as_str() {
        "" | "PUBLIC" => Visibility::Public,
        "INTERNAL" => Visibility::Internal,
        other => {
            p.add("visibility", format!("{other:?} is not PUBLIC or INTERNAL"));
            Visibility::Public
        }
    };
    let topic = topics.get(cell(5)).copied();
    if topic.is_none() {
        p.add("topic", format!("no topic with slug {:?}", cell(5)));
    }
    let level = level_of(cell(6));
    if level.is_none() {
        let levels = "LEADERSHIP, INTERFACE, EVERYDAY or PARTICIPATION";
        p.add("level", format!("{:?} is not {levels}", cell(6)));
    }
    let role = p
        .check(values::text("role", Some(cell(7)), SHORT_MAX, false))
        .flatten();
    let deputy_name = p
        .check(values::text("deputy_name", Some(cell(8)), NAME_MAX, false))
        .flatten();
    let mut served = Vec::new();
    for code in cell(9).split([';', ' ', ',']).filter(|c| !c.is_empty()) {
        match municipalities.get(code) {
            Some(id) => served.push(*id),
            None => p.add(
                "served_municipality_codes",
                format!("no municipality with code {code:?}"),
            ),
        }
    }
    let valid_from = p.date("valid_from", cell(10));
    let valid_to = p.date("valid_to", cell(11));
    p.check(values::date_range("valid_to", valid_from, valid_to));
    match (person_name, topic, level) {
        (Some(person_name), Some(topic), Some(level)) if p.found.is_empty() => Ok(Row {
            line,
            person_name,
            title,
            email,
            phone,
            visibility,
            topic,
            level,
            role,
            deputy_name,
            served,
            valid_from,
            valid_to,
        }),
        _ => Err(p.found),
    }
}
