//! The GraphQL face of webhooks: the admins' `registerWebhook`, `deleteWebhook`, `webhooks`
//! and `webhookDeliveries`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery};

use super::changes::EntityType;
use super::context::{db, parse_id, parse_opt_id, viewer};
use super::paging::{List, Page};
use crate::domain::webhook as hooks;
use crate::domain::webhook::service::{self, DeliveryFilter};
use crate::error::ApiResult;

row_object!(
    /// A webhook row; described on its `#[Object] impl`.
    Webhook, webhook
);

/// A URL told of every change of the entity types it subscribed to, by a signed POST (see
/// the README: Keeping portals current). Its secret is shown only at registration.
#[Object]
impl Webhook {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The entity types whose changes are sent.
    async fn types(&self) -> ApiResult<Vec<EntityType>> {
        let names = self.0.types.as_array().cloned().unwrap_or_default();
        names
            .iter()
            .filter_map(|n| n.as_str())
            .map(EntityType::from_stored)
            .collect()
    }
    /// The `sub` of the admin who registered it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not yet accepted; retried at `nextAttemptAt`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after the last attempt.
    Failed,
}

impl DeliveryState {
    fn stored(self) -> &'static str {
        match self {
            DeliveryState::Pending => hooks::PENDING,
            DeliveryState::Delivered => hooks::DELIVERED,
            DeliveryState::Failed => hooks::FAILED,
        }
    }
}

row_object!(
    /// A delivery row; described on its `#[Object] impl`.
    WebhookDelivery, webhook_delivery
);

/// One change sent (or to be sent) to one webhook, with its delivery state.
#[Object]
impl WebhookDelivery {
    /// Stable id; also the `webhook-id` header, the same on every attempt.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The webhook.
    async fn webhook_id(&self) -> ID {
        ID(self.0.webhook_id.to_string())
    }
    /// The change's cursor in the change feed.
    async fn cursor(&self) -> String {
        format!("{}.{}", self.0.seq, self.0.sub)
    }
    /// The type of the row changed.
    async fn entity_type(&self) -> ApiResult<EntityType> {
        EntityType::from_stored(&self.0.entity_type)
    }
    /// `PENDING`, `DELIVERED` or `FAILED`.
    async fn state(&self) -> DeliveryState {
        match self.0.state.as_str() {
            hooks::DELIVERED => DeliveryState::Delivered,
            hooks::FAILED => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The HTTP status of the last attempt (null: none, or no answer).
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }
    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the next attempt is due (while `PENDING`).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.state == hooks::PENDING).then_some(self.0.next_attempt_at)
    }
    /// When the receiver accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// When the change committed and the delivery was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A webhook to register.
#[derive(InputObject)]
pub struct RegisterWebhookInput {
    /// An `http` or `https` URL to POST deliveries to.
    pub url: String,
    /// The entity types whose changes to send (at least one).
    pub types: Vec<EntityType>,
}

/// A registered webhook and its signing secret.
#[derive(SimpleObject)]
pub struct RegisteredWebhook {
    /// The webhook.
    pub webhook: Webhook,
    /// The signing secret (`whsec_…`): shown now and never again; keep it.
    pub secret: String,
}

/// The id of a removed webhook.
#[derive(SimpleObject)]
pub struct DeletedWebhook {
    /// The removed webhook's id.
    pub id: ID,
}

/// The webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every webhook, oldest first. Admins only.
    async fn webhooks(&self, ctx: &Context<'_>) -> ApiResult<Vec<Webhook>> {
        let rows = service::list(db(ctx), viewer(ctx).principal()).await?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    /// Deliveries, newest change first, optionally of one webhook or in one state.
    /// Admins only.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: Option<ID>,
        state: Option<DeliveryState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<WebhookDelivery>> {
        let page = Page::new(first, after)?;
        let filter = DeliveryFilter {
            webhook: parse_opt_id("webhookId", &webhook_id)?,
            state: state.map(DeliveryState::stored),
        };
        let who = viewer(ctx).principal();
        let (rows, total) =
            service::deliveries(db(ctx), who, filter, page.offset, page.limit).await?;
        Ok(page.connection(rows.into_iter().map(WebhookDelivery::from).collect(), total))
    }
}

/// The webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a URL to be told of changes of `types`; the answer holds its signing
    /// secret, shown only this once. Admins only.
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        input: RegisterWebhookInput,
    ) -> ApiResult<RegisteredWebhook> {
        let types = input.types.iter().map(|t| t.as_str().to_owned()).collect();
        let who = viewer(ctx).principal();
        let row = service::register(db(ctx), who, &input.url, types).await?;
        let secret = row.secret.clone();
        Ok(RegisteredWebhook {
            webhook: Webhook::from(row),
            secret,
        })
    }

    /// Removes a webhook; its pending deliveries are not sent. Admins only.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> ApiResult<DeletedWebhook> {
        let webhook = parse_id("id", &id)?;
        service::delete(db(ctx), viewer(ctx).principal(), webhook).await?;
        Ok(DeletedWebhook { id })
    }
}
