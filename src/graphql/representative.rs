//! The GraphQL face of representatives: the object, its filter and inputs (turned into
//! domain values here), and the list, create, update, end and delete fields. The CSV
//! import and export are in [`csv`].

pub mod csv;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums as db;
use entity::representative;
use uuid::Uuid;

use super::context::load_opt;
use super::context::{active_date, db, load_many, loaders, parse_id, parse_opt_id, today, writer};
use super::counterpart::county_index;
use super::enums::Level;
use super::inputs::deleted;
use super::inputs::{DeleteInput, DeletePayload, EndInput, SHORT_MAX, checked, ids, opt, opt_text};
use super::organisation::{MAX_UNIT_DEPTH, Organisation, county_of};
use super::paging::{List, Page};
use super::person::Person;
use super::reference::Topic;
use super::review;
use super::scalars::Date;
use crate::db::loaders::{
    MunicipalitiesOfCounty, OrganisationById, PersonById, ServedBy, TopicById,
};
use crate::domain::representative::{
    Change, EndRepresentative, NewRepresentative, RepresentativeFilter as Filter,
    RepresentativePatch, Served, service,
};
use crate::domain::values::{MunicipalityCode, Slug, date_range};
use crate::error::{ApiError, ApiResult, bad_input, internal};

row_object!(
    /// A representative row as a GraphQL object (described on its `#[Object]` impl).
    Representative, representative
);

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
        let date = active_date(active_on, false).unwrap_or_else(today);
        let Some(org) = loaders(ctx)
            .load_one(OrganisationById(self.0.organisation_id))
            .await?
        else {
            return Ok(Vec::new());
        };
        let Some(county) = county_of(ctx, &org).await? else {
            return Ok(Vec::new());
        };
        Ok(county_index(ctx, county, date)
            .await?
            .counterparts_of(&self.0)
            .into_iter()
            .map(Representative::from)
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
    /// When someone last confirmed that the representative is still true (`confirmRepresentative`); null if never.
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

/// Which representatives to list.
#[derive(InputObject, Default)]
pub struct RepresentativeFilter {
    /// Named by this organisation.
    pub organisation_id: Option<ID>,
    /// On this topic (slug), its sub-topics included.
    pub topic: Option<String>,
    /// At this level.
    pub level: Option<Level>,
    /// Serving the municipality with this id: its own representatives and the county-side
    /// ones serving it.
    pub municipality_id: Option<ID>,
    /// Serving the municipality with this code.
    pub municipality_code: Option<String>,
    /// Valid on this day; default today.
    pub active_on: Option<Date>,
    /// List ended and future appointments too, ignoring `activeOn`.
    pub include_inactive: Option<bool>,
    /// Words that must all appear in the person's name or title, matched as `search`
    /// matches them (case, accents, Finnish endings and typos forgiven).
    pub text: Option<String>,
    /// Only rows never confirmed or confirmed longer ago than the review period when true,
    /// only rows confirmed within it when false.
    pub stale: Option<bool>,
}

impl TryFrom<RepresentativeFilter> for Filter {
    type Error = ApiError;

    fn try_from(f: RepresentativeFilter) -> ApiResult<Filter> {
        let serving = match (&f.municipality_id, &f.municipality_code) {
            (Some(_), Some(_)) => {
                return Err(bad_input(
                    "filter.municipalityCode",
                    "give municipalityId or municipalityCode, not both",
                ));
            }
            (Some(id), None) => Some(Served::Id(parse_id("filter.municipalityId", id)?)),
            (None, Some(code)) => Some(Served::Code(MunicipalityCode::parse(
                "filter.municipalityCode",
                code,
            )?)),
            (None, None) => None,
        };
        Ok(Filter {
            organisation_id: parse_opt_id("filter.organisationId", &f.organisation_id)?,
            topic: f
                .topic
                .as_deref()
                .map(|t| Slug::parse("filter.topic", t))
                .transpose()?,
            level: f.level.map(Into::into),
            serving,
            valid_on: active_date(f.active_on, f.include_inactive.unwrap_or(false)),
            text: f.text,
            stale: None,
        })
    }
}

impl TryFrom<CreateRepresentativeInput> for NewRepresentative {
    type Error = ApiError;

    fn try_from(input: CreateRepresentativeInput) -> ApiResult<NewRepresentative> {
        let valid_from = input.valid_from.map(|d| d.0);
        let valid_to = input.valid_to.map(|d| d.0);
        Ok(NewRepresentative {
            person_id: parse_id("input.personId", &input.person_id)?,
            organisation_id: parse_id("input.organisationId", &input.organisation_id)?,
            deputy_id: parse_opt_id("input.deputyId", &input.deputy_id)?,
            valid_from,
            valid_to: date_range("input.validTo", valid_from, valid_to).map(|()| valid_to)?,
            role: opt(&input.role, opt_text("input.role", SHORT_MAX))?,
            topic: Slug::parse("input.topic", &input.topic)?,
            level: input.level.into(),
            served: ids(
                "input.servedMunicipalityIds",
                &input.served_municipality_ids,
            )?,
        })
    }
}

/// A nullable field's change.
fn change<T: Clone, U>(
    value: &MaybeUndefined<T>,
    map: impl Fn(&T) -> ApiResult<U>,
) -> ApiResult<Change<U>> {
    Ok(match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(v) => Change::Set(map(v)?),
    })
}

