//! The object types of the schema. Each wraps a database row; related rows load through
//! the request's [`Loaders`](crate::db::loaders::Loaders).

use super::scalars::Date;
use async_graphql::{Context, ID, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::enums as db;
use entity::*;
use uuid::Uuid;

use super::action::Action;
use super::counterparts::{self, CountyIndex};
use super::enums::*;
use super::network::Network;
use super::seat::NetworkMembership;
use super::{active_date, load_many, loaders, viewer};
use crate::db::loaders::*;
use crate::error::*;

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

/// Organisation: a municipality, wellbeing services county, regional council, agency,
/// association, school, or a unit of one of them.
#[derive(Clone)]
pub struct Organisation(pub organisation::Model);

/// How many parent links a unit chain may have before it is treated as broken.
const MAX_UNIT_DEPTH: usize = 8;

/// The county an organisation belongs to: a county is its own, a municipality's is its
/// county, a unit's is its parent's; a regional council's is the county it works with.
pub async fn county_of(ctx: &Context<'_>, org: &organisation::Model) -> ApiResult<Option<Uuid>> {
    let mut current = org.clone();
    for _ in 0..MAX_UNIT_DEPTH {
        if current.kind == db::OrganisationKind::WellbeingCounty {
            return Ok(Some(current.id));
        }
        if let Some(county) = current.county_id {
            return Ok(Some(county));
        }
        match current.parent_id {
            Some(parent) => match loaders(ctx).load_one(OrganisationById(parent)).await? {
                Some(parent) => current = parent,
                None => return Ok(None),
            },
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Organisation: a municipality, wellbeing services county, regional council, agency,
/// association, school, or a unit of one of them.
#[Object]
impl Organisation {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What kind of body this is.
    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }
    /// Name in the requested language, falling back to Finnish.
    async fn name(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.name_fi,
            self.0.name_sv.as_deref(),
            self.0.name_en.as_deref(),
        )
    }
    /// Short name or abbreviation, such as "POSOTE".
    async fn short_name(&self) -> Option<&str> {
        self.0.short_name.as_deref()
    }
    /// Business ID (Y-tunnus), `1234567-8`.
    async fn business_id(&self) -> Option<&str> {
        self.0.business_id.as_deref()
    }
    /// Municipality code (kuntanumero) of a municipality, three digits, such as `297`.
    async fn municipality_code(&self) -> Option<&str> {
        self.0.municipality_code.as_deref()
    }
    /// Code of a county in the Statistics Finland classification (`13`); `90` for
    /// Helsinki, which organises the services itself.
    async fn county_code(&self) -> Option<&str> {
        self.0.county_code.as_deref()
    }
    /// The wellbeing services county the organisation belongs to. Null for a county itself
    /// and for Åland's municipalities; Helsinki is its own.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        if self.0.kind == db::OrganisationKind::WellbeingCounty {
            return Ok(None);
        }
        match county_of(ctx, &self.0).await? {
            Some(id) => Ok(loaders(ctx)
                .load_one(OrganisationById(id))
                .await?
                .map(Organisation)),
            None => Ok(None),
        }
    }
    /// The organisation this one is a unit of.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.parent_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// Units (palvelualueet, yksiköt) of this organisation.
    async fn units(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let rows = loaders(ctx)
            .load_one(UnitsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Organisation).collect())
    }
    /// For a wellbeing services county: its municipalities, by name.
    async fn municipalities(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let rows = loaders(ctx)
            .load_one(MunicipalitiesOfCounty(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Organisation).collect())
    }
    /// Representatives (vastinparit) this organisation has named, valid on `activeOn`
    /// (default today) unless `includeInactive` asks for the whole history.
    async fn representatives(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<Vec<Representative>> {
        let key = RepresentativesOfOrganisation(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Representative).collect())
    }
    /// Seats the organisation holds in networks, valid on `activeOn` (default today)
    /// unless `includeInactive` asks for the whole history.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<Vec<NetworkMembership>> {
        let key = MembershipsOfOrganisation(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(NetworkMembership).collect())
    }
    /// Areas (service-discussion, family-centre, TYP …) a municipality belongs to.
    async fn areas(&self, ctx: &Context<'_>) -> ApiResult<Vec<Area>> {
        let links = loaders(ctx)
            .load_one(AreasOfMunicipality(self.0.id))
            .await?
            .unwrap_or_default();
        let mut areas: Vec<Area> = load_many(ctx, links.iter().map(|l| AreaById(l.area_id)))
            .await?
            .into_iter()
            .map(Area)
            .collect();
        areas.sort_by(|a, b| (&a.0.name_fi, a.0.id).cmp(&(&b.0.name_fi, b.0.id)));
        Ok(areas)
    }
    /// Public e-mail address of the organisation.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Public phone number (switchboard).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Web site.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// Postal or visiting address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Free description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// When the row was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the row last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Version to send back with an update; it changes on every write.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Person: someone named as a representative, coordinator or network member. E-mail and
/// phone of `INTERNAL` persons are null for anonymous callers.
#[derive(Clone)]
pub struct Person(pub person::Model);

