//! Networks and forums, their seats and meetings. A network belongs to its convener: an
//! editor of the convener (or of an organisation above it) may change the network, its
//! seats and its meetings; a network without a convener is the admin's.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Level, MembershipRole, NetworkKind};
use uuid::Uuid;

pub mod meetings;
pub mod seats;
pub mod service;
#[cfg(test)]
pub(crate) mod tests;

crate::versioned!(network, "Network", "network", searchable);
crate::versioned!(membership, "NetworkMembership", "seat");
crate::versioned!(meeting, "Meeting", "meeting");

/// A change to a nullable field: `None` leaves it, `Some(None)` clears it.
pub type Change<T> = Option<Option<T>>;

/// Applies a [`Change`] to the current value.
pub fn apply<T>(current: Option<T>, change: Change<T>) -> Option<T> {
    change.unwrap_or(current)
}

/// A network's name in the three languages, checked.
#[derive(Debug, Clone)]
pub struct Name {
    /// Finnish (required).
    pub fi: String,
    /// Swedish.
    pub sv: Option<String>,
    /// English.
    pub en: Option<String>,
}

/// A new network, its texts checked; the references are checked by [`service::create`].
#[derive(Debug, Clone)]
pub struct NewNetwork {
    pub kind: NetworkKind,
    pub name: Name,
    pub description: Option<String>,
    /// Topic slugs.
    pub topics: Vec<String>,
    pub level: Option<Level>,
    pub county_id: Option<Uuid>,
    pub convener_id: Option<Uuid>,
    pub convener_note: Option<String>,
    pub responsible_person_id: Option<Uuid>,
    pub responsible_role: Option<String>,
    pub parent_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub cadence: Option<String>,
    pub meetings_per_year: Option<i32>,
    pub legal_basis: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A change to a network at the version the client saw; `None` fields stay.
#[derive(Debug, Clone)]
pub struct NetworkPatch {
    pub id: Uuid,
    pub version: i32,
    pub kind: Option<NetworkKind>,
    pub name: Option<Name>,
    pub description: Change<String>,
    /// Replaces the topics (slugs).
    pub topics: Option<Vec<String>>,
    pub level: Change<Level>,
    pub convener_id: Change<Uuid>,
    pub convener_note: Change<String>,
    pub responsible_person_id: Change<Uuid>,
    pub responsible_role: Change<String>,
    pub cadence: Change<String>,
    pub meetings_per_year: Change<i32>,
    pub legal_basis: Change<String>,
    pub valid_from: Change<NaiveDate>,
    pub valid_to: Change<NaiveDate>,
}

/// The row a delete or end acts on, at the version the client saw.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub id: Uuid,
    pub version: i32,
}

/// A delete: the row, and whether what refers to it goes too.
#[derive(Debug, Clone, Copy)]
pub struct Removal {
    pub target: Target,
    pub cascade: bool,
}

/// What a delete removed: the row, and how many referring rows went with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub id: Uuid,
    pub references: u64,
}

/// Deletes a locked row with its audit entry and commits: the end of a delete that takes
/// nothing with it.
pub async fn remove_alone<M: crate::db::tx::Record>(
    tx: sea_orm::DatabaseTransaction,
    who: &crate::auth::policy::Principal,
    row: &M,
) -> crate::error::ApiResult<Removed> {
    crate::db::tx::remove(&tx, who, row).await?;
    crate::db::tx::commit(tx).await?;
    Ok(Removed {
        id: row.id(),
        references: 0,
    })
}

/// The organisation whose networks to list: by id, or a municipality by its code.
#[derive(Debug, Clone)]
pub enum Member {
    Organisation(Uuid),
    MunicipalityCode(crate::domain::values::MunicipalityCode),
}

/// Which networks to list.
#[derive(Debug, Clone, Default)]
pub struct NetworkFilter {
    pub kinds: Option<Vec<NetworkKind>>,
    pub county_id: Option<Uuid>,
    /// A topic slug; its sub-topics count too.
    pub topic: Option<String>,
    pub level: Option<Level>,
    pub convener_id: Option<Uuid>,
    /// Holding a seat (valid on `active_on`) or in the network's area.
    pub member: Option<Member>,
    pub parent_id: Option<Uuid>,
    pub top_level_only: bool,
    /// Valid on this day; `None` lists every network.
    pub active_on: Option<NaiveDate>,
    pub text: Option<String>,
    /// Only stale (never confirmed, or longer ago than the review period) rows when
    /// `stale` is true, only current ones when false.
    pub stale: Option<crate::domain::review::Staleness>,
}

/// Which meetings to list.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Starting on or after this (Finnish) day.
    pub from: Option<NaiveDate>,
    /// Starting on or before this (Finnish) day.
    pub to: Option<NaiveDate>,
    pub network_id: Option<Uuid>,
    /// Of networks this organisation convenes or holds a seat in.
    pub organisation_id: Option<Uuid>,
}

/// A new seat.
#[derive(Debug, Clone)]
pub struct NewSeat {
    pub network_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub deputy_id: Option<Uuid>,
    pub role: MembershipRole,
    pub note: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A change to a seat; `None` fields stay.
#[derive(Debug, Clone)]
pub struct SeatPatch {
    pub id: Uuid,
    pub version: i32,
    pub person_id: Change<Uuid>,
    pub deputy_id: Change<Uuid>,
    pub role: Option<MembershipRole>,
    pub note: Change<String>,
    pub valid_from: Change<NaiveDate>,
    pub valid_to: Change<NaiveDate>,
}

/// Ends a seat on its last day (`None`: today).
#[derive(Debug, Clone, Copy)]
pub struct EndSeat {
    pub target: Target,
    pub valid_to: Option<NaiveDate>,
}

/// A new meeting, its texts checked.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub network_id: Uuid,
    pub title: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub agenda_url: Option<String>,
    pub minutes_url: Option<String>,
}

/// A change to a meeting; `None` fields stay.
#[derive(Debug, Clone)]
pub struct MeetingPatch {
    pub id: Uuid,
    pub version: i32,
    pub title: Change<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Change<DateTime<Utc>>,
    pub location: Change<String>,
    pub agenda_url: Change<String>,
    pub minutes_url: Change<String>,
}