impl TryFrom<UpdateRepresentativeInput> for RepresentativePatch {
    type Error = ApiError;

    fn try_from(input: UpdateRepresentativeInput) -> ApiResult<RepresentativePatch> {
        let role = match &input.role {
            MaybeUndefined::Value(v) => match checked(opt_text("input.role", SHORT_MAX)(v))? {
                Some(role) => Change::Set(role),
                None => Change::Clear,
            },
            other => change(other, |v: &String| Ok(v.clone()))?,
        };
        Ok(RepresentativePatch {
            id: parse_id("input.id", &input.id)?,
            version: input.version,
            person_id: parse_opt_id("input.personId", &input.person_id)?,
            topic: input
                .topic
                .as_deref()
                .map(|t| Slug::parse("input.topic", t))
                .transpose()?,
            level: input.level.map(Into::into),
            role,
            deputy_id: change(&input.deputy_id, |d| parse_id("input.deputyId", d))?,
            served: input
                .served_municipality_ids
                .as_deref()
                .map(|v| ids("input.servedMunicipalityIds", v))
                .transpose()?,
            valid_from: change(&input.valid_from, |d| Ok(d.0))?,
            valid_to: change(&input.valid_to, |d| Ok(d.0))?,
        })
    }
}

/// The representative after a write.
#[derive(SimpleObject)]
pub struct RepresentativePayload {
    /// The row as written.
    pub representative: Representative,
}

impl From<representative::Model> for RepresentativePayload {
    fn from(row: representative::Model) -> Self {
        RepresentativePayload {
            representative: Representative(row.into()),
        }
    }
}

/// The representative lists.
#[derive(Default)]
pub struct RepresentativeQuery;

#[Object]
impl RepresentativeQuery {
    /// Representatives, filtered; ordered by organisation, level and id.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn representatives(
        &self,
        ctx: &Context<'_>,
        filter: Option<RepresentativeFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Representative>> {
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let stale = review::staleness(ctx, filter.stale);
        let filter = Filter {
            stale,
            ..Filter::try_from(filter)?
        };
        let (rows, total) = service::list(db(ctx), &filter, page.offset, page.limit).await?;
        Ok(page.connection(rows.into_iter().map(Representative::from).collect(), total))
    }
}

/// The representative writes.
#[derive(Default)]
pub struct RepresentativeMutation;

#[Object]
impl RepresentativeMutation {
    /// Names a representative.
    async fn create_representative(
        &self,
        ctx: &Context<'_>,
        input: CreateRepresentativeInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = writer(ctx)?;
        let new = NewRepresentative::try_from(input)?;
        Ok(service::create(db(ctx), who, new).await?.into())
    }

    /// Changes a representative.
    async fn update_representative(
        &self,
        ctx: &Context<'_>,
        input: UpdateRepresentativeInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = writer(ctx)?;
        let patch = RepresentativePatch::try_from(input)?;
        Ok(service::update(db(ctx), who, patch).await?.into())
    }

    /// Ends a representative's term: sets `validTo` (default today); the history stays
    /// queryable with `activeOn`.
    async fn end_representative(
        &self,
        ctx: &Context<'_>,
        input: EndInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = writer(ctx)?;
        let end = EndRepresentative {
            id: parse_id("input.id", &input.id)?,
            version: input.version,
            valid_to: input.valid_to.map(|d| d.0),
        };
        Ok(service::end(db(ctx), who, end).await?.into())
    }

    /// Deletes a representative and its history; prefer `endRepresentative`.
    async fn delete_representative(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let id = parse_id("input.id", &input.id)?;
        let removed = service::delete(db(ctx), who, id, input.version).await?;
        Ok(deleted(id, removed))
    }
}

/// Names a representative (vastinpari).
#[derive(InputObject, Clone, Debug)]
pub struct CreateRepresentativeInput {
    /// The person.
    pub person_id: ID,
    /// The organisation naming the person.
    pub organisation_id: ID,
    /// Topic slug (`employment`).
    pub topic: String,
    /// Level of cooperation.
    pub level: Level,
    /// Role as written ("työllisyyskoordinaattori").
    pub role: Option<String>,
    /// Person id of the deputy.
    pub deputy_id: Option<ID>,
    /// Municipalities served; empty: the organisation's own municipality or, for the
    /// county side, all of its municipalities.
    #[graphql(default)]
    pub served_municipality_ids: Vec<ID>,
    /// First day.
    pub valid_from: Option<Date>,
    /// Last day; must not be before the first.
    pub valid_to: Option<Date>,
}

/// Changes a representative; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateRepresentativeInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The person.
    pub person_id: Option<ID>,
    /// Topic slug (`employment`).
    pub topic: Option<String>,
    /// Level of cooperation.
    pub level: Option<Level>,
    /// Role.
    pub role: MaybeUndefined<String>,
    /// Person id of the deputy.
    pub deputy_id: MaybeUndefined<ID>,
    /// Replaces the served municipalities.
    pub served_municipality_ids: Option<Vec<ID>>,
    /// First day.
    pub valid_from: MaybeUndefined<Date>,
    /// Last day; must not be before the first.
    pub valid_to: MaybeUndefined<Date>,
}
