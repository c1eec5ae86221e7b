//! The meetings face: the Meeting object, its filter and inputs, and the meeting fields of
//! the root query and mutation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::meeting;

use super::context::{db, loaders, writer};
use super::inputs::deleted;
use super::inputs::{DeleteInput, DeletePayload, SHORT_MAX, id, opt, opt_id, opt_text, opt_url};
use super::network::Network;
use super::paging::{List, Page};
use super::patch::{change, change_text};
use super::scalars::Date;
use crate::db::loaders::NetworkById;
use crate::domain::network::{MeetingFilter as Filter, MeetingPatch, NewMeeting, Target, meetings};
use crate::error::{ApiError, ApiResult, internal};

row_object!(
    /// See the `#[Object]` impl.
    Meeting, meeting
);

/// Meeting (kokous) of a network.
#[Object]
impl Meeting {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The network meeting.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Network> {
        loaders(ctx)
            .load_one(NetworkById(self.0.network_id))
            .await?
            .map(Network)
            .ok_or_else(|| internal("meeting without network"))
    }
    /// Title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Start time.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// End time.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// Where it is held.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Link to the agenda (esityslista).
    async fn agenda_url(&self) -> Option<&str> {
        self.0.agenda_url.as_deref()
    }
    /// Link to the minutes (pöytäkirja).
    async fn minutes_url(&self) -> Option<&str> {
        self.0.minutes_url.as_deref()
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Which meetings to list.
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Starting on or after this day.
    pub from: Option<Date>,
    /// Starting on or before this day.
    pub to: Option<Date>,
    /// Of this network.
    pub network_id: Option<ID>,
    /// Of networks this organisation convenes or holds a seat in.
    pub organisation_id: Option<ID>,
}

impl TryFrom<MeetingFilter> for Filter {
    type Error = ApiError;

    fn try_from(f: MeetingFilter) -> ApiResult<Filter> {
        Ok(Filter {
            from: f.from.map(|d| d.0),
            to: f.to.map(|d| d.0),
            network_id: opt_id("filter.networkId", &f.network_id)?,
            organisation_id: opt_id("filter.organisationId", &f.organisation_id)?,
        })
    }
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

impl TryFrom<CreateMeetingInput> for NewMeeting {
    type Error = ApiError;

    fn try_from(i: CreateMeetingInput) -> ApiResult<NewMeeting> {
        Ok(NewMeeting {
            network_id: id("input.networkId", &i.network_id)?,
            title: opt(&i.title, opt_text("input.title", SHORT_MAX))?,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            location: opt(&i.location, opt_text("input.location", SHORT_MAX))?,
            agenda_url: opt(&i.agenda_url, opt_url("input.agendaUrl"))?,
            minutes_url: opt(&i.minutes_url, opt_url("input.minutesUrl"))?,
        })
    }
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

impl TryFrom<UpdateMeetingInput> for MeetingPatch {
    type Error = ApiError;

    fn try_from(i: UpdateMeetingInput) -> ApiResult<MeetingPatch> {
        Ok(MeetingPatch {
            id: id("input.id", &i.id)?,
            version: i.version,
            title: change_text(&i.title, opt_text("input.title", SHORT_MAX))?,
            starts_at: i.starts_at,
            ends_at: change(&i.ends_at),
            location: change_text(&i.location, opt_text("input.location", SHORT_MAX))?,
            agenda_url: change_text(&i.agenda_url, opt_url("input.agendaUrl"))?,
            minutes_url: change_text(&i.minutes_url, opt_url("input.minutesUrl"))?,
        })
    }
}

/// The meeting after a write.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The row as written.
    pub meeting: Meeting,
}

/// The meeting fields of the root query.
#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// Meetings, earliest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        filter: Option<MeetingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Meeting>> {
        let page = Page::new(first, after)?;
        let filter = Filter::try_from(filter.unwrap_or_default())?;
        let (rows, total) = meetings::list(db(ctx), filter, page.window()).await?;
        Ok(page.connection(rows.into_iter().map(Meeting::from).collect(), total))
    }
}

/// The meeting writes of the root mutation.
#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Schedules a meeting of a network.
    async fn create_meeting(
        &self,
        ctx: &Context<'_>,
        input: CreateMeetingInput,
    ) -> ApiResult<MeetingPayload> {
        let who = writer(ctx)?;
        let new = NewMeeting::try_from(input)?;
        let meeting = meetings::create(db(ctx), who, new).await?;
        Ok(MeetingPayload {
            meeting: Meeting(meeting.into()),
        })
    }

    /// Changes a meeting.
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        input: UpdateMeetingInput,
    ) -> ApiResult<MeetingPayload> {
        let who = writer(ctx)?;
        let patch = MeetingPatch::try_from(input)?;
        let meeting = meetings::update(db(ctx), who, patch).await?;
        Ok(MeetingPayload {
            meeting: Meeting(meeting.into()),
        })
    }

    /// Deletes a meeting.
    async fn delete_meeting(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let target = Target::try_from(&input)?;
        let removed = meetings::delete(db(ctx), who, target).await?;
        Ok(deleted(removed.id, removed.references))
    }
}
