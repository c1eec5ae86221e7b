//! One page of a filtered, ordered list and the list's total.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

use crate::error::ApiResult;

/// Which rows of a list to read: skip `offset`, return at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// Reads the rows of `query` inside `window` and how many rows the whole list has.
pub async fn page_of<E, C>(
    db: &C,
    query: Select<E>,
    window: Window,
) -> ApiResult<(Vec<E::Model>, u64)>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = query.clone().count(db).await?;
    let rows = if window.limit == 0 || window.offset >= total {
        Vec::new()
    } else {
        query
            .offset(window.offset)
            .limit(window.limit)
            .all(db)
            .await?
    };
    Ok((rows, total))
}
