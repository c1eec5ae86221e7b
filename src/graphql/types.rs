//! The object types of the schema. Each wraps a database row; related rows load through
//! the request's [`Loaders`](crate::db::loaders::Loaders).

use super::scalars::Date;
use async_graphql::{Context, ID, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::enums as db;
use entity::*;
use uuid::Uuid;

use super::enums::*;
use super::representative::Representative;
use super::{active_date, load_many, loaders, viewer};
use crate::db::loaders::*;
use crate::error::*;

pub use super::organisation::{MAX_UNIT_DEPTH, Organisation, county_of};
pub use super::person::Person;
pub use super::reference::{Area, Topic};

/// Loads the row a nullable reference points to.
pub async fn load_opt<K>(
    ctx: &Context<'_>,
    key: Option<K>,
) -> ApiResult<Option<<DbLoader as async_graphql::dataloader::Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: async_graphql::dataloader::Loader<K, Error = LoadError>,
{
    match key {
        Some(key) => Ok(loaders(ctx).load_one(key).await?),
        None => Ok(None),
    }
}

/// Network: a standing group (verkosto, työryhmä, foorumi, neuvottelukunta, johtoryhmä)
/// with its convener, members, cadence and legal basis.
#[derive(Clone)]
pub struct Network(pub network::Model);

/// Network: a standing group (verkosto, työryhmä, foorumi, neuvottelukunta, johtoryhmä)
/// with its convener, members, cadence and legal basis.
#[Object]
impl Network {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name in the requested language, falling back to Finnish.
    async fn name(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.name_fi,
            self.0.name_sv.as_deref(),
            self.0.name_en.as_deref(),
        )
    }
    /// What kind of group this is.
    async fn kind(&self) -> NetworkKind {
        self.0.kind.into()
    }
    /// Purpose and tasks.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Topics the network works on.
    async fn topics(&self, ctx: &Context<'_>) -> ApiResult<Vec<Topic>> {
        let links = loaders(ctx)
            .load_one(TopicsOfNetwork(self.0.id))
            .await?
            .unwrap_or_default();
        let mut topics: Vec<Topic> = load_many(ctx, links.iter().map(|l| TopicById(l.topic_id)))
            .await?
            .into_iter()
            .map(Topic)
            .collect();
        topics.sort_by(|a, b| (a.0.sort_order, &a.0.slug).cmp(&(b.0.sort_order, &b.0.slug)));
        Ok(topics)
    }
    /// The level of cooperation the network works on.
    async fn level(&self) -> Option<Level> {
        self.0.level.map(Into::into)
    }
    /// The wellbeing services county the network belongs to.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.county_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// The organisation that convenes the network (kokoonkutsuja); null when convening
    /// rotates, see `convenerNote`.
    async fn convener(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.convener_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// How convening works when it is not one organisation ("vuorotellen alueen kunnat").
    async fn convener_note(&self) -> Option<&str> {
        self.0.convener_note.as_deref()
    }
    /// The person responsible (coordinator, vastuuhenkilö).
    async fn responsible_person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.responsible_person_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The responsible role as the document writes it when no person is named
    /// ("hyvinvointialuejohtaja").
    async fn responsible_role(&self) -> Option<&str> {
        self.0.responsible_role.as_deref()
    }
    /// The network this one works under.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        Ok(load_opt(ctx, self.0.parent_id.map(NetworkById))
            .await?
            .map(Network))
    }
    /// Networks working under this one.
    async fn sub_networks(&self, ctx: &Context<'_>) -> ApiResult<Vec<Network>> {
        let rows = loaders(ctx)
            .load_one(SubNetworks(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Network).collect())
    }
    /// The area the network works for.
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Option<Area>> {
        Ok(load_opt(ctx, self.0.area_id.map(AreaById)).await?.map(Area))
    }
    /// How often it meets, as written ("kaksi kertaa vuodessa").
    async fn cadence(&self) -> Option<&str> {
        self.0.cadence.as_deref()
    }
    /// Meetings a year, when a number is given.
    async fn meetings_per_year(&self) -> Option<i32> {
        self.0.meetings_per_year
    }
    /// The statutes or decisions the network rests on.
    async fn legal_basis(&self) -> Option<&str> {
        self.0.legal_basis.as_deref()
    }
    /// Seats valid on `activeOn` (default today) unless `includeInactive` asks for the
    /// whole history.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<Vec<NetworkMembership>> {
        let key = MembershipsOfNetwork(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(NetworkMembership).collect())
    }
    /// Meetings, earliest first.
    async fn meetings(&self, ctx: &Context<'_>) -> ApiResult<Vec<Meeting>> {
        let rows = loaders(ctx)
            .load_one(MeetingsOfNetwork(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Meeting).collect())
    }
    /// First day the network exists; null when not recorded.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }
    /// Last day; null while it continues.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// NetworkMembership: a seat in a network held by an organisation, a person, or a person
