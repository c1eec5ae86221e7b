//! A registered GraphQL document, named by its SHA-256.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A GraphQL document registered by the CLI or built into the server.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "persisted_query")]
pub struct Model {
    /// Lowercase hex of the document's SHA-256.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    /// The document, exactly as registered.
    pub document: String,
    /// Who registered it: `cli` or `builtin`.
    pub source: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
