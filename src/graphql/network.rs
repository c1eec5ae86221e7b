//! The networks face: the Network and NetworkMembership objects, their filter and inputs,
//! and the network and seat fields of the root query and mutation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::network;

use super::context::load_opt;
use super::context::{active_date, db, load_many, load_page, loaders, writer};
use super::enums::{Language, Level, NetworkKind};
use super::inputs::deleted;
use super::inputs::{
    DeleteInput, DeletePayload, LONG_MAX, LocalizedTextInput, SHORT_MAX, id, opt, opt_id, opt_text,
};
use super::localized::LocalizedText;
use super::meeting::Meeting;
use super::organisation::Organisation;
use super::paging::{List, Page};
use super::patch::{change, change_id, change_text};
use super::person::Person;
use super::reference::{Area, Topic};
use super::review;
use super::scalars::Date;
use super::seat::NetworkMembership;

mod filter;
use crate::db::loaders::{
    AreaById, MeetingsOfNetwork, MembershipsOfNetwork, NetworkById, OrganisationById, PersonById,
    SubNetworks, TopicById, TopicsOfNetwork,
};
use crate::domain::network::{
    NetworkFilter as Filter, NetworkPatch, NewNetwork, Removal, Target, service,
};
use crate::error::ApiResult;
pub use filter::NetworkFilter;

