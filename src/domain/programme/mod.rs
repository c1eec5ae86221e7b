//! The programme: agreements, goals, actions with their metrics and progress reports. An
//! action belongs to its responsible organisations: an editor of any of them (or of an
//! organisation above one) may change it and report its progress.

use chrono::NaiveDate;
use entity::enums::ActionStatus;
use uuid::Uuid;

pub use crate::domain::network::{Change, Removal, Removed, Target, apply, remove_alone};

pub mod service;
#[cfg(test)]
mod tests;

crate::versioned!(action, "Action", "action", searchable);
crate::versioned!(progress_report, "ProgressReport", "progress report");

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub goal_id: Option<Uuid>,
    pub agreement_id: Option<Uuid>,
    /// A topic slug; its sub-topics count too.
    pub topic: Option<String>,
    pub statuses: Option<Vec<ActionStatus>>,
    /// Only open actions when true (planned, in progress, or not reported: nobody has said
    /// they are done), only closed ones (completed, cancelled) when false.
    pub open: Option<bool>,
    /// Only actions with a reported status when true, only those without when false.
    pub reported: Option<bool>,
    /// Only stale (or only current) actions.
    pub stale: Option<crate::domain::review::Staleness>,
    pub responsible_organisation_id: Option<Uuid>,
    /// Only actions without responsible organisations when true, only with when false.
    pub unassigned: Option<bool>,
    pub text: Option<String>,
}

/// A new action, its texts checked.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub goal_id: Uuid,
    /// Topic slug.
    pub topic: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub responsibility: String,
    /// The organisations that will own the action.
    pub responsible: Vec<Uuid>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// None: not reported yet.
    pub status: Option<ActionStatus>,
}

/// A change to an action; `None` fields stay.
#[derive(Debug, Clone)]
pub struct ActionPatch {
    pub id: Uuid,
    pub version: i32,
    /// Topic slug.
    pub topic: Change<String>,
    pub title: Option<String>,
    pub description: Change<String>,
    pub responsibility: Option<String>,
    /// Replaces the responsible organisations.
    pub responsible: Option<Vec<Uuid>>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub status: Option<ActionStatus>,
}

/// A new progress report, its texts checked.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub action_id: Uuid,
    pub reported_on: NaiveDate,
    pub status: ActionStatus,
    pub summary: String,
    pub author_name: Option<String>,
}

/// A change to a progress report; `None` fields stay.
#[derive(Debug, Clone)]
pub struct ReportPatch {
    pub id: Uuid,
    pub version: i32,
    pub reported_on: Option<NaiveDate>,
    pub status: Option<ActionStatus>,
    pub summary: Option<String>,
    pub author_name: Change<String>,
}
