//! Input objects of the mutations, and their conversion into checked values.

use super::scalars::Date;
use async_graphql::{ID, InputObject, MaybeUndefined, SimpleObject};

use uuid::Uuid;

use crate::domain::values::{self as input, Checked};
use crate::error::*;

/// Longest name.
pub const NAME_MAX: usize = 200;
/// Longest short text (titles, roles, notes, locations).
pub const SHORT_MAX: usize = 500;
/// Longest description.
pub const LONG_MAX: usize = 10_000;

/// Turns a field check into a `BAD_USER_INPUT` error.
pub fn checked<T>(result: Checked<T>) -> ApiResult<T> {
    result.map_err(|e| bad_input(e.field, e.message))
}

/// Parses an id argument.
pub fn id(field: &str, id: &ID) -> ApiResult<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| bad_input(field, format!("{field} is not a valid id")))
}

/// Parses an optional id argument.
pub fn opt_id(field: &str, value: &Option<ID>) -> ApiResult<Option<Uuid>> {
    value.as_ref().map(|v| id(field, v)).transpose()
}

/// Parses a list of ids.
pub fn ids(field: &str, values: &[ID]) -> ApiResult<Vec<Uuid>> {
    let mut out: Vec<Uuid> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let parsed = id(&format!("{field}[{i}]"), v)?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

/// An id that may be set, cleared (null) or left as it is (absent).
pub fn maybe_id(field: &str, value: &MaybeUndefined<ID>) -> ApiResult<MaybeUndefined<Uuid>> {
    Ok(match value {
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Value(v) => MaybeUndefined::Value(id(field, v)?),
    })
}

/// Applies a nullable text update with `check` to `current`.
pub fn update_text(
    current: Option<String>,
    value: &MaybeUndefined<String>,
    check: impl Fn(&str) -> Checked<Option<String>>,
) -> ApiResult<Option<String>> {
    match value {
        MaybeUndefined::Undefined => Ok(current),
        MaybeUndefined::Null => Ok(None),
        MaybeUndefined::Value(v) => checked(check(v)),
    }
}

/// Applies a nullable value update.
pub fn update_value<T, U: Clone + Into<T>>(
    current: Option<T>,
    value: &MaybeUndefined<U>,
) -> Option<T> {
    match value {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(v) => Some(v.clone().into()),
    }
}

/// Optional free text.
pub fn opt_text(field: &str, max: usize) -> impl Fn(&str) -> Checked<Option<String>> + '_ {
    move |v| input::text(field, Some(v), max, false)
}

/// Optional e-mail.
pub fn opt_email(field: &str) -> impl Fn(&str) -> Checked<Option<String>> + '_ {
    move |v| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            input::email(field, v).map(Some)
        }
    }
}

/// Optional phone number.
pub fn opt_phone(field: &str) -> impl Fn(&str) -> Checked<Option<String>> + '_ {
    move |v| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            input::phone(field, v).map(Some)
        }
    }
}

/// Optional URL.
pub fn opt_url(field: &str) -> impl Fn(&str) -> Checked<Option<String>> + '_ {
    move |v| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            input::url(field, v).map(Some)
        }
    }
}

/// A checked optional value from a plain `Option`.
pub fn opt<T>(
    value: &Option<String>,
    check: impl Fn(&str) -> Checked<Option<T>>,
) -> ApiResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(v) => checked(check(v)),
    }
}

/// Multilingual text: Finnish is required, Swedish and English optional.
#[derive(InputObject, Clone, Debug)]
pub struct LocalizedTextInput {
    /// Finnish (required).
    pub fi: String,
    /// Swedish.
    pub sv: Option<String>,
    /// English.
    pub en: Option<String>,
}

/// Checked multilingual text.
pub struct Localized {
    pub fi: String,
    pub sv: Option<String>,
    pub en: Option<String>,
}

impl From<Localized> for crate::domain::network::Name {
    fn from(text: Localized) -> Self {
        Self {
            fi: text.fi,
            sv: text.sv,
            en: text.en,
        }
    }
}

impl LocalizedTextInput {
    /// A name checked as [`LocalizedTextInput::check`] does, with the name length limit.
    pub fn name<T: From<Localized>>(&self, field: &str) -> ApiResult<T> {
        self.check(field, NAME_MAX).map(Into::into)
    }

    /// Checks the three languages, naming `field.fi` and so on.
    pub fn check(&self, field: &str, max: usize) -> ApiResult<Localized> {
        Ok(Localized {
            fi: checked(input::required(&format!("{field}.fi"), &self.fi, max))?,
            sv: checked(input::text(
                &format!("{field}.sv"),
                self.sv.as_deref(),
                max,
                false,
            ))?,
            en: checked(input::text(
                &format!("{field}.en"),
                self.en.as_deref(),
                max,
                false,
            ))?,
        })
    }
}

/// Identifies the row a delete or end acts on, at the version the client last read.
#[derive(InputObject, Clone, Debug)]
pub struct DeleteInput {
    /// The row.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// Also remove what refers to the row (representatives, seats, links); otherwise such
    /// references make the delete fail. Default false.
    pub cascade: Option<bool>,
}

/// Ends a representative or a seat: sets its last day, keeping the history.
#[derive(InputObject, Clone, Debug)]
pub struct EndInput {
    /// The representative or seat.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The last day; default today.
    pub valid_to: Option<Date>,
}

/// The result of a delete.
#[derive(SimpleObject, Clone, Debug)]
pub struct DeletePayload {
    /// Id of the deleted row.
    pub deleted_id: ID,
    /// How many referring rows were removed with it (with `cascade`).
    pub removed_references: i32,
}

/// The answer to a delete that removed `removed` referring rows with it.
pub fn deleted(id: uuid::Uuid, removed: u64) -> DeletePayload {
    DeletePayload {
        deleted_id: ID(id.to_string()),
        removed_references: i32::try_from(removed).unwrap_or(i32::MAX),
    }
}
