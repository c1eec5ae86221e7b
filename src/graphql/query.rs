//! The root query fields of the public contract.

use std::str::FromStr;

use super::scalars::Date;
use async_graphql::{Context, ID, InputObject, Object};
use entity::enums as db;
use entity::*;
use sea_orm::sea_query::Query as SqlQuery;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

use super::counterparts::{self, PairRows};
use super::enums::*;
use super::paging::{List, Page};
use super::types::*;
use super::{active_date, db, loaders, today};
use crate::db::loaders::{ActionById, NetworkById, valid_on};
use crate::domain::reference::service as reference;
use crate::domain::search::text_condition;
use crate::error::*;

/// Parses an `ID` argument.
fn parse_id(field: &str, id: &ID) -> ApiResult<Uuid> {
    Uuid::from_str(id.as_str()).map_err(|_| bad_input(field, format!("{field} is not a valid id")))
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
fn municipality_code(field: &str, code: &str) -> ApiResult<String> {
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
    reference::topic_by_slug(db(ctx), field, slug).await
}

/// Ids of a topic and every topic below it.
async fn topic_and_descendants(ctx: &Context<'_>, root: Uuid) -> ApiResult<Vec<Uuid>> {
    reference::topic_and_descendants(db(ctx), root).await
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

/// Which networks to list.
#[derive(InputObject, Default)]
pub struct NetworkFilter {
    /// Only these kinds.
    pub kind: Option<Vec<NetworkKind>>,
    /// Networks of this county.
    pub county_id: Option<ID>,
    /// Working on this topic (slug), its sub-topics included.
    pub topic: Option<String>,
    /// At this level.
    pub level: Option<Level>,
    /// Convened by this organisation.
    pub convener_id: Option<ID>,
    /// Where this organisation holds a seat or whose area it belongs to.
    pub member_id: Option<ID>,
    /// Where the municipality with this code holds a seat or whose area it belongs to.
    pub municipality_code: Option<String>,
    /// Working under this network.
    pub parent_id: Option<ID>,
    /// Only networks not under another network.
    pub top_level_only: Option<bool>,
    /// Existing on this day; default today.
    pub active_on: Option<Date>,
    /// List ended networks too, ignoring `activeOn`.
    pub include_inactive: Option<bool>,
    /// Words that must all appear in the name.
    pub text: Option<String>,
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

/// Which actions to list.
#[derive(InputObject, Default)]
pub struct ActionFilter {
    /// Under this goal.
    pub goal_id: Option<ID>,
    /// Of this agreement.
    pub agreement_id: Option<ID>,
    /// On this topic (slug), its sub-topics included.
    pub topic: Option<String>,
    /// In these statuses.
    pub status: Option<Vec<ActionStatus>>,
    /// Only open (planned or in progress) actions when true, only closed ones when false.
    pub open: Option<bool>,
    /// With this organisation among the responsible ones.
    pub responsible_organisation_id: Option<ID>,
    /// Only actions whose responsibility is not assigned yet when true.
    pub unassigned: Option<bool>,
    /// Words that must all appear in the title or description.
    pub text: Option<String>,
}

/// Read access to the whole domain.
#[derive(Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
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
        let mut query = network::Entity::find();
        if let Some(kinds) = filter.kind {
            let kinds: Vec<db::NetworkKind> = kinds.into_iter().map(Into::into).collect();
            query = query.filter(network::Column::Kind.is_in(kinds));
        }
        if let Some(county) = &filter.county_id {
            query =
                query.filter(network::Column::CountyId.eq(parse_id("filter.countyId", county)?));
        }
        if let Some(slug) = &filter.topic {
            let topic = topic_by_slug(ctx, "filter.topic", slug).await?;
            let ids = topic_and_descendants(ctx, topic.id).await?;
            query = query.filter(
                network::Column::Id.in_subquery(
                    SqlQuery::select()
                        .column(network_topic::Column::NetworkId)
                        .from(network_topic::Entity)
                        .and_where(network_topic::Column::TopicId.is_in(ids))
                        .to_owned(),
                ),
            );
        }
        if let Some(level) = filter.level {
            query = query.filter(network::Column::Level.eq(db::Level::from(level)));
        }
        if let Some(convener) = &filter.convener_id {
            query = query
                .filter(network::Column::ConvenerId.eq(parse_id("filter.convenerId", convener)?));
        }
        let member = match (&filter.member_id, &filter.municipality_code) {
            (Some(_), Some(_)) => {
                return Err(bad_input(
                    "filter.municipalityCode",
                    "give memberId or municipalityCode, not both",
                ));
            }
            (Some(id), None) => Some(parse_id("filter.memberId", id)?),
            (None, Some(code)) => {
                let code = municipality_code("filter.municipalityCode", code)?;
                Some(
                    organisation::Entity::find()
                        .filter(organisation::Column::MunicipalityCode.eq(code))
                        .one(db(ctx))
                        .await?
                        .ok_or_else(|| {
                            bad_input("filter.municipalityCode", "no municipality with this code")
                        })?
                        .id,
                )
            }
            (None, None) => None,
        };
        let date = active_date(filter.active_on, filter.include_inactive.unwrap_or(false));
        if let Some(member) = member {
            let mut seats = SqlQuery::select();
            seats
                .column(membership::Column::NetworkId)
                .from(membership::Entity)
                .and_where(membership::Column::OrganisationId.eq(member));
            if let Some(date) = date {
                seats.cond_where(valid_on(
                    membership::Column::ValidFrom,
                    membership::Column::ValidTo,
                    date,
                ));
            }
            query = query.filter(
                Condition::any()
                    .add(network::Column::Id.in_subquery(seats.to_owned()))
                    .add(
                        network::Column::AreaId.in_subquery(
                            SqlQuery::select()
                                .column(area_municipality::Column::AreaId)
                                .from(area_municipality::Entity)
                                .and_where(area_municipality::Column::MunicipalityId.eq(member))
                                .to_owned(),
                        ),
                    ),
            );
        }
        if let Some(parent) = &filter.parent_id {
            query =
                query.filter(network::Column::ParentId.eq(parse_id("filter.parentId", parent)?));
        }
        if filter.top_level_only.unwrap_or(false) {
            query = query.filter(network::Column::ParentId.is_null());
        }
        if let Some(date) = date {
            query = query.filter(valid_on(
                network::Column::ValidFrom,
                network::Column::ValidTo,
                date,
            ));
        }
        if let Some(text) = &filter.text {
            query = query.filter(text_condition(network::Column::SearchText, text));
        }
        let query = query
            .order_by_asc(network::Column::NameFi)
            .order_by_asc(network::Column::Id);
        let (rows, total) = page_of(ctx, query, page).await?;
        loaders(ctx)
            .feed_many(rows.iter().map(|n| (NetworkById(n.id), n.clone())))
            .await;
        Ok(page.connection(rows.into_iter().map(Network).collect(), total))
    }

    /// One network by id.
    async fn network(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Network>> {
        Ok(network::Entity::find_by_id(parse_id("id", &id)?)
            .one(db(ctx))
            .await?
            .map(Network))
    }

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
        let filter = filter.unwrap_or_default();
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && to < from
        {
            return Err(bad_input("filter.to", "to is before from"));
        }
        let mut query = meeting::Entity::find();
        if let Some(from) = filter.from {
            let start = crate::clock::start_of_finnish_day(from.0);
            query = query.filter(meeting::Column::StartsAt.gte(start));
        }
        if let Some(to) = filter.to {
            let end = to.0.succ_opt().map(crate::clock::start_of_finnish_day);
            query = query.filter(meeting::Column::StartsAt.lt(end));
        }
        if let Some(network) = &filter.network_id {
            query =
                query.filter(meeting::Column::NetworkId.eq(parse_id("filter.networkId", network)?));
        }
        if let Some(org) = &filter.organisation_id {
            let org = parse_id("filter.organisationId", org)?;
            query = query.filter(
                Condition::any()
                    .add(
                        meeting::Column::NetworkId.in_subquery(
                            SqlQuery::select()
                                .column(membership::Column::NetworkId)
                                .from(membership::Entity)
                                .and_where(membership::Column::OrganisationId.eq(org))
                                .to_owned(),
                        ),
                    )
                    .add(
                        meeting::Column::NetworkId.in_subquery(
                            SqlQuery::select()
                                .column(network::Column::Id)
                                .from(network::Entity)
                                .and_where(network::Column::ConvenerId.eq(org))
                                .to_owned(),
                        ),
                    ),
            );
        }
        let query = query
            .order_by_asc(meeting::Column::StartsAt)
            .order_by_asc(meeting::Column::Id);
        let (rows, total) = page_of(ctx, query, page).await?;
        Ok(page.connection(rows.into_iter().map(Meeting).collect(), total))
    }

    /// The shared goals of an agreement, or of every agreement, in order.
    async fn goals(&self, ctx: &Context<'_>, agreement_id: Option<ID>) -> ApiResult<Vec<Goal>> {
        let mut query = goal::Entity::find();
        if let Some(agreement) = &agreement_id {
            query = query.filter(goal::Column::AgreementId.eq(parse_id("agreementId", agreement)?));
        }
        let rows = query
            .order_by_asc(goal::Column::AgreementId)
            .order_by_asc(goal::Column::SortOrder)
            .order_by_asc(goal::Column::Id)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Goal).collect())
    }

    /// Actions of the programme, filtered; in the programme's order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActionFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Action>> {
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut query = action::Entity::find();
        if let Some(goal) = &filter.goal_id {
            query = query.filter(action::Column::GoalId.eq(parse_id("filter.goalId", goal)?));
        }
        if let Some(agreement) = &filter.agreement_id {
            query = query.filter(
                action::Column::GoalId.in_subquery(
                    SqlQuery::select()
                        .column(goal::Column::Id)
                        .from(goal::Entity)
                        .and_where(
                            goal::Column::AgreementId
                                .eq(parse_id("filter.agreementId", agreement)?),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(slug) = &filter.topic {
            let topic = topic_by_slug(ctx, "filter.topic", slug).await?;
            let ids = topic_and_descendants(ctx, topic.id).await?;
            query = query.filter(action::Column::TopicId.is_in(ids));
        }
        if let Some(statuses) = filter.status {
            let statuses: Vec<db::ActionStatus> = statuses.into_iter().map(Into::into).collect();
            query = query.filter(action::Column::Status.is_in(statuses));
        }
        if let Some(open) = filter.open {
            let open_statuses = [db::ActionStatus::Planned, db::ActionStatus::InProgress];
            query = if open {
                query.filter(action::Column::Status.is_in(open_statuses))
            } else {
                query.filter(action::Column::Status.is_not_in(open_statuses))
            };
        }
        if let Some(org) = &filter.responsible_organisation_id {
            let org = parse_id("filter.responsibleOrganisationId", org)?;
            query = query.filter(
                action::Column::Id.in_subquery(
                    SqlQuery::select()
                        .column(action_organisation::Column::ActionId)
                        .from(action_organisation::Entity)
                        .and_where(action_organisation::Column::OrganisationId.eq(org))
                        .to_owned(),
                ),
            );
        }
        if let Some(unassigned) = filter.unassigned {
            let with_party = SqlQuery::select()
                .column(action_organisation::Column::ActionId)
                .from(action_organisation::Entity)
                .to_owned();
            query = if unassigned {
                query.filter(action::Column::Id.not_in_subquery(with_party))
            } else {
                query.filter(action::Column::Id.in_subquery(with_party))
            };
        }
        if let Some(text) = &filter.text {
            query = query.filter(text_condition(action::Column::SearchText, text));
        }
        let query = query
            .order_by_asc(action::Column::GoalId)
            .order_by_asc(action::Column::TopicId)
            .order_by_asc(action::Column::SortOrder)
            .order_by_asc(action::Column::Id);
        let (rows, total) = page_of(ctx, query, page).await?;
        loaders(ctx)
            .feed_many(rows.iter().map(|a| (ActionById(a.id), a.clone())))
            .await;
        Ok(page.connection(rows.into_iter().map(Action).collect(), total))
    }

    /// One action by id.
    async fn action(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Action>> {
        Ok(action::Entity::find_by_id(parse_id("id", &id)?)
            .one(db(ctx))
            .await?
            .map(Action))
    }

    /// Every agreement, newest first.
    async fn agreements(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agreement>> {
        let rows = agreement::Entity::find()
            .order_by_desc(agreement::Column::ValidFrom)
            .order_by_asc(agreement::Column::Id)
            .all(db(ctx))
            .await?;
        Ok(rows.into_iter().map(Agreement).collect())
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
