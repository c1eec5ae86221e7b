//! The GraphQL face of organisations: the object type, its filter and inputs, and the
//! `organisations`/`organisation` fields and the organisation mutations.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums as db;
use entity::organisation;
use uuid::Uuid;

use super::context::load_opt;
use super::context::{
    active_date, db, load_many, load_page, loaders, parse_id, parse_opt_id, writer,
};
use super::enums::{Language, OrganisationKind, OrganisationOrder};
use super::inputs::deleted;
use super::inputs::{
    DeleteInput, DeletePayload, LONG_MAX, LocalizedTextInput, NAME_MAX, SHORT_MAX, opt, opt_text,
};
use super::localized::LocalizedText;
use super::paging::{List, Page};
use super::reference::Area;
use super::representative::Representative;
use super::review;
use super::scalars::Date;
use super::seat::NetworkMembership;
use super::values::{blank_is_none, change, present};
use crate::db::loaders::{
    AreaById, AreasOfMunicipality, MembershipsOfOrganisation, MunicipalitiesOf, OrganisationById,
    RepresentativesOfOrganisation, UnitsOf,
};
use crate::domain::organisation::{
    self as domain, Deletion, NewOrganisation, OrganisationKey, OrganisationPatch, service,
};
use crate::domain::values::{BusinessId, Email, MunicipalityCode, Phone, Url};
use crate::error::{ApiError, ApiResult, bad_input};

row_object!(
    /// An organisation row; described on its `#[Object] impl`.
    Organisation, organisation
);

/// How many parent links a unit chain may have before it is treated as broken.
pub const MAX_UNIT_DEPTH: usize = 8;

