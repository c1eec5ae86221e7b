//! A topic a network works on.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A topic a network works on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "network_topic")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub network_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub topic_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
