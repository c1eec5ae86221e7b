//! Input objects of the mutations, and their conversion into checked values.

use super::scalars::Date;
use async_graphql::{ID, InputObject, MaybeUndefined, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::enums::*;
use crate::error::*;
use crate::input::{self, Checked};

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

impl LocalizedTextInput {
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

/// Creates a network.
#[derive(InputObject, Clone, Debug)]
pub struct CreateNetworkInput {
    /// What kind it is.
    pub kind: NetworkKind,
    /// The name; Finnish is required.
    pub name: LocalizedTextInput,
    /// Free description.
    pub description: Option<String>,
    /// Topic slugs.
    #[graphql(default)]
    pub topics: Vec<String>,
    /// Level of cooperation.
    pub level: Option<Level>,
    /// The wellbeing services county.
    pub county_id: Option<ID>,
    /// The convening organisation; it owns the network, its seats and meetings.
    pub convener_id: Option<ID>,
    /// How convening works when it rotates.
    pub convener_note: Option<String>,
    /// The responsible person.
    pub responsible_person_id: Option<ID>,
    /// The responsible role as written, when no person is named.
    pub responsible_role: Option<String>,
    /// The parent.
    pub parent_id: Option<ID>,
    /// The area the network works for.
    pub area_id: Option<ID>,
    /// How often it meets, as written.
    pub cadence: Option<String>,
    /// Meetings a year (0–366).
    pub meetings_per_year: Option<i32>,
    /// Statutes or decisions the network rests on.
    pub legal_basis: Option<String>,
    /// First day.
    pub valid_from: Option<Date>,
    /// Last day; must not be before the first.
    pub valid_to: Option<Date>,
}

/// Changes a network; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateNetworkInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// What kind it is.
    pub kind: Option<NetworkKind>,
    /// The name; Finnish is required.
    pub name: Option<LocalizedTextInput>,
    /// Free description.
    pub description: MaybeUndefined<String>,
    /// Replaces the topics.
    pub topics: Option<Vec<String>>,
    /// Level of cooperation.
    pub level: MaybeUndefined<Level>,
    /// The convening organisation; it owns the network, its seats and meetings.
    pub convener_id: MaybeUndefined<ID>,
    /// How convening works when it rotates.
    pub convener_note: MaybeUndefined<String>,
    /// The responsible person.
    pub responsible_person_id: MaybeUndefined<ID>,
    /// The responsible role as written, when no person is named.
    pub responsible_role: MaybeUndefined<String>,
    /// How often it meets, as written.
    pub cadence: MaybeUndefined<String>,
    /// Meetings a year (0–366).
    pub meetings_per_year: MaybeUndefined<i32>,
    /// Statutes or decisions the network rests on.
    pub legal_basis: MaybeUndefined<String>,
    /// First day.
    pub valid_from: MaybeUndefined<Date>,
    /// Last day; must not be before the first.
    pub valid_to: MaybeUndefined<Date>,
}

/// Adds a seat to a network.
#[derive(InputObject, Clone, Debug)]
pub struct CreateMembershipInput {
    /// The network.
    pub network_id: ID,
    /// The organisation holding the seat (give it, a person, or both).
    pub organisation_id: Option<ID>,
    /// The person.
    pub person_id: Option<ID>,
    /// Person id of the deputy.
    pub deputy_id: Option<ID>,
    /// Role.
    pub role: MembershipRole,
    /// The seat as described.
    pub note: Option<String>,
    /// First day.
    pub valid_from: Option<Date>,
    /// Last day; must not be before the first.
    pub valid_to: Option<Date>,
}

/// Changes a seat; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateMembershipInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The person.
    pub person_id: MaybeUndefined<ID>,
    /// Person id of the deputy.
    pub deputy_id: MaybeUndefined<ID>,
    /// Role.
    pub role: Option<MembershipRole>,
    /// The seat as described.
    pub note: MaybeUndefined<String>,
    /// First day.
    pub valid_from: MaybeUndefined<Date>,
    /// Last day; must not be before the first.
    pub valid_to: MaybeUndefined<Date>,
}

/// Schedules a meeting.
#[derive(InputObject, Clone, Debug)]
pub struct CreateMeetingInput {
    /// The network.
    pub network_id: ID,
    /// Title.
    pub title: Option<String>,
    /// Start time.
    pub starts_at: DateTime<Utc>,
    /// End time; not before the start.
    pub ends_at: Option<DateTime<Utc>>,
    /// Where it is held.
    pub location: Option<String>,
    /// Link to the agenda.
    pub agenda_url: Option<String>,
    /// Link to the minutes.
    pub minutes_url: Option<String>,
}

/// Changes a meeting; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateMeetingInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// Start time.
    pub starts_at: Option<DateTime<Utc>>,
    /// End time; not before the start.
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Where it is held.
    pub location: MaybeUndefined<String>,
    /// Link to the agenda.
    pub agenda_url: MaybeUndefined<String>,
    /// Link to the minutes.
    pub minutes_url: MaybeUndefined<String>,
}

/// Adds an action to the programme.
#[derive(InputObject, Clone, Debug)]
pub struct CreateActionInput {
    /// The goal.
    pub goal_id: ID,
    /// Topic slug.
    pub topic: Option<String>,
    /// Title.
    pub title: String,
    /// Free description.
    pub description: Option<String>,
    /// The responsible party as written.
    pub responsibility: String,
    /// Organisations responsible; they own the action.
    #[graphql(default)]
    pub responsible_organisation_ids: Vec<ID>,
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period; not before the first.
    pub period_end: Date,
    /// Default `PLANNED`.
    pub status: Option<ActionStatus>,
}

/// Changes an action; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateActionInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// Topic slug (`employment`).
    pub topic: MaybeUndefined<String>,
    /// Title.
    pub title: Option<String>,
    /// Free description.
    pub description: MaybeUndefined<String>,
    /// The responsible party as written.
    pub responsibility: Option<String>,
    /// Replaces the responsible organisations.
    pub responsible_organisation_ids: Option<Vec<ID>>,
    /// First day of the period.
    pub period_start: Option<Date>,
    /// Last day of the period; not before the first.
    pub period_end: Option<Date>,
    /// Status.
    pub status: Option<ActionStatus>,
}

/// Reports progress on an action.
#[derive(InputObject, Clone, Debug)]
pub struct CreateProgressReportInput {
    /// The action.
    pub action_id: ID,
    /// The day the report describes.
    pub reported_on: Date,
    /// Status.
    pub status: ActionStatus,
    /// What was done and achieved.
    pub summary: String,
    /// Who reports.
    pub author_name: Option<String>,
}

/// Changes a progress report; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateProgressReportInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The day the report describes.
    pub reported_on: Option<Date>,
    /// Status.
    pub status: Option<ActionStatus>,
    /// What was done and achieved.
    pub summary: Option<String>,
    /// Who reports.
    pub author_name: MaybeUndefined<String>,
}
