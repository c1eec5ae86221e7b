//! Relay cursor connections over offset pages. Every list is ordered by a total order that
//! ends in the row id, so a cursor always points at the same place in an unchanged list.

use std::sync::Arc;

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use async_graphql::{Context, Object, OutputType};
use futures_util::future::BoxFuture;

use crate::db::loaders::{LoadError, Loaders};
use crate::error::*;

/// Page size when `first` is not given.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// The opaque cursor of a list position.
pub type Cursor = OpaqueCursor<u64>;

/// A count that is read only when a query asks for it.
pub trait Count: Send + Sync {
    /// Reads the count through the request's loaders (batched with its siblings).
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, LoadError>>;
}

/// The total of a list: known from the page, or counted when asked for.
#[derive(Clone)]
pub enum Total {
    /// Already known.
    Known(u64),
    /// Counted by a statement if `totalCount` is selected.
    Counted(Arc<dyn Count>),
}

/// Fields every connection has besides its edges.
pub struct ListInfo {
    total: Total,
}

#[Object]
impl ListInfo {
    /// How many items match the filter, on all pages together.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        match &self.total {
            Total::Known(n) => Ok(*n),
            Total::Counted(count) => Ok(count.count(ctx.data_unchecked::<Loaders>()).await?),
        }
    }
}

/// A connection of `T` with `totalCount`.
pub type List<T> = Connection<Cursor, T, ListInfo>;

/// Which rows a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

impl Page {
    /// Reads `first` and `after`, rejecting negative or too large sizes and foreign cursors.
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Page> {
        let limit = match first {
            None => DEFAULT_PAGE,
            Some(n) if n < 0 => {
                return Err(bad_input("first", "first must not be negative"));
            }
            Some(n) if n as u64 > MAX_PAGE => {
                return Err(bad_input(
                    "first",
                    format!("first may be at most {MAX_PAGE}"),
                ));
            }
            Some(n) => n as u64,
        };
        let offset = match after {
            None => 0,
            Some(cursor) => Cursor::decode_cursor(&cursor)
                .map_err(|_| bad_input("after", "after is not a cursor of this list"))?
                .0
                .checked_add(1)
                .ok_or_else(|| bad_input("after", "after is not a cursor of this list"))?,
        };
        Ok(Page { offset, limit })
    }

    /// The rows to read, as the services take them.
    pub fn window(self) -> crate::db::page::Window {
        crate::db::page::Window {
            offset: self.offset,
            limit: self.limit,
        }
    }

    /// Builds the connection for `rows` read at this page out of `total`.
    pub fn connection<T: OutputType>(self, rows: Vec<T>, total: u64) -> List<T> {
        let more = self.offset + (rows.len() as u64) < total;
        self.build(
            rows,
            self.offset > 0 && total > 0,
            more,
            Total::Known(total),
        )
    }

    /// Builds the connection for `rows` read at this page, `more` saying whether rows
    /// follow it.
    pub fn connection_with<T: OutputType>(self, rows: Vec<T>, more: bool, total: Total) -> List<T> {
        self.build(rows, self.offset > 0, more, total)
    }

    fn build<T: OutputType>(
        self,
        rows: Vec<T>,
        previous: bool,
        more: bool,
        total: Total,
    ) -> List<T> {
        let mut connection = Connection::with_additional_fields(previous, more, ListInfo { total });
        connection.edges.extend(
            rows.into_iter()
                .enumerate()
                .map(|(i, node)| Edge::new(OpaqueCursor(self.offset + i as u64), node)),
        );
        connection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_cursors() {
        assert_eq!(
            Page::new(None, None).unwrap(),
            Page {
                offset: 0,
                limit: 20
            }
        );
        let cursor = OpaqueCursor(4u64).encode_cursor();
        assert_eq!(
            Page::new(Some(5), Some(cursor)).unwrap(),
            Page {
                offset: 5,
                limit: 5
            }
        );
    }

    fn field_of(err: &crate::error::ApiError) -> String {
        match err {
            crate::error::ApiError::BadInput(e) => e.field.clone(),
            other => panic!("not an input error: {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_sizes_and_cursors() {
        let err = Page::new(Some(-1), None).unwrap_err();
        assert_eq!(field_of(&err), "first");
        assert!(Page::new(Some(101), None).is_err());
        let err = Page::new(None, Some("not-a-cursor".into())).unwrap_err();
        assert_eq!(field_of(&err), "after");
    }
}