impl Person {
    fn contact_visible(&self, ctx: &Context<'_>) -> bool {
        self.0.visibility == db::Visibility::Public || viewer(ctx).authenticated()
    }
}

/// Person: someone named as a representative, coordinator or network member. E-mail and
/// phone of `INTERNAL` persons are null for anonymous callers.
#[Object]
impl Person {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Job title as the person's organisation writes it.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The organisation the person works for.
    async fn organisation(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.organisation_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// E-mail address; null for anonymous callers when the visibility is `INTERNAL`.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact_visible(ctx)
            .then_some(self.0.email.as_deref())
            .flatten()
    }
    /// Phone number; null for anonymous callers when the visibility is `INTERNAL`.
    async fn phone(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact_visible(ctx)
            .then_some(self.0.phone.as_deref())
            .flatten()
    }
    /// Who may see the contact details.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// Representative roles of the person, valid on `activeOn` (default today) unless
    /// `includeInactive` asks for the whole history.
    async fn representatives(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<Vec<Representative>> {
        let key = RepresentativesOfPerson(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Representative).collect())
    }
    /// Network seats of the person, valid on `activeOn` (default today) unless
    /// `includeInactive` asks for the whole history.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<Vec<NetworkMembership>> {
        let key = MembershipsOfPerson(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(NetworkMembership).collect())
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Representative (vastinpari): a person an organisation has named for a topic at a level.
/// The municipality's and the county's representatives on the same topic and level are
/// each other's counterparts.
#[derive(Clone)]
pub struct Representative(pub representative::Model);

impl Representative {
    /// The municipalities served: the listed ones; when none are listed, a municipality's
    /// own representative serves that municipality and a county-side one every
    /// municipality of its county.
    pub async fn served_ids(&self, ctx: &Context<'_>) -> ApiResult<Vec<Uuid>> {
        let links = loaders(ctx)
            .load_one(ServedBy(self.0.id))
            .await?
            .unwrap_or_default();
        if !links.is_empty() {
            return Ok(links.iter().map(|l| l.municipality_id).collect());
        }
        let Some(org) = loaders(ctx)
            .load_one(OrganisationById(self.0.organisation_id))
            .await?
        else {
            return Ok(Vec::new());
        };
        // A unit of a municipality serves its municipality.
        let mut current = org.clone();
        for _ in 0..MAX_UNIT_DEPTH {
            if current.kind == db::OrganisationKind::Municipality {
                return Ok(vec![current.id]);
            }
            match current.parent_id {
                Some(parent) => match loaders(ctx).load_one(OrganisationById(parent)).await? {
                    Some(parent) => current = parent,
                    None => break,
                },
                None => break,
            }
        }
        match county_of(ctx, &org).await? {
            Some(county) => Ok(loaders(ctx)
                .load_one(MunicipalitiesOfCounty(county))
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(|m| m.id)
                .collect()),
            None => Ok(Vec::new()),
        }
    }
}

/// Representative (vastinpari): a person an organisation has named for a topic at a level.
/// The municipality's and the county's representatives on the same topic and level are
/// each other's counterparts.
#[Object]
impl Representative {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The person named.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        loaders(ctx)
            .load_one(PersonById(self.0.person_id))
            .await?
            .map(Person)
            .ok_or_else(|| internal("representative without person"))
    }
    /// The organisation that named the person.
    async fn organisation(&self, ctx: &Context<'_>) -> ApiResult<Organisation> {
        loaders(ctx)
            .load_one(OrganisationById(self.0.organisation_id))
            .await?
            .map(Organisation)
            .ok_or_else(|| internal("representative without organisation"))
    }
    /// The topic the person represents the organisation on.
    async fn topic(&self, ctx: &Context<'_>) -> ApiResult<Topic> {
        loaders(ctx)
            .load_one(TopicById(self.0.topic_id))
            .await?
            .map(Topic)
            .ok_or_else(|| internal("representative without topic"))
    }
    /// The level of cooperation.
    async fn level(&self) -> Level {
        self.0.level.into()
    }
    /// The role as the organisation writes it ("hyvinvointikoordinaattori").
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// The deputy (varahenkilö).
    async fn deputy(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.deputy_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The municipalities this representative serves. When the organisation listed none,
    /// a municipality's representative serves the municipality itself and a county's
    /// representative every municipality of the county.
    async fn served_municipalities(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let ids = self.served_ids(ctx).await?;
        let mut orgs: Vec<Organisation> = load_many(ctx, ids.into_iter().map(OrganisationById))
            .await?
            .into_iter()
            .map(Organisation)
            .collect();
        orgs.sort_by(|a, b| a.0.municipality_code.cmp(&b.0.municipality_code));
        Ok(orgs)
    }
    /// Whether no municipalities were listed, so the default rule above applies.
    async fn serves_all_municipalities(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(loaders(ctx)
            .load_one(ServedBy(self.0.id))
            .await?
            .unwrap_or_default()
            .is_empty())
    }
    /// First day of the appointment; null when not recorded.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }
    /// Last day of the appointment; null while it lasts.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// The representatives on the other side with the same topic (or a sub-topic of the
    /// same interface) and level who serve the same municipalities, valid on `activeOn`
    /// (default today).
    async fn counterparts(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
    ) -> ApiResult<Vec<Representative>> {
        let date = active_date(active_on, false).unwrap_or_else(super::today);
        let Some(org) = loaders(ctx)
            .load_one(OrganisationById(self.0.organisation_id))
            .await?
        else {
            return Ok(Vec::new());
        };
        let Some(county) = county_of(ctx, &org).await? else {
            return Ok(Vec::new());
        };
        let index: std::sync::Arc<CountyIndex> =
            counterparts::county_index(ctx, county, date, None).await?;
        Ok(index
            .counterparts_of(&self.0)
            .into_iter()
            .map(Representative)
            .collect())
    }
    /// When the row was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the row last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Topic: an interface area of the agreement (yhdyspinta a–e), one of its sub-themes, or a
/// common theme.
#[derive(Clone)]
pub struct Topic(pub topic::Model);

/// Topic: an interface area of the agreement (yhdyspinta a–e), one of its sub-themes, or a
/// common theme.
#[Object]
impl Topic {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable English identifier used in arguments (`employment`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name in the requested language, falling back to Finnish.
    async fn name(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.name_fi,
            self.0.name_sv.as_deref(),
            self.0.name_en.as_deref(),
        )
    }
    /// Interface area or common theme.
    async fn kind(&self) -> TopicKind {
        self.0.kind.into()
    }
    /// The letter the agreement gives an interface area (a–e).
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    /// What the topic covers.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The broader topic.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Topic>> {
        Ok(load_opt(ctx, self.0.parent_id.map(TopicById))
            .await?
            .map(Topic))
    }
    /// Narrower topics, in the agreement's order.
    async fn children(&self, ctx: &Context<'_>) -> ApiResult<Vec<Topic>> {
        let rows = loaders(ctx)
            .load_one(TopicChildren(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Topic).collect())
    }
    /// Position in the agreement's order.
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
}

/// Area: a named group of municipalities inside a county (palvelukeskustelualue,
/// perhekeskusalue, TYP-alue).
#[derive(Clone)]
pub struct Area(pub area::Model);

/// Area: a named group of municipalities inside a county (palvelukeskustelualue,
/// perhekeskusalue, TYP-alue).
#[Object]
impl Area {
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
    /// What the area groups municipalities for.
    async fn kind(&self) -> AreaKind {
        self.0.kind.into()
    }
    /// Free description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The county the area is in.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Organisation> {
        loaders(ctx)
            .load_one(OrganisationById(self.0.county_id))
            .await?
            .map(Organisation)
            .ok_or_else(|| internal("area without county"))
    }
    /// Member municipalities, by municipality code.
    async fn municipalities(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let links = loaders(ctx)
            .load_one(MunicipalitiesOfArea(self.0.id))
            .await?
            .unwrap_or_default();
        let mut orgs: Vec<Organisation> = load_many(
            ctx,
            links.iter().map(|l| OrganisationById(l.municipality_id)),
        )
        .await?
        .into_iter()
        .map(Organisation)
        .collect();
        orgs.sort_by(|a, b| a.0.municipality_code.cmp(&b.0.municipality_code));
        Ok(orgs)
    }
}

