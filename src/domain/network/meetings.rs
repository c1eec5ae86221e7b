//! Meetings of networks. A meeting is written by whoever may write its network.

use entity::{meeting, membership, network};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::network_for_write;
use super::{MeetingFilter, MeetingPatch, NewMeeting, Removed, Target, apply, remove_alone};
use crate::auth::policy::Principal;
use crate::clock::start_of_finnish_day;
use crate::db::audit::Operation;
use crate::db::page::{Window, page_of};
use crate::db::tx;
use crate::error::{ApiResult, bad_input};

/// Meetings of networks `organisation` convenes or holds a seat in.
fn of_organisation(organisation: Uuid) -> Condition {
    let seats = Query::select()
        .column(membership::Column::NetworkId)
        .from(membership::Entity)
        .and_where(membership::Column::OrganisationId.eq(organisation))
        .to_owned();
    let convened = Query::select()
        .column(network::Column::Id)
        .from(network::Entity)
        .and_where(network::Column::ConvenerId.eq(organisation))
        .to_owned();
    Condition::any()
        .add(meeting::Column::NetworkId.in_subquery(seats))
        .add(meeting::Column::NetworkId.in_subquery(convened))
}

/// Meetings matching `filter`, earliest first, and how many match.
pub async fn list(
    db: &DatabaseConnection,
    filter: MeetingFilter,
    window: Window,
) -> ApiResult<(Vec<meeting::Model>, u64)> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(bad_input("filter.to", "to is before from"));
    }
    let mut query = meeting::Entity::find();
    if let Some(from) = filter.from {
        query = query.filter(meeting::Column::StartsAt.gte(start_of_finnish_day(from)));
    }
    if let Some(to) = filter.to {
        let end = to.succ_opt().map(start_of_finnish_day);
        query = query.filter(meeting::Column::StartsAt.lt(end));
    }
    if let Some(network) = filter.network_id {
        query = query.filter(meeting::Column::NetworkId.eq(network));
    }
    if let Some(org) = filter.organisation_id {
        query = query.filter(of_organisation(org));
    }
    let query = query
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id);
    page_of(db, query, window).await
}

/// `BAD_USER_INPUT` when a meeting ends before it starts.
fn check_times(row: &meeting::Model) -> ApiResult<()> {
    match row.ends_at {
        Some(end) if end < row.starts_at => Err(bad_input(
            "input.endsAt",
            "the meeting ends before it starts",
        )),
        _ => Ok(()),
    }
}

/// Schedules a meeting of a network the caller may write; audited.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewMeeting,
) -> ApiResult<meeting::Model> {
    let now = chrono::Utc::now();
    let row = meeting::Model {
        id: Uuid::new_v4(),
        network_id: new.network_id,
        title: new.title,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        location: new.location,
        agenda_url: new.agenda_url,
        minutes_url: new.minutes_url,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    check_times(&row)?;
    let tx = tx::begin(db).await?;
    network_for_write(&tx, who, "input.networkId", new.network_id).await?;
    let created = tx::insert(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Changes a meeting; it may not end before it starts.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: MeetingPatch,
) -> ApiResult<meeting::Model> {
    let (tx, before) = tx::lock_for_update::<meeting::Model>(db, patch.id, patch.version).await?;
    network_for_write(&tx, who, "input.id", before.network_id).await?;
    let mut after = before.clone();
    after.title = apply(after.title, patch.title);
    if let Some(start) = patch.starts_at {
        after.starts_at = start;
    }
    after.ends_at = apply(after.ends_at, patch.ends_at);
    check_times(&after)?;
    after.location = apply(after.location, patch.location);
    after.agenda_url = apply(after.agenda_url, patch.agenda_url);
    after.minutes_url = apply(after.minutes_url, patch.minutes_url);
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Deletes a meeting; audited.
pub async fn delete(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<Removed> {
    let (tx, row) = tx::lock_for_update::<meeting::Model>(db, target.id, target.version).await?;
    network_for_write(&tx, who, "input.id", row.network_id).await?;
    remove_alone(tx, who, &row).await
}
