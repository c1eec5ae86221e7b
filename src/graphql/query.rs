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
