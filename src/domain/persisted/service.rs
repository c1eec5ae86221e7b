//! Stored persisted queries: registering documents (idempotent: a document registered again
//! keeps its first row) and finding one by its hash.

use chrono::Utc;
use entity::persisted_query;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue, ConnectionTrait, DatabaseConnection, EntityTrait};

use super::{DocumentHash, Source};
use crate::db::tx;
use crate::error::ApiResult;

/// Stores `documents` by their hashes in one write transaction (which tells every API node,
/// see [`tx::commit`]); documents stored before are left as they are. Returns how many
/// were new.
pub async fn register(
    db: &DatabaseConnection,
    documents: &[&str],
    source: Source,
) -> ApiResult<usize> {
    let tx = tx::begin(db).await?;
    let now = Utc::now();
    let mut added = 0;
    for document in documents {
        let row = persisted_query::ActiveModel {
            hash: ActiveValue::Set(DocumentHash::of(document).as_str().to_owned()),
            document: ActiveValue::Set((*document).to_owned()),
            source: ActiveValue::Set(source.as_str().to_owned()),
            created_at: ActiveValue::Set(now),
        };
        let inserted = persisted_query::Entity::insert(row)
            .on_conflict(
                OnConflict::column(persisted_query::Column::Hash)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
        added += usize::from(inserted > 0);
    }
    tx::commit(tx).await?;
    Ok(added)
}

/// The stored document with `hash`, if any.
pub async fn find(db: &impl ConnectionTrait, hash: &DocumentHash) -> ApiResult<Option<String>> {
    Ok(
        persisted_query::Entity::find_by_id(hash.as_str().to_owned())
            .one(db)
            .await?
            .map(|row| row.document),
    )
}
