//! The change feed: the audit log in commit order, as integrators read it to keep a copy
//! current. A change says which row of which type was written, how, when and which fields
//! changed; its cursor (`seq.sub`, the commit number and the row's place in the commit) is
//! stored with the row, so it means the same after a restart and on every node.
//!
//! Personal data follows the read rules of the API: the e-mail and phone of an `INTERNAL`
//! person are shown only to callers who may read them ([`crate::auth::policy::may_read_internal`]);
//! for others the field is listed as changed with its values hidden. The derived search text
//! is never listed.

pub mod follow;
pub mod service;

use chrono::{DateTime, Utc};
use entity::audit_log;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, bad_input};

/// The entity types whose writes the feed carries, as stored in the audit log.
pub const ENTITY_TYPES: [&str; 8] = [
    "Organisation",
    "Person",
    "Representative",
    "Network",
    "NetworkMembership",
    "Meeting",
    "Action",
    "ProgressReport",
];

/// Fields of a person shown only to those who may read its internal contact details.
const CONTACT_FIELDS: [&str; 2] = ["email", "phone"];

/// Fields never listed: derived from the others.
const DERIVED_FIELDS: [&str; 1] = ["search_text"];

/// A position in the feed: the commit number and the row's place in the commit. Written
/// (and serialised) as `seq.sub`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeCursor {
    pub seq: i64,
    pub sub: i32,
}

impl ChangeCursor {
    /// The feed's start: before every change.
    pub const START: ChangeCursor = ChangeCursor { seq: 0, sub: -1 };

    /// Reads a cursor (`42.0`); `BAD_USER_INPUT` naming `field` otherwise.
    pub fn parse(field: &str, text: &str) -> ApiResult<ChangeCursor> {
        let bad = || {
            bad_input(
                field,
                format!("{text:?} is not a change cursor (like \"42.0\")"),
            )
        };
        let (seq, sub) = text.split_once('.').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let sub: i32 = sub.parse().map_err(|_| bad())?;
        if seq < 0 || sub < 0 {
            return Err(bad());
        }
        Ok(ChangeCursor { seq, sub })
    }
}

impl Serialize for ChangeCursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::fmt::Display for ChangeCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.seq, self.sub)
    }
}

/// Which changes a reader wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFilter {
    /// Only these entity types (none: all).
    pub types: Option<Vec<String>>,
    /// Only rows of this organisation: the organisation itself, its units, and rows naming
    /// it as `organisationId` or `convenerId`.
    pub organisation: Option<Uuid>,
}

impl ChangeFilter {
    /// Checks the entity types against [`ENTITY_TYPES`].
    pub fn new(types: Option<Vec<String>>, organisation: Option<Uuid>) -> ApiResult<Self> {
        if let Some(unknown) = types
            .iter()
            .flatten()
            .find(|t| !ENTITY_TYPES.contains(&t.as_str()))
        {
            return Err(bad_input(
                "types",
                format!("{unknown:?} is not an entity type"),
            ));
        }
        Ok(ChangeFilter {
            types,
            organisation,
        })
    }

    /// Whether the row `row` is of the organisation asked for (always, when none is).
    pub fn matches_organisation(&self, row: &audit_log::Model) -> bool {
        let Some(org) = self.organisation else {
            return true;
        };
        if row.entity_type == "Organisation" && row.entity_id == org {
            return true;
        }
        let names = |value: &Option<Value>| {
            ["organisation_id", "convener_id", "parent_id"]
                .iter()
                .any(|key| {
                    value
                        .as_ref()
                        .and_then(|v| v.get(key))
                        .and_then(Value::as_str)
                        == Some(org.to_string().as_str())
                })
        };
        names(&row.before) || names(&row.after)
    }
}

/// One field a write changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The field's name as the API spells it (`organisationId`).
    pub field: String,
    /// The value before (null: none, or hidden).
    pub before: Option<Value>,
    /// The value after (null: none, or hidden).
    pub after: Option<Value>,
    /// Whether the values are withheld from this reader.
    pub hidden: bool,
}

/// One write as the feed shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub cursor: ChangeCursor,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// `CREATE`, `UPDATE`, `END`, `DELETE` or `CONFIRM`.
    pub operation: String,
    pub occurred_at: DateTime<Utc>,
    pub fields: Vec<FieldChange>,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Where to resume: after the last row read, matching or not (none: nothing read).
    pub end: Option<ChangeCursor>,
    /// Whether rows after `end` exist.
    pub has_more: bool,
}

/// Whether the row holds contact details some readers may not see: a person that was or
/// became `INTERNAL`.
pub fn has_internal_contacts(row: &audit_log::Model) -> bool {
    let internal = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("visibility"))
            .and_then(Value::as_str)
            == Some("INTERNAL")
    };
    row.entity_type == "Person" && (internal(&row.before) || internal(&row.after))
}

/// The organisation a person row belongs to, after the write or before it.
pub fn person_organisation(row: &audit_log::Model) -> Option<Uuid> {
    [&row.after, &row.before]
        .into_iter()
        .find_map(|v| v.as_ref()?.get("organisation_id")?.as_str()?.parse().ok())
}

/// The change a row records, `contacts_visible` saying whether the reader may see an
/// internal person's contact details.
pub fn change_of(row: &audit_log::Model, contacts_visible: bool) -> Result<Change, ApiError> {
    let seq = row
        .seq
        .ok_or_else(|| crate::error::internal("an unnumbered audit row"))?;
    let hide = has_internal_contacts(row) && !contacts_visible;
    Ok(Change {
        cursor: ChangeCursor {
            seq,
            sub: row.sub.unwrap_or(0),
        },
        entity_type: row.entity_type.clone(),
        entity_id: row.entity_id,
        operation: row.operation.clone(),
        occurred_at: row.occurred_at,
        fields: changed_fields(row.before.as_ref(), row.after.as_ref(), hide),
    })
}

/// The fields whose values differ between `before` and `after` (every field of a created
/// or deleted row), in name order; contact fields' values withheld when `hide_contacts`.
pub fn changed_fields(
    before: Option<&Value>,
    after: Option<&Value>,
    hide_contacts: bool,
) -> Vec<FieldChange> {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| !DERIVED_FIELDS.contains(&key.as_str()))
        .filter(|key| value_of(before, key) != value_of(after, key))
        .map(|key| {
            let hidden = hide_contacts && CONTACT_FIELDS.contains(&key.as_str());
            let value = |map: &Map<String, Value>| {
                map.get(key).filter(|v| !v.is_null() && !hidden).cloned()
            };
            FieldChange {
                field: camel_case(key),
                before: value(before),
                after: value(after),
                hidden,
            }
        })
        .collect()
}

/// A field's value, a missing one as null.
fn value_of<'a>(map: &'a Map<String, Value>, key: &str) -> &'a Value {
    map.get(key).unwrap_or(&Value::Null)
}

/// `organisation_id` → `organisationId`.
fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
