//! Reading the change feed.

use std::collections::HashMap;

use entity::audit_log;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    ChangeCursor, ChangeFilter, ChangePage, change_of, has_internal_contacts, person_organisation,
};
use crate::auth::owners;
use crate::auth::policy::{self, Principal, Role};
use crate::error::ApiResult;

/// Rows read per statement while looking for matches.
const BATCH: u64 = 200;
/// Most rows one call reads: a filter that matches rarely returns a short page with a
/// cursor past the rows read, instead of reading the whole log.
const MOST_READ: usize = 2000;

/// The changes after `after` (from the start: none) that match `filter`, at most `limit`,
/// in commit order, as `who` may see them (anonymous: `None`). Anyone may read the feed;
/// the contact details of `INTERNAL` persons are withheld as everywhere else.
pub async fn after<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
    after: Option<ChangeCursor>,
    filter: &ChangeFilter,
    limit: usize,
) -> ApiResult<ChangePage> {
    let mut position = after.unwrap_or(ChangeCursor::START);
    let mut changes = Vec::new();
    let mut read = 0;
    let mut visible = Visibility::new(who);
    loop {
        let rows = batch(db, position, filter).await?;
        let exhausted = (rows.len() as u64) < BATCH;
        for row in rows {
            read += 1;
            let cursor = ChangeCursor {
                seq: row.seq.unwrap_or(0),
                sub: row.sub.unwrap_or(0),
            };
            if filter.matches_organisation(&row) {
                let contacts = visible.contacts(db, &row).await?;
                changes.push(change_of(&row, contacts)?);
            }
            position = cursor;
            if changes.len() >= limit || read >= MOST_READ {
                let has_more = more_after(db, position, filter).await?;
                return Ok(page(changes, position, after, has_more));
            }
        }
        if exhausted {
            return Ok(page(changes, position, after, false));
        }
    }
}

/// The last position in the feed now (the start when it is empty): where a follower that
/// wants only what commits from now on begins.
pub async fn latest<C: ConnectionTrait>(db: &C) -> ApiResult<ChangeCursor> {
    let last = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.is_not_null())
        .select_only()
        .column(audit_log::Column::Seq)
        .column(audit_log::Column::Sub)
        .order_by_desc(audit_log::Column::Seq)
        .order_by_desc(audit_log::Column::Sub)
        .limit(1)
        .into_tuple::<(Option<i64>, Option<i32>)>()
        .one(db)
        .await?;
    Ok(match last {
        Some((Some(seq), sub)) => ChangeCursor {
            seq,
            sub: sub.unwrap_or(0),
        },
        _ => ChangeCursor::START,
    })
}

fn page(
    changes: Vec<super::Change>,
    position: ChangeCursor,
    after: Option<ChangeCursor>,
    has_more: bool,
) -> ChangePage {
    let moved = Some(position) != after && position != ChangeCursor::START;
    ChangePage {
        changes,
        end: if moved { Some(position) } else { after },
        has_more,
    }
}

/// The numbered rows after `position` of the types asked for, in commit order.
async fn batch<C: ConnectionTrait>(
    db: &C,
    position: ChangeCursor,
    filter: &ChangeFilter,
) -> ApiResult<Vec<audit_log::Model>> {
    Ok(after_position(position, filter)
        .order_by_asc(audit_log::Column::Seq)
        .order_by_asc(audit_log::Column::Sub)
        .limit(BATCH)
        .all(db)
        .await?)
}

/// Whether any row of the types asked for follows `position`.
async fn more_after<C: ConnectionTrait>(
    db: &C,
    position: ChangeCursor,
    filter: &ChangeFilter,
) -> ApiResult<bool> {
    let next = after_position(position, filter)
        .select_only()
        .column(audit_log::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(next.is_some())
}

fn after_position(
    position: ChangeCursor,
    filter: &ChangeFilter,
) -> sea_orm::Select<audit_log::Entity> {
    let later = Condition::any()
        .add(audit_log::Column::Seq.gt(position.seq))
        .add(
            Condition::all()
                .add(audit_log::Column::Seq.eq(position.seq))
                .add(audit_log::Column::Sub.gt(position.sub)),
        );
    let mut query = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.is_not_null())
        .filter(later);
    if let Some(types) = &filter.types {
        query = query.filter(audit_log::Column::EntityType.is_in(types.clone()));
    }
    query
}

/// Who may see which internal contacts, remembered per organisation for one call.
struct Visibility<'a> {
    who: Option<&'a Principal>,
    by_organisation: HashMap<Option<Uuid>, bool>,
}

impl<'a> Visibility<'a> {
    fn new(who: Option<&'a Principal>) -> Self {
        Visibility {
            who,
            by_organisation: HashMap::new(),
        }
    }

    /// Whether the reader may see the contact details the row holds.
    async fn contacts<C: ConnectionTrait>(
        &mut self,
        db: &C,
        row: &audit_log::Model,
    ) -> ApiResult<bool> {
        if !has_internal_contacts(row) {
            return Ok(true);
        }
        let Some(who) = self.who else {
            return Ok(false);
        };
        if who.role == Role::Admin {
            return Ok(true);
        }
        let org = person_organisation(row);
        if let Some(known) = self.by_organisation.get(&org) {
            return Ok(*known);
        }
        let owners = owners::owned_by(db, org).await?;
        let may = policy::may_read_internal(Some(who), &owners);
        self.by_organisation.insert(org, may);
        Ok(may)
    }
}
