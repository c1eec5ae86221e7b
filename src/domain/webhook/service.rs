//! Registering, listing and removing webhooks, and reading their deliveries: the admins'.

use chrono::Utc;
use entity::{webhook, webhook_delivery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{NewWebhook, generate_secret};
use crate::auth::guard::enforce;
use crate::auth::policy::{self, Principal};
use crate::error::{ApiResult, not_found};

/// Registers a webhook to `url` for changes of `types` (checked by [`NewWebhook::parse`])
/// with a new secret. The returned row carries the secret: the caller shows it once;
/// nothing reads it out again.
pub async fn register<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
    url: &str,
    types: Vec<String>,
) -> ApiResult<webhook::Model> {
    enforce(policy::admin_only(who), "webhooks")?;
    let new = NewWebhook::parse(url, types)?;
    let created_by = who.map(|p| p.sub.clone()).unwrap_or_default();
    let row = webhook::Model {
        id: Uuid::new_v4(),
        url: new.url,
        types: serde_json::json!(new.types),
        secret: generate_secret(),
        created_by,
        created_at: Utc::now(),
    };
    Ok(row.into_active_model().insert(db).await?)
}

/// Every webhook, oldest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
) -> ApiResult<Vec<webhook::Model>> {
    enforce(policy::admin_only(who), "webhooks")?;
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::CreatedAt)
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// Removes a webhook with its deliveries (those still pending are not sent).
pub async fn delete(db: &DatabaseConnection, who: Option<&Principal>, id: Uuid) -> ApiResult<()> {
    enforce(policy::admin_only(who), "webhooks")?;
    let tx = db.begin_with_options(crate::db::tx::WRITE).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(&tx)
        .await?;
    let removed = webhook::Entity::delete_by_id(id).exec(&tx).await?;
    if removed.rows_affected == 0 {
        return Err(not_found(format!("no webhook with id {id}")));
    }
    tx.commit().await?;
    Ok(())
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub webhook: Option<Uuid>,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub state: Option<&'static str>,
}

/// One page of deliveries, newest change first, with the total.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
    filter: DeliveryFilter,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<webhook_delivery::Model>, u64)> {
    enforce(policy::admin_only(who), "webhook deliveries")?;
    let mut query = webhook_delivery::Entity::find();
    if let Some(hook) = filter.webhook {
        query = query.filter(webhook_delivery::Column::WebhookId.eq(hook));
    }
    if let Some(state) = filter.state {
        query = query.filter(webhook_delivery::Column::State.eq(state));
    }
    let query = query
        .order_by_desc(webhook_delivery::Column::Seq)
        .order_by_desc(webhook_delivery::Column::Sub)
        .order_by_desc(webhook_delivery::Column::Id);
    let total = query.clone().count(db).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}