/// The county an organisation belongs to: a county is its own, a municipality's is its
/// county, a unit's is its parent's; a regional council's is the county it works with.
pub async fn county_of(
    ctx: &Context<'_>,
    org: &Arc<organisation::Model>,
) -> ApiResult<Option<Uuid>> {
    let mut current = Arc::clone(org);
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

mod inputs;
pub use inputs::*;

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
    /// Every stored name: Finnish always, Swedish and English null where missing.
    async fn names(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(&row.name_fi, row.name_sv.as_deref(), row.name_en.as_deref())
    }
    /// The language `name(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn name_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.name_sv.as_deref(), self.0.name_en.as_deref())
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
    async fn units(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Organisation>> {
        load_page(ctx, UnitsOf(self.0.id), first, after, Organisation).await
    }
    /// For a wellbeing services county: its municipalities, by name.
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Organisation>> {
        load_page(ctx, MunicipalitiesOf(self.0.id), first, after, Organisation).await
    }
    /// Representatives (vastinparit) this organisation has named, valid on `activeOn`
    /// (default today) unless `includeInactive` asks for the whole history.
    async fn representatives(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Representative>> {
        let key = RepresentativesOfOrganisation(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        load_page(ctx, key, first, after, Representative).await
    }
    /// Seats the organisation holds in networks, valid on `activeOn` (default today)
    /// unless `includeInactive` asks for the whole history.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<NetworkMembership>> {
        let key = MembershipsOfOrganisation(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        load_page(ctx, key, first, after, NetworkMembership).await
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
    /// The mission its strategy states (missio), as worded there.
    async fn mission(&self) -> Option<&str> {
        self.0.mission.as_deref()
    }
    /// The priority areas of its strategy (painopistealueet), in the strategy's order;
    /// empty when none are recorded.
    async fn priorities(&self) -> Vec<&str> {
        self.0
            .priorities
            .as_deref()
            .map(|p| p.lines().collect())
            .unwrap_or_default()
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
    /// When someone last confirmed that the organisation is still true (`confirmOrganisation`); null if never.
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

/// Which organisations to list.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// Only these kinds.
    pub kind: Option<Vec<OrganisationKind>>,
    /// Only organisations in this county (the county itself excluded).
    pub county_id: Option<ID>,
    /// Only the organisation with this municipality code.
    pub municipality_code: Option<String>,
    /// Only units of this organisation.
    pub parent_id: Option<ID>,
    /// Words that must all appear in a name (Finnish, Swedish, English or short), matched
    /// as `search` matches them (case, accents, Finnish endings and typos forgiven).
    pub text: Option<String>,
    /// Only rows never confirmed or confirmed longer ago than the review period when true,
    /// only rows confirmed within it when false.
    pub stale: Option<bool>,
}

impl TryFrom<OrganisationFilter> for domain::OrganisationFilter {
    type Error = ApiError;

    fn try_from(f: OrganisationFilter) -> ApiResult<Self> {
        Ok(domain::OrganisationFilter {
            kinds: f.kind.map(|k| k.into_iter().map(Into::into).collect()),
            county_id: parse_opt_id("filter.countyId", &f.county_id)?,
            municipality_code: f
                .municipality_code
                .map(|c| MunicipalityCode::parse("filter.municipalityCode", &c))
                .transpose()?,
            parent_id: parse_opt_id("filter.parentId", &f.parent_id)?,
            text: f.text,
            stale: None,
        })
    }
}

impl From<OrganisationOrder> for domain::OrganisationOrder {
    fn from(order: OrganisationOrder) -> Self {
        match order {
            OrganisationOrder::Name => domain::OrganisationOrder::Name,
            OrganisationOrder::MunicipalityCode => domain::OrganisationOrder::MunicipalityCode,
            OrganisationOrder::Kind => domain::OrganisationOrder::Kind,
        }
    }
}

/// The one key of an `organisation` lookup, or `BAD_USER_INPUT` unless exactly one is given.
fn organisation_key(
    id: Option<ID>,
    business_id: Option<String>,
    municipality_code: Option<String>,
) -> ApiResult<OrganisationKey> {
    match (id, business_id, municipality_code) {
        (Some(id), None, None) => Ok(OrganisationKey::Id(parse_id("id", &id)?)),
        (None, Some(bid), None) => Ok(OrganisationKey::BusinessId(bid)),
        (None, None, Some(code)) => Ok(OrganisationKey::MunicipalityCode(MunicipalityCode::parse(
            "municipalityCode",
            &code,
        )?)),
        _ => Err(bad_input(
            "id",
            "give exactly one of id, businessId and municipalityCode",
        )),
    }
}

/// The organisation root fields.
#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// Organisations, filtered and ordered; ties broken by id.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganisationFilter>,
        first: Option<i32>,
        after: Option<String>,
        order_by: Option<OrganisationOrder>,
    ) -> ApiResult<List<Organisation>> {
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let stale = review::staleness(ctx, filter.stale);
        let filter = domain::OrganisationFilter {
            stale,
            ..domain::OrganisationFilter::try_from(filter)?
        };
        let order = order_by.unwrap_or_default().into();
        let (rows, total) = service::list(db(ctx), &filter, order, page.window()).await?;
        // Nested fields often come back to the same organisations: serve them from the cache.
        let rows: Vec<std::sync::Arc<_>> = rows.into_iter().map(std::sync::Arc::new).collect();
        loaders(ctx)
            .feed_many(rows.iter().map(|o| (OrganisationById(o.id), o.clone())))
            .await;
        Ok(page.connection(rows.into_iter().map(Organisation).collect(), total))
    }

    /// One organisation by id, business ID or municipality code (give exactly one).
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        business_id: Option<String>,
        municipality_code: Option<String>,
    ) -> ApiResult<Option<Organisation>> {
        let key = organisation_key(id, business_id, municipality_code)?;
        Ok(service::get(db(ctx), key).await?.map(Organisation::from))
    }
}

/// The organisation mutations.
#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Creates an organisation.
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> ApiResult<OrganisationPayload> {
        let who = writer(ctx)?;
        let new = NewOrganisation::try_from(input)?;
        let created = service::create(db(ctx), who, new).await?;
        Ok(OrganisationPayload {
            organisation: Organisation(created.into()),
        })
    }

    /// Changes an organisation's own fields.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> ApiResult<OrganisationPayload> {
        let who = writer(ctx)?;
        let patch = OrganisationPatch::try_from(input)?;
        let updated = service::update(db(ctx), who, patch).await?;
        Ok(OrganisationPayload {
            organisation: Organisation(updated.into()),
        })
    }

    /// Deletes an organisation. Refused while other rows refer to it, unless `cascade`
    /// removes its representatives, seats and links (units, persons, networks it convenes,
    /// areas and agreements always block).
    async fn delete_organisation(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let deletion = Deletion::try_from(input)?;
        let removed = service::delete(db(ctx), who, deletion).await?;
        Ok(deleted(deletion.id, removed))
    }
}