/// for an organisation.
#[derive(Clone)]
pub struct NetworkMembership(pub membership::Model);

/// NetworkMembership: a seat in a network held by an organisation, a person, or a person
/// for an organisation.
#[Object]
impl NetworkMembership {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The network.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Network> {
        loaders(ctx)
            .load_one(NetworkById(self.0.network_id))
            .await?
            .map(Network)
            .ok_or_else(|| internal("membership without network"))
    }
    /// The organisation holding the seat.
    async fn organisation(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.organisation_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// The person in the seat.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.person_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The deputy (varajäsen).
    async fn deputy(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.deputy_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The role of the seat.
    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }
    /// The seat as the source describes it ("kuntajohtajat").
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// First day of the seat.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }
    /// Last day of the seat; null while it lasts.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Meeting (kokous) of a network.
#[derive(Clone)]
pub struct Meeting(pub meeting::Model);

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

/// Agreement (sopimus) between a county and its municipalities.
#[derive(Clone)]
pub struct Agreement(pub agreement::Model);

/// Agreement (sopimus) between a county and its municipalities.
#[Object]
impl Agreement {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title in the requested language, falling back to Finnish.
    async fn title(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.title_fi,
            self.0.title_sv.as_deref(),
            self.0.title_en.as_deref(),
        )
    }
    /// Purpose of the agreement.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The county that made the agreement.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Organisation> {
        loaders(ctx)
            .load_one(OrganisationById(self.0.county_id))
            .await?
            .map(Organisation)
            .ok_or_else(|| internal("agreement without county"))
    }
    /// The parties (sopijaosapuolet): the county first, then the rest by name.
    async fn parties(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let links = loaders(ctx)
            .load_one(PartiesOf(self.0.id))
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
        let county = self.0.county_id;
        orgs.sort_by(|a, b| {
            (a.0.id != county, &a.0.name_fi, a.0.id).cmp(&(b.0.id != county, &b.0.name_fi, b.0.id))
        });
        Ok(orgs)
    }
    /// First day in force.
    async fn valid_from(&self) -> Date {
        self.0.valid_from.into()
    }
    /// Last day in force.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// The statutes the agreement rests on, one a line.
    async fn legal_basis(&self) -> Option<&str> {
        self.0.legal_basis.as_deref()
    }
    /// The shared goals, in the agreement's order.
    async fn goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<Goal>> {
        let rows = loaders(ctx)
            .load_one(GoalsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Goal).collect())
    }
}

/// Goal (tavoite): one of an agreement's shared goals.
#[derive(Clone)]
pub struct Goal(pub goal::Model);

/// Goal (tavoite): one of an agreement's shared goals.
#[Object]
impl Goal {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title in the requested language, falling back to Finnish.
    async fn title(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.title_fi,
            self.0.title_sv.as_deref(),
            self.0.title_en.as_deref(),
        )
    }
    /// What the goal means.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position in the agreement.
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
    /// The agreement.
    async fn agreement(&self, ctx: &Context<'_>) -> ApiResult<Agreement> {
        loaders(ctx)
            .load_one(AgreementById(self.0.agreement_id))
            .await?
            .map(Agreement)
            .ok_or_else(|| internal("goal without agreement"))
    }
    /// Actions under the goal, in the programme's order.
    async fn actions(&self, ctx: &Context<'_>) -> ApiResult<Vec<Action>> {
        let rows = loaders(ctx)
            .load_one(ActionsOfGoal(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Action).collect())
    }
}

/// Action (toimenpide): a measure of the programme with its responsible parties and metrics.
#[derive(Clone)]
pub struct Action(pub action::Model);

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
        let rows = loaders(ctx)
            .load_one(MetricsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Metric).collect())
    }
    /// First day of the action period.
    async fn period_start(&self) -> Date {
        self.0.period_start.into()
    }
    /// Last day of the action period.
    async fn period_end(&self) -> Date {
        self.0.period_end.into()
    }
    /// Where the action stands.
    async fn status(&self) -> ActionStatus {
        self.0.status.into()
    }
    /// Follow-up entries, oldest first.
    async fn progress(&self, ctx: &Context<'_>) -> ApiResult<Vec<ProgressReport>> {
        let rows = loaders(ctx)
            .load_one(ProgressOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(ProgressReport).collect())
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Metric (mittari): how an action is followed up.
#[derive(Clone)]
pub struct Metric(pub metric::Model);

/// Metric (mittari): how an action is followed up.
#[Object]
impl Metric {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What is measured, as written.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Yes/no, number or text.
    async fn kind(&self) -> MetricKind {
        self.0.kind.into()
    }
}

/// ProgressReport (seuranta): a dated follow-up entry for an action.
#[derive(Clone)]
pub struct ProgressReport(pub progress_report::Model);

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
