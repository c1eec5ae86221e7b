//! The root query fields of the public contract.

use std::str::FromStr;

use super::scalars::Date;
use async_graphql::{Context, ID, InputObject, Object};
use entity::enums as db;
use entity::*;
use sea_orm::sea_query::{NullOrdering, Query as SqlQuery};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use super::action::Action;
use super::counterparts::{self, PairRows};
use super::enums::*;
use super::network::Network;
use super::paging::{List, Page};
use super::types::*;
use super::{active_date, db, loaders, today};
use crate::db::loaders::{OrganisationById, valid_on};
use crate::domain::search::text::like_patterns;
use crate::error::*;

/// Parses an `ID` argument.
fn parse_id(field: &str, id: &ID) -> ApiResult<Uuid> {
    Uuid::from_str(id.as_str()).map_err(|_| bad_input(field, format!("{field} is not a valid id")))
}

/// Requires all words of `text` in the search column `column`.
pub(crate) fn text_condition<C: ColumnTrait>(column: C, text: &str) -> Condition {
    like_patterns(text)
        .into_iter()
        .fold(Condition::all(), |cond, pattern| {
            cond.add(column.like(pattern))
        })
}

/// Reads one page and the total of a filtered, ordered query.
async fn page_of<E>(
    ctx: &Context<'_>,
    query: Select<E>,
    page: Page,
) -> ApiResult<(Vec<E::Model>, u64)>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let db = db(ctx);
    let total = query.clone().count(db).await?;
    let rows = if page.limit == 0 || page.offset >= total {
        Vec::new()
    } else {
        query.offset(page.offset).limit(page.limit).all(db).await?
    };
    Ok((rows, total))
}

/// Validates a three-digit municipality code argument.
pub(crate) fn municipality_code(field: &str, code: &str) -> ApiResult<String> {
    let code = code.trim();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(bad_input(
            field,
            format!("{field} must be three digits, such as 297"),
        ))
    }
}

/// Finds a topic by slug or fails naming the argument.
async fn topic_by_slug(ctx: &Context<'_>, field: &str, slug: &str) -> ApiResult<topic::Model> {
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug))
        .one(db(ctx))
        .await?
        .ok_or_else(|| bad_input(field, format!("no topic with slug {slug:?}")))
}

/// Ids of a topic and every topic below it.
async fn topic_and_descendants(ctx: &Context<'_>, root: Uuid) -> ApiResult<Vec<Uuid>> {
    let topics = topic::Entity::find().all(db(ctx)).await?;
    let mut ids = vec![root];
    let mut i = 0;
    while i < ids.len() {
        let parent = ids[i];
        ids.extend(
            topics
                .iter()
                .filter(|t| t.parent_id == Some(parent))
                .map(|t| t.id),
        );
        i += 1;
    }
    Ok(ids)
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
    /// Words that must all appear in a name; case, accents and Finnish endings ignored.
    pub text: Option<String>,
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
    /// Words that must all appear in the person's name or title.
    pub text: Option<String>,
}

