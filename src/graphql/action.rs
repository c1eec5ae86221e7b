//! The actions face: the Action and ProgressReport objects, their inputs, and the action
//! and progress writes of the root mutation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{action, progress_report};

use super::context::load_opt;
use super::context::{db, load_list, load_many, load_page, loaders, writer};
use super::enums::ActionStatus;
use super::inputs::deleted;
use super::inputs::{
    DeleteInput, DeletePayload, LONG_MAX, NAME_MAX, SHORT_MAX, checked, id, ids, opt, opt_text,
};
use super::organisation::Organisation;
use super::paging::List;
use super::patch::{change, change_text};
use super::programme::{Goal, Metric};
use super::reference::Topic;
use super::review;
use super::scalars::Date;
use crate::db::loaders::{
    GoalById, MetricsOf, OrganisationById, ProgressOf, ResponsibleFor, TopicById,
};
use crate::domain::network::Target;
use crate::domain::programme::{ActionPatch, NewAction, NewReport, Removal, ReportPatch, service};
use crate::domain::values as input;
use crate::error::{ApiError, ApiResult, internal};

row_object!(
    /// See the `#[Object]` impl.
    Action, action
);

/// Action (toimenpide): a measure of the programme with its responsible parties and metrics.
#[Object]
impl Action {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What will be done.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Longer description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The goal the action serves.
    async fn goal(&self, ctx: &Context<'_>) -> ApiResult<Goal> {
        loaders(ctx)
            .load_one(GoalById(self.0.goal_id))
            .await?
            .map(Goal)
            .ok_or_else(|| internal("action without goal"))
    }
    /// The interface topic; null for actions of the whole agreement.
    async fn topic(&self, ctx: &Context<'_>) -> ApiResult<Option<Topic>> {
        Ok(load_opt(ctx, self.0.topic_id.map(TopicById))
            .await?
            .map(Topic))
    }
    /// The organisations the responsibility names; empty while unassigned.
    async fn responsible_organisations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let links = loaders(ctx)
            .load_one(ResponsibleFor(self.0.id))
            .await?
            .unwrap_or_default();
        let mut orgs: Vec<Organisation> = load_many(
            ctx,
            links.iter().map(|l| OrganisationById(l.organisation_id)),
        )
        .await?
        .into_iter()
        .map(Organisation)
        .collect();
        orgs.sort_by(|a, b| (&a.0.name_fi, a.0.id).cmp(&(&b.0.name_fi, b.0.id)));
        Ok(orgs)
    }
    /// The responsible party exactly as the programme writes it ("Vastuu määrittelemättä"
    /// when not yet assigned).
    async fn responsibility(&self) -> &str {
        &self.0.responsibility
    }
    /// Whether the programme has not assigned the responsibility yet.
    async fn responsibility_unassigned(&self) -> bool {
        crate::domain::search::text::words(&self.0.responsibility).join(" ")
            == "vastuu maarittelematta"
    }
    /// How the action is followed up.
    async fn metrics(&self, ctx: &Context<'_>) -> ApiResult<Vec<Metric>> {
        load_list(ctx, MetricsOf(self.0.id), Metric).await
    }
    /// First day of the action period.
    async fn period_start(&self) -> Date {
        self.0.period_start.into()
    }
    /// Last day of the action period.
    async fn period_end(&self) -> Date {
        self.0.period_end.into()
    }
    /// Where the action stands as last reported; null until someone reports progress (the
    /// programme tables give no status).
    async fn status(&self) -> Option<ActionStatus> {
        self.0.status.map(Into::into)
    }
    /// Follow-up entries, oldest first.
    async fn progress(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<ProgressReport>> {
        load_page(ctx, ProgressOf(self.0.id), first, after, ProgressReport).await
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When someone last confirmed that the action is still true (`confirmAction`); null if never.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    /// Who confirmed it last: the subject (`sub`) of their token.
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    /// Whether it was never confirmed, or longer ago than the review period (12 months
    /// unless configured otherwise), at the time of the request.
    async fn stale(&self, ctx: &Context<'_>) -> bool {
        review::stale(ctx, self.0.reviewed_at)
    }
}

row_object!(
    /// See the `#[Object]` impl.
    ProgressReport, progress_report
);

/// ProgressReport (seuranta): a dated follow-up entry for an action.
#[Object]
impl ProgressReport {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The day the report describes.
    async fn reported_on(&self) -> Date {
        self.0.reported_on.into()
    }
    /// Status of the action at that time.
    async fn status(&self) -> ActionStatus {
        self.0.status.into()
    }
    /// What was done and achieved.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Who reported, as given.
    async fn author_name(&self) -> Option<&str> {
        self.0.author_name.as_deref()
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
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
    /// Where the action stands; absent or null: not reported.
    pub status: Option<ActionStatus>,
}

impl TryFrom<CreateActionInput> for NewAction {
    type Error = ApiError;

    fn try_from(i: CreateActionInput) -> ApiResult<NewAction> {
        Ok(NewAction {
            goal_id: id("input.goalId", &i.goal_id)?,
            topic: i.topic,
            title: checked(input::required("input.title", &i.title, LONG_MAX))?,
            description: opt(&i.description, opt_text("input.description", LONG_MAX))?,
            responsibility: checked(input::required(
                "input.responsibility",
                &i.responsibility,
                SHORT_MAX,
            ))?,
            responsible: ids(
                "input.responsibleOrganisationIds",
                &i.responsible_organisation_ids,
            )?,
            period_start: i.period_start.0,
            period_end: i.period_end.0,
            status: i.status.map(Into::into),
        })
    }
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

impl TryFrom<UpdateActionInput> for ActionPatch {
    type Error = ApiError;

    fn try_from(i: UpdateActionInput) -> ApiResult<ActionPatch> {
        Ok(ActionPatch {
            id: id("input.id", &i.id)?,
            version: i.version,
            topic: change(&i.topic),
            title: i
                .title
                .map(|t| checked(input::required("input.title", &t, LONG_MAX)))
                .transpose()?,
            description: change_text(&i.description, opt_text("input.description", LONG_MAX))?,
            responsibility: i
                .responsibility
                .map(|r| checked(input::required("input.responsibility", &r, SHORT_MAX)))
                .transpose()?,
            responsible: i
                .responsible_organisation_ids
                .map(|v| ids("input.responsibleOrganisationIds", &v))
                .transpose()?,
            period_start: i.period_start.map(|d| d.0),
            period_end: i.period_end.map(|d| d.0),
            status: i.status.map(Into::into),
        })
    }
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

impl TryFrom<CreateProgressReportInput> for NewReport {
    type Error = ApiError;

    fn try_from(i: CreateProgressReportInput) -> ApiResult<NewReport> {
        Ok(NewReport {
            action_id: id("input.actionId", &i.action_id)?,
            reported_on: i.reported_on.0,
            status: i.status.into(),
            summary: checked(input::required("input.summary", &i.summary, LONG_MAX))?,
            author_name: opt(&i.author_name, opt_text("input.authorName", NAME_MAX))?,
        })
    }
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

impl TryFrom<UpdateProgressReportInput> for ReportPatch {
    type Error = ApiError;

    fn try_from(i: UpdateProgressReportInput) -> ApiResult<ReportPatch> {
        Ok(ReportPatch {
            id: id("input.id", &i.id)?,
            version: i.version,
            reported_on: i.reported_on.map(|d| d.0),
            status: i.status.map(Into::into),
            summary: i
                .summary
                .map(|s| checked(input::required("input.summary", &s, LONG_MAX)))
                .transpose()?,
            author_name: change_text(&i.author_name, opt_text("input.authorName", NAME_MAX))?,
        })
    }
}

/// The action after a write.
#[derive(SimpleObject)]
pub struct ActionPayload {
    /// The row as written.
    pub action: Action,
}

/// The progress report after a write.
#[derive(SimpleObject)]
pub struct ProgressReportPayload {
    /// The row as written.
    pub progress_report: ProgressReport,
}

/// The action and progress writes of the root mutation.
#[derive(Default)]
pub struct ProgrammeMutation;

#[Object]
impl ProgrammeMutation {
    /// Adds an action; an editor must be among the responsible organisations.
    async fn create_action(
        &self,
        ctx: &Context<'_>,
        input: CreateActionInput,
    ) -> ApiResult<ActionPayload> {
        let who = writer(ctx)?;
        let new = NewAction::try_from(input)?;
        let action = service::create_action(db(ctx), who, new).await?;
        Ok(ActionPayload {
            action: Action(action.into()),
        })
    }

    /// Changes an action.
    async fn update_action(
        &self,
        ctx: &Context<'_>,
        input: UpdateActionInput,
    ) -> ApiResult<ActionPayload> {
        let who = writer(ctx)?;
        let patch = ActionPatch::try_from(input)?;
        let action = service::update_action(db(ctx), who, patch).await?;
        Ok(ActionPayload {
            action: Action(action.into()),
        })
    }

    /// Deletes an action with its metrics and progress reports.
    async fn delete_action(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let removal = Removal::try_from(&input)?;
        let removed = service::delete_action(db(ctx), who, removal).await?;
        Ok(deleted(removed.id, removed.references))
    }

    /// Reports progress on an action.
    async fn create_progress_report(
        &self,
        ctx: &Context<'_>,
        input: CreateProgressReportInput,
    ) -> ApiResult<ProgressReportPayload> {
        let who = writer(ctx)?;
        let new = NewReport::try_from(input)?;
        let report = service::create_report(db(ctx), who, new).await?;
        Ok(ProgressReportPayload {
            progress_report: ProgressReport(report.into()),
        })
    }

    /// Changes a progress report.
    async fn update_progress_report(
        &self,
        ctx: &Context<'_>,
        input: UpdateProgressReportInput,
    ) -> ApiResult<ProgressReportPayload> {
        let who = writer(ctx)?;
        let patch = ReportPatch::try_from(input)?;
        let report = service::update_report(db(ctx), who, patch).await?;
        Ok(ProgressReportPayload {
            progress_report: ProgressReport(report.into()),
        })
    }

    /// Deletes a progress report.
    async fn delete_progress_report(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let target = Target::try_from(&input)?;
        let removed = service::delete_report(db(ctx), who, target).await?;
        Ok(deleted(removed.id, removed.references))
    }
}
