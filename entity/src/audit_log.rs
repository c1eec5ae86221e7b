//! One successful write: who, when, what, before and after.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One successful write: who, when, what, before and after.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub actor_sub: String,
    pub actor_name: Option<String>,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub operation: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// The commit number of the write (see the change feed); set as the write commits.
    pub seq: Option<i64>,
    /// The row's place among the rows of its write.
    pub sub: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