/// CounterpartPair: for one municipality, topic and level, the municipality's own
/// representatives and the county's (and regional council's) representatives serving it.
#[derive(SimpleObject, Clone)]
pub struct CounterpartPair {
    /// The municipality.
    pub municipality: Organisation,
    /// The interface topic.
    pub topic: Topic,
    /// The level.
    pub level: Level,
    /// Representatives the municipality has named.
    pub municipality_representatives: Vec<Representative>,
    /// Representatives of the county or the regional council who serve the municipality.
    pub county_representatives: Vec<Representative>,
    /// Whether both sides have named someone.
    pub complete: bool,
}

/// CoverageGap: a municipality, topic and level where a side has named nobody.
#[derive(SimpleObject, Clone)]
pub struct CoverageGap {
    /// The municipality.
    pub municipality: Organisation,
    /// The interface topic.
    pub topic: Topic,
    /// The level.
    pub level: Level,
    /// Which side has named nobody.
    pub missing: MissingSide,
}

/// CoverageReport: the agreement's promise of a counterpart for every municipality,
/// interface topic and level, checked.
#[derive(SimpleObject, Clone)]
pub struct CoverageReport {
    /// The county.
    pub county: Organisation,
    /// The day checked.
    pub active_on: Date,
    /// Municipalities × interface topics × levels.
    pub expected: i32,
    /// Combinations where both sides have named someone.
    pub covered: i32,
    /// `covered / expected`, 0 when nothing is expected.
    pub ratio: f64,
    /// The combinations not covered, by municipality code, topic order and level.
    pub gaps: Vec<CoverageGap>,
}

/// SearchResult: anything free-text search finds.
#[derive(Union, Clone)]
pub enum SearchResult {
    /// An organisation.
    Organisation(Organisation),
    /// A person.
    Person(Person),
    /// A network.
    Network(Network),
    /// An action.
    Action(Action),
}
