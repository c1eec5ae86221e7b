//! The GraphQL face of the change feed: `changes(after:, types:, organisationId:)` and the
//! `Change` type (also what a subscription would send).

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::context::{db, parse_opt_id, viewer};
use super::paging::MAX_PAGE;
use crate::domain::changes::{self, ChangeCursor, ChangeFilter, FieldChange as FieldChangeRow};
use crate::error::{ApiResult, bad_input, internal};

/// A type of row the change feed carries.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EntityType {
    /// An organisation (municipality, county, unit, association).
    Organisation,
    /// A person (henkilö).
    Person,
    /// A representative (yhdyshenkilö) of an organisation on a topic.
    Representative,
    /// A cooperation network (verkosto).
    Network,
    /// A seat in a network (jäsenyys).
    NetworkMembership,
    /// A meeting of a network (kokous).
    Meeting,
    /// An action of a cooperation programme (toimenpide).
    Action,
    /// A progress report of an action (edistymisraportti).
    ProgressReport,
}

impl EntityType {
    /// The name the audit log stores.
    pub fn as_str(self) -> &'static str {
        use EntityType::*;
        match self {
            Organisation => "Organisation",
            Person => "Person",
            Representative => "Representative",
            Network => "Network",
            NetworkMembership => "NetworkMembership",
            Meeting => "Meeting",
            Action => "Action",
            ProgressReport => "ProgressReport",
        }
    }

    /// The type of a stored name.
    pub fn from_stored(name: &str) -> ApiResult<EntityType> {
        use EntityType::*;
        [
            Organisation,
            Person,
            Representative,
            Network,
            NetworkMembership,
            Meeting,
            Action,
            ProgressReport,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
        .ok_or_else(|| internal(format!("an unknown entity type {name:?} in the audit log")))
    }
}

/// One field a write changed. The e-mail and phone of an `INTERNAL` person are listed
/// with `hidden: true` and null values for callers who may not read them.
#[derive(SimpleObject, Clone)]
pub struct FieldChange {
    /// The field's name as the API spells it (`organisationId`).
    pub field: String,
    /// The value before the write (null: none, or hidden).
    pub before: Option<Json<serde_json::Value>>,
    /// The value after the write (null: none, or hidden).
    pub after: Option<Json<serde_json::Value>>,
    /// Whether the values are withheld from this caller.
    pub hidden: bool,
}

impl From<FieldChangeRow> for FieldChange {
    fn from(f: FieldChangeRow) -> Self {
        FieldChange {
            field: f.field,
            before: f.before.map(Json),
            after: f.after.map(Json),
            hidden: f.hidden,
        }
    }
}

/// One committed write, in commit order.
#[derive(Clone)]
pub struct Change(pub changes::Change);

/// One committed write: which row of which type, how, when and the fields that changed.
#[Object]
impl Change {
    /// Where this change sits in the feed: pass it as `after` to read what follows. The
    /// same on every node and after restarts.
    async fn cursor(&self) -> String {
        self.0.cursor.to_string()
    }
    /// The type of the row written.
    async fn entity_type(&self) -> ApiResult<EntityType> {
        EntityType::from_stored(&self.0.entity_type)
    }
    /// The row written.
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// `CREATE`, `UPDATE`, `END`, `DELETE` or `CONFIRM`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// When the write happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The fields whose values differ before and after (every field of a created or
    /// deleted row), by name; `version` and `updatedAt` change on every write.
    async fn fields(&self) -> Vec<FieldChange> {
        self.0
            .fields
            .iter()
            .cloned()
            .map(FieldChange::from)
            .collect()
    }
}

/// A page of the change feed.
#[derive(SimpleObject)]
pub struct ChangeConnection {
    /// The changes, in commit order.
    pub nodes: Vec<Change>,
    /// Where to resume: pass as `after`. It may lie past the last node when rows that did
    /// not match the filter were read; null when nothing has been read yet.
    pub end_cursor: Option<String>,
    /// Whether changes follow `endCursor` (of the types asked for).
    pub has_next_page: bool,
}

/// The change feed query.
#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// The changes committed after `after` (from the start when null), oldest first: what an
    /// integrator reads to keep a copy current, resuming from the `endCursor` it kept. Only
    /// `types` when given; only `organisationId`'s rows when given (the organisation, its
    /// units, and rows naming it as their organisation or convener). A page may hold fewer
    /// than `first` changes when the filter skips many rows; follow `endCursor` while
    /// `hasNextPage`. Anyone may read it; personal data as elsewhere in the API.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        types: Option<Vec<EntityType>>,
        organisation_id: Option<ID>,
        #[graphql(desc = "At most this many changes (default 20, at most 100).")] first: Option<
            i32,
        >,
    ) -> ApiResult<ChangeConnection> {
        let limit = match first {
            None => 20,
            Some(n) if n < 1 || n as u64 > MAX_PAGE => {
                return Err(bad_input("first", format!("first must be 1 to {MAX_PAGE}")));
            }
            Some(n) => n as usize,
        };
        let after = after
            .map(|a| ChangeCursor::parse("after", &a))
            .transpose()?;
        let types = types.map(|t| t.into_iter().map(|t| t.as_str().to_owned()).collect());
        let organisation = parse_opt_id("organisationId", &organisation_id)?;
        let filter = ChangeFilter::new(types, organisation)?;
        let who = viewer(ctx).principal();
        let page = changes::service::after(db(ctx), who, after, &filter, limit).await?;
        Ok(ChangeConnection {
            nodes: page.changes.into_iter().map(Change).collect(),
            end_cursor: page.end.map(|c| c.to_string()),
            has_next_page: page.has_more,
        })
    }
}