row_object!(
    /// See the `#[Object]` impl.
    Network, network
);

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
    /// Every stored name: Finnish always, Swedish and English null where missing.
    async fn names(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(&row.name_fi, row.name_sv.as_deref(), row.name_en.as_deref())
    }
    /// The language `name(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn name_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.name_sv.as_deref(), self.0.name_en.as_deref())
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
    async fn sub_networks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Network>> {
        load_page(ctx, SubNetworks(self.0.id), first, after, Network).await
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
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<NetworkMembership>> {
        let key = MembershipsOfNetwork(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        load_page(ctx, key, first, after, NetworkMembership).await
    }
    /// Meetings, earliest first.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Meeting>> {
        load_page(ctx, MeetingsOfNetwork(self.0.id), first, after, Meeting).await
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
    /// When someone last confirmed that the network is still true (`confirmNetwork`); null if never.
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

impl TryFrom<CreateNetworkInput> for NewNetwork {
    type Error = crate::error::ApiError;

    fn try_from(i: CreateNetworkInput) -> ApiResult<NewNetwork> {
        Ok(NewNetwork {
            kind: i.kind.into(),
            name: i.name.name("input.name")?,
            description: opt(&i.description, opt_text("input.description", LONG_MAX))?,
            topics: i.topics,
            level: i.level.map(Into::into),
            county_id: opt_id("input.countyId", &i.county_id)?,
            convener_id: opt_id("input.convenerId", &i.convener_id)?,
            convener_note: opt(&i.convener_note, opt_text("input.convenerNote", SHORT_MAX))?,
            responsible_person_id: opt_id("input.responsiblePersonId", &i.responsible_person_id)?,
            responsible_role: opt(
                &i.responsible_role,
                opt_text("input.responsibleRole", SHORT_MAX),
            )?,
            parent_id: opt_id("input.parentId", &i.parent_id)?,
            area_id: opt_id("input.areaId", &i.area_id)?,
            cadence: opt(&i.cadence, opt_text("input.cadence", SHORT_MAX))?,
            meetings_per_year: i.meetings_per_year,
            legal_basis: opt(&i.legal_basis, opt_text("input.legalBasis", LONG_MAX))?,
            valid_from: i.valid_from.map(|d| d.0),
            valid_to: i.valid_to.map(|d| d.0),
        })
    }
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

impl TryFrom<UpdateNetworkInput> for NetworkPatch {
    type Error = crate::error::ApiError;

    fn try_from(i: UpdateNetworkInput) -> ApiResult<NetworkPatch> {
        Ok(NetworkPatch {
            id: id("input.id", &i.id)?,
            version: i.version,
            kind: i.kind.map(Into::into),
            name: i.name.as_ref().map(|n| n.name("input.name")).transpose()?,
            description: change_text(&i.description, opt_text("input.description", LONG_MAX))?,
            topics: i.topics,
            level: change(&i.level),
            convener_id: change_id("input.convenerId", &i.convener_id)?,
            convener_note: change_text(
                &i.convener_note,
                opt_text("input.convenerNote", SHORT_MAX),
            )?,
            responsible_person_id: change_id(
                "input.responsiblePersonId",
                &i.responsible_person_id,
            )?,
            responsible_role: change_text(
                &i.responsible_role,
                opt_text("input.responsibleRole", SHORT_MAX),
            )?,
            cadence: change_text(&i.cadence, opt_text("input.cadence", SHORT_MAX))?,
            meetings_per_year: change(&i.meetings_per_year),
            legal_basis: change_text(&i.legal_basis, opt_text("input.legalBasis", LONG_MAX))?,
            valid_from: change(&i.valid_from),
            valid_to: change(&i.valid_to),
        })
    }
}

impl TryFrom<&DeleteInput> for Target {
    type Error = crate::error::ApiError;

    fn try_from(i: &DeleteInput) -> ApiResult<Target> {
        Ok(Target {
            id: id("input.id", &i.id)?,
            version: i.version,
        })
    }
}

impl TryFrom<&DeleteInput> for Removal {
    type Error = crate::error::ApiError;

    fn try_from(i: &DeleteInput) -> ApiResult<Removal> {
        Ok(Removal {
            target: Target::try_from(i)?,
            cascade: i.cascade.unwrap_or(false),
        })
    }
}

/// The network after a write.
#[derive(SimpleObject)]
pub struct NetworkPayload {
    /// The row as written.
    pub network: Network,
}

/// The network fields of the root query.
#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// Networks, filtered; ordered by name and id.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn networks(
        &self,
        ctx: &Context<'_>,
        filter: Option<NetworkFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Network>> {
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let stale = review::staleness(ctx, filter.stale);
        let filter = Filter {
            stale,
            ..Filter::try_from(filter)?
        };
        let (rows, total) = service::list(db(ctx), filter, page.window()).await?;
        let rows: Vec<std::sync::Arc<_>> = rows.into_iter().map(std::sync::Arc::new).collect();
        loaders(ctx)
            .feed_many(rows.iter().map(|n| (NetworkById(n.id), n.clone())))
            .await;
        Ok(page.connection(rows.into_iter().map(Network).collect(), total))
    }

    /// One network by id.
    async fn network(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Network>> {
        let id = super::context::parse_id("id", &id)?;
        Ok(service::get(db(ctx), id).await?.map(Network::from))
    }
}

/// The network writes of the root mutation.
#[derive(Default)]
pub struct NetworkMutation;

#[Object]
impl NetworkMutation {
    /// Creates a network convened by one of the caller's organisations.
    async fn create_network(
        &self,
        ctx: &Context<'_>,
        input: CreateNetworkInput,
    ) -> ApiResult<NetworkPayload> {
        let who = writer(ctx)?;
        let new = NewNetwork::try_from(input)?;
        let network = service::create(db(ctx), who, new).await?;
        Ok(NetworkPayload {
            network: Network(network.into()),
        })
    }

    /// Changes a network.
    async fn update_network(
        &self,
        ctx: &Context<'_>,
        input: UpdateNetworkInput,
    ) -> ApiResult<NetworkPayload> {
        let who = writer(ctx)?;
        let patch = NetworkPatch::try_from(input)?;
        let network = service::update(db(ctx), who, patch).await?;
        Ok(NetworkPayload {
            network: Network(network.into()),
        })
    }

    /// Deletes a network with its seats and meetings. Refused while it has sub-networks.
    async fn delete_network(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let removal = Removal::try_from(&input)?;
        let removed = service::delete(db(ctx), who, removal).await?;
        Ok(deleted(removed.id, removed.references))
    }
}