/// Read access to the whole domain.
#[derive(Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
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
        let mut query = organisation::Entity::find();
        if let Some(kinds) = filter.kind {
            let kinds: Vec<db::OrganisationKind> = kinds.into_iter().map(Into::into).collect();
            query = query.filter(organisation::Column::Kind.is_in(kinds));
        }
        if let Some(county) = &filter.county_id {
            let county = parse_id("filter.countyId", county)?;
            query = query
                .filter(organisation::Column::CountyId.eq(county))
                .filter(organisation::Column::Id.ne(county));
        }
        if let Some(code) = &filter.municipality_code {
            let code = municipality_code("filter.municipalityCode", code)?;
            query = query.filter(organisation::Column::MunicipalityCode.eq(code));
        }
        if let Some(parent) = &filter.parent_id {
            query = query
                .filter(organisation::Column::ParentId.eq(parse_id("filter.parentId", parent)?));
        }
        if let Some(text) = &filter.text {
            query = query.filter(text_condition(organisation::Column::SearchText, text));
        }
        query = match order_by.unwrap_or_default() {
            OrganisationOrder::Name => query.order_by_asc(organisation::Column::NameFi),
            OrganisationOrder::MunicipalityCode => query
                .order_by_with_nulls(
                    organisation::Column::MunicipalityCode,
                    Order::Asc,
                    NullOrdering::Last,
                )
                .order_by_asc(organisation::Column::NameFi),
            OrganisationOrder::Kind => query
                .order_by_asc(organisation::Column::Kind)
                .order_by_asc(organisation::Column::NameFi),
        };
        query = query.order_by_asc(organisation::Column::Id);
        let (rows, total) = page_of(ctx, query, page).await?;
        // Nested fields often come back to the same organisations: serve them from the cache.
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
        let given = [
            id.is_some(),
            business_id.is_some(),
            municipality_code.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            return Err(bad_input(
                "id",
                "give exactly one of id, businessId and municipalityCode",
            ));
        }
        let query = if let Some(id) = &id {
            organisation::Entity::find_by_id(parse_id("id", id)?)
        } else if let Some(business_id) = business_id {
            organisation::Entity::find()
                .filter(organisation::Column::BusinessId.eq(business_id.trim()))
        } else {
            let code = self::municipality_code(
                "municipalityCode",
                municipality_code.as_deref().unwrap_or_default(),
            )?;
            organisation::Entity::find().filter(organisation::Column::MunicipalityCode.eq(code))
        };
        Ok(query.one(db(ctx)).await?.map(Organisation))
    }

    /// Every topic: the interface areas a–e with their sub-themes, then the common themes.
    async fn topics(&self, ctx: &Context<'_>, kind: Option<TopicKind>) -> ApiResult<Vec<Topic>> {
        let mut query = topic::Entity::find();
        if let Some(kind) = kind {
            query = query.filter(topic::Column::Kind.eq(db::TopicKind::from(kind)));
        }
        let rows = query
            .order_by_asc(topic::Column::Kind)
            .order_by_asc(topic::Column::SortOrder)
            .order_by_asc(topic::Column::Slug)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Topic).collect())
    }

    /// One topic by its slug (`employment`).
    async fn topic(&self, ctx: &Context<'_>, slug: String) -> ApiResult<Option<Topic>> {
        Ok(topic::Entity::find()
            .filter(topic::Column::Slug.eq(slug))
            .one(db(ctx))
            .await?
            .map(Topic))
    }

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
        let mut query = representative::Entity::find();
        if let Some(org) = &filter.organisation_id {
            query = query.filter(
                representative::Column::OrganisationId.eq(parse_id("filter.organisationId", org)?),
            );
        }
        if let Some(slug) = &filter.topic {
            let topic = topic_by_slug(ctx, "filter.topic", slug).await?;
            let ids = topic_and_descendants(ctx, topic.id).await?;
            query = query.filter(representative::Column::TopicId.is_in(ids));
        }
        if let Some(level) = filter.level {
            query = query.filter(representative::Column::Level.eq(db::Level::from(level)));
        }
        let municipality = match (&filter.municipality_id, &filter.municipality_code) {
            (Some(_), Some(_)) => {
                return Err(bad_input(
                    "filter.municipalityCode",
                    "give municipalityId or municipalityCode, not both",
                ));
            }
            (Some(id), None) => Some(
                organisation::Entity::find_by_id(parse_id("filter.municipalityId", id)?)
                    .one(db(ctx))
                    .await?
                    .ok_or_else(|| bad_input("filter.municipalityId", "no such municipality"))?,
            ),
            (None, Some(code)) => {
                let code = municipality_code("filter.municipalityCode", code)?;
                Some(
                    organisation::Entity::find()
                        .filter(organisation::Column::MunicipalityCode.eq(code))
                        .one(db(ctx))
                        .await?
                        .ok_or_else(|| {
                            bad_input("filter.municipalityCode", "no municipality with this code")
                        })?,
                )
            }
            (None, None) => None,
        };
        if let Some(m) = municipality {
            query = query.filter(serving_condition(&m));
        }
        if let Some(date) = active_date(filter.active_on, filter.include_inactive.unwrap_or(false))
        {
            query = query.filter(valid_on(
                representative::Column::ValidFrom,
                representative::Column::ValidTo,
                date,
            ));
        }
        if let Some(text) = &filter.text {
            query = query.filter(
                representative::Column::PersonId.in_subquery(
                    SqlQuery::select()
                        .column(person::Column::Id)
                        .from(person::Entity)
                        .cond_where(text_condition(person::Column::SearchText, text))
                        .to_owned(),
                ),
            );
        }
        let query = query
            .order_by_asc(representative::Column::OrganisationId)
            .order_by_asc(representative::Column::Level)
            .order_by_asc(representative::Column::Id);
        let (rows, total) = page_of(ctx, query, page).await?;
        Ok(page.connection(rows.into_iter().map(Representative).collect(), total))
    }

    /// The counterpart lookup: for a municipality, each interface topic (or the one given,
    /// with its sub-topics) × level (or the one given), its own representatives and the
    /// county's and regional council's representatives who serve it, valid on `activeOn`
    /// (default today).
    async fn counterparts(
        &self,
        ctx: &Context<'_>,
        municipality_code: String,
        topic: Option<String>,
        level: Option<Level>,
        active_on: Option<Date>,
    ) -> ApiResult<Vec<CounterpartPair>> {
        let code = self::municipality_code("municipalityCode", &municipality_code)?;
        let municipality = organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.eq(code.clone()))
            .one(db(ctx))
            .await?
            .ok_or_else(|| not_found(format!("no municipality with code {code}")))?;
        let owner = municipality.county_id.unwrap_or(municipality.id);
        let date = active_on.map(|d| d.0).unwrap_or_else(today);
        let index = counterparts::county_index(ctx, owner, date, Some(municipality.id)).await?;
        let topics = match &topic {
            Some(slug) => vec![topic_by_slug(ctx, "topic", slug).await?],
            None => index.interface_topics(),
        };
        let levels: Vec<db::Level> = match level {
            Some(level) => vec![level.into()],
            None => Level::ALL.iter().map(|l| (*l).into()).collect(),
        };
        Ok(
            counterparts::pairs(&index, &[municipality], &topics, &levels)
                .into_iter()
                .map(pair_object)
                .collect(),
        )
    }

    /// The agreement's promise made checkable for a county (or Helsinki): every
    /// municipality × interface topic × level, whether both sides have named someone on
    /// `activeOn` (default today), with the gaps listed.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        county_id: ID,
        active_on: Option<Date>,
    ) -> ApiResult<CoverageReport> {
        let county = parse_id("countyId", &county_id)?;
        let date = active_on.map(|d| d.0).unwrap_or_else(today);
        let index = counterparts::county_index(ctx, county, date, None).await?;
        let is_county = index.owner.kind == db::OrganisationKind::WellbeingCounty
            || index.owner.county_id == Some(index.owner.id);
        if !is_county {
            return Err(bad_input(
                "countyId",
                "countyId must be a wellbeing services county",
            ));
        }
        let topics = index.interface_topics();
        let levels: Vec<db::Level> = Level::ALL.iter().map(|l| (*l).into()).collect();
        let pairs = counterparts::pairs(&index, &index.municipalities, &topics, &levels);
        let expected = pairs.len();
        let mut gaps = Vec::new();
        for pair in pairs {
            let missing = match (pair.own.is_empty(), pair.county.is_empty()) {
                (false, false) => continue,
                (true, true) => MissingSide::Both,
                (true, false) => MissingSide::Municipality,
                (false, true) => MissingSide::County,
            };
            gaps.push(CoverageGap {
                municipality: Organisation(pair.municipality),
                topic: Topic(pair.topic),
                level: pair.level.into(),
                missing,
            });
        }
        let covered = expected - gaps.len();
        Ok(CoverageReport {
            county: Organisation(index.owner.clone()),
            active_on: date.into(),
            expected: i32::try_from(expected).unwrap_or(i32::MAX),
            covered: i32::try_from(covered).unwrap_or(i32::MAX),
            ratio: if expected == 0 {
                0.0
            } else {
                covered as f64 / expected as f64
            },
            gaps,
        })
    }

    /// Areas, by county and kind; ordered by name.
    async fn areas(
        &self,
        ctx: &Context<'_>,
        county_id: Option<ID>,
        kind: Option<AreaKind>,
    ) -> ApiResult<Vec<Area>> {
        let mut query = area::Entity::find();
        if let Some(county) = &county_id {
            query = query.filter(area::Column::CountyId.eq(parse_id("countyId", county)?));
        }
        if let Some(kind) = kind {
            query = query.filter(area::Column::Kind.eq(db::AreaKind::from(kind)));
        }
        let rows = query
            .order_by_asc(area::Column::NameFi)
            .order_by_asc(area::Column::Id)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Area).collect())
    }

    /// Free-text search over organisations, persons, networks and actions. Case and
    /// accents are ignored (ä = a, ö = o) and Finnish endings tolerated ("kuopion" finds
    /// Kuopio). Organisations come first, then persons, networks and actions, each by name.
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        first: Option<i32>,
    ) -> ApiResult<Vec<SearchResult>> {
        let limit = match first {
            None => 20,
            Some(n) if (1..=50).contains(&n) => n as u64,
            Some(_) => return Err(bad_input("first", "first must be between 1 and 50")),
        };
        if like_patterns(&text).is_empty() {
            return Err(bad_input("text", "text must contain a letter or a digit"));
        }
        if text.chars().count() > 200 {
            return Err(bad_input("text", "text may be at most 200 characters"));
        }
        let db = db(ctx);
        let mut out: Vec<SearchResult> = Vec::new();
        let orgs = organisation::Entity::find()
            .filter(text_condition(organisation::Column::SearchText, &text))
            .order_by_asc(organisation::Column::NameFi)
            .order_by_asc(organisation::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        out.extend(
            orgs.into_iter()
                .map(|o| SearchResult::Organisation(Organisation(o))),
        );
        let persons = person::Entity::find()
            .filter(text_condition(person::Column::SearchText, &text))
            .order_by_asc(person::Column::Name)
            .order_by_asc(person::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        out.extend(persons.into_iter().map(|p| SearchResult::Person(Person(p))));
        let networks = network::Entity::find()
            .filter(text_condition(network::Column::SearchText, &text))
            .order_by_asc(network::Column::NameFi)
            .order_by_asc(network::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        out.extend(
            networks
                .into_iter()
                .map(|n| SearchResult::Network(Network(n))),
        );
        let actions = action::Entity::find()
            .filter(text_condition(action::Column::SearchText, &text))
            .order_by_asc(action::Column::SortOrder)
            .order_by_asc(action::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        out.extend(actions.into_iter().map(|a| SearchResult::Action(Action(a))));
        out.truncate(limit as usize);
        Ok(out)
    }
}

/// Representatives serving municipality `m`: its own (or its units'), those listing it,
/// and county-side ones listing none.
fn serving_condition(m: &organisation::Model) -> Condition {
    let listed = SqlQuery::select()
        .column(representative_municipality::Column::RepresentativeId)
        .from(representative_municipality::Entity)
        .and_where(representative_municipality::Column::MunicipalityId.eq(m.id))
        .to_owned();
    let with_list = SqlQuery::select()
        .column(representative_municipality::Column::RepresentativeId)
        .from(representative_municipality::Entity)
        .to_owned();
    let own_units = SqlQuery::select()
        .column(organisation::Column::Id)
        .from(organisation::Entity)
        .and_where(organisation::Column::ParentId.eq(m.id))
        .to_owned();
    let mut cond = Condition::any()
        .add(representative::Column::OrganisationId.eq(m.id))
        .add(representative::Column::OrganisationId.in_subquery(own_units))
        .add(representative::Column::Id.in_subquery(listed));
    if let Some(county) = m.county_id.filter(|c| *c != m.id) {
        let county_side = SqlQuery::select()
            .column(organisation::Column::Id)
            .from(organisation::Entity)
            .cond_where(
                Condition::any()
                    .add(organisation::Column::ParentId.eq(county))
                    .add(
                        Condition::all()
                            .add(organisation::Column::CountyId.eq(county))
                            .add(
                                organisation::Column::Kind
                                    .eq(db::OrganisationKind::RegionalCouncil),
                            ),
                    ),
            )
            .to_owned();
        cond = cond.add(
            Condition::all()
                .add(
                    Condition::any()
                        .add(representative::Column::OrganisationId.eq(county))
                        .add(representative::Column::OrganisationId.in_subquery(county_side)),
                )
                .add(representative::Column::Id.not_in_subquery(with_list)),
        );
    }
    cond
}

fn pair_object(pair: PairRows) -> CounterpartPair {
    let complete = !pair.own.is_empty() && !pair.county.is_empty();
    CounterpartPair {
        municipality: Organisation(pair.municipality),
        topic: Topic(pair.topic),
        level: pair.level.into(),
        municipality_representatives: pair.own.into_iter().map(Representative).collect(),
        county_representatives: pair.county.into_iter().map(Representative).collect(),
        complete,
    }
}
