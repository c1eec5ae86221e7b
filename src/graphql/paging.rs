//! Relay cursor connections over offset pages. Every list is ordered by a total order that
//! ends in the row id, so a cursor always points at the same place in an unchanged list.

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use async_graphql::{OutputType, SimpleObject};

use crate::error::*;

/// Page size when `first` is not given.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// The opaque cursor of a list position.
pub type Cursor = OpaqueCursor<u64>;

/// Fields every connection has besides its edges.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ListInfo {
    /// How many items match the filter, on all pages together.
    pub total_count: u64,
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
        let end = self.offset + rows.len() as u64;
        let mut connection = Connection::with_additional_fields(
            self.offset > 0 && total > 0,
            end < total,
            ListInfo { total_count: total },
        );
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
