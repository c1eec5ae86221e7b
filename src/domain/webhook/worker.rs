//! The delivery worker: a task of `serve` that sends the outbox rows that are due.
//!
//! It wakes when this process commits a write and at every poll interval (for rows other
//! nodes wrote). It claims due rows in a short transaction by moving their next attempt to
//! twice the send timeout ahead (a lease), on PostgreSQL with `FOR UPDATE SKIP LOCKED` so several nodes
//! claim different rows (SQLite has one writer). It then sends each, and records the
//! outcome: `DELIVERED` on a 2xx answer; otherwise the next attempt after an exponential
//! backoff, or `FAILED` after the last attempt. A process that dies while sending leaves
//! the row claimed until the lease ends; then it is sent again, with the same `webhook-id`.

use std::time::Duration;

use chrono::Utc;
use entity::{audit_log, webhook, webhook_delivery};
use futures_util::future::join_all;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{DELIVERED, FAILED, PENDING, backoff, body, sign};
use crate::error::{ApiResult, internal};

/// Rows claimed at once.
const BATCH: u64 = 16;

/// How deliveries are sent.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Longest wait for a receiver's answer.
    pub timeout: Duration,
    /// How often to look for due rows without being woken.
    pub poll: Duration,
    /// Wait before the first retry.
    pub backoff: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// Attempts before `FAILED`.
    pub max_attempts: u32,
}

/// Starts the worker on the runtime.
pub fn spawn(db: DatabaseConnection, settings: Settings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(db, settings))
}

/// Sends what is due, then waits for a local commit or the poll interval, for ever.
pub async fn run(db: DatabaseConnection, settings: Settings) {
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "cannot build the webhook client; no deliveries");
            return;
        }
    };
    loop {
        loop {
            match send_due(&db, &client, &settings).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(err) => {
                    tracing::warn!(error = %err.message(), "webhook deliveries failed");
                    break;
                }
            }
        }
        tokio::select! {
            () = crate::db::version::committed() => {},
            () = tokio::time::sleep(settings.poll) => {},
        }
    }
}

/// Claims and sends the rows that are due; how many it claimed.
pub async fn send_due(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &Settings,
) -> ApiResult<usize> {
    let claimed = claim(db, settings).await?;
    let count = claimed.len();
    let sends = claimed.into_iter().map(|row| async move {
        let id = row.id;
        if let Err(err) = deliver(db, client, settings, row).await {
            tracing::warn!(delivery = %id, error = %err.message(), "recording a delivery failed");
        }
    });
    join_all(sends).await;
    Ok(count)
}

/// Takes the due rows for this worker: their next attempt moves past the send timeout.
async fn claim(
    db: &DatabaseConnection,
    settings: &Settings,
) -> ApiResult<Vec<webhook_delivery::Model>> {
    let now = Utc::now();
    let tx = db.begin_with_options(crate::db::tx::WRITE).await?;
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::State.eq(PENDING))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::Seq)
        .order_by_asc(webhook_delivery::Column::Sub)
        .limit(BATCH);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = due.all(&tx).await?;
    if rows.is_empty() {
        tx.commit().await?;
        return Ok(rows);
    }
    let lease = now + settings.timeout * 2;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::NextAttemptAt, lease.into())
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// What one attempt came to.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
}

/// Sends one claimed row and records the outcome.
async fn deliver(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &Settings,
    row: webhook_delivery::Model,
) -> ApiResult<()> {
    let hook = webhook::Entity::find_by_id(row.webhook_id).one(db).await?;
    let change = audit_log::Entity::find_by_id(row.audit_id).one(db).await?;
    let (Some(hook), Some(change)) = (hook, change) else {
        // The webhook was removed meanwhile: its rows go with it.
        return Ok(());
    };
    let outcome = post(client, &hook, &row, &body(&change)?).await?;
    record(db, settings, row, outcome).await
}

/// One signed POST.
async fn post(
    client: &reqwest::Client,
    hook: &webhook::Model,
    row: &webhook_delivery::Model,
    body: &str,
) -> ApiResult<Outcome> {
    let id = row.id.to_string();
    let timestamp = Utc::now().timestamp();
    let signature = sign(&hook.secret, &id, timestamp, body)?;
    let sent = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await;
    Ok(match sent {
        Ok(answer) if answer.status().is_success() => Outcome {
            status: Some(answer.status().as_u16()),
            error: None,
        },
        Ok(answer) => Outcome {
            status: Some(answer.status().as_u16()),
            error: Some(format!("the receiver answered {}", answer.status())),
        },
        Err(err) => Outcome {
            status: None,
            error: Some(describe(&err)),
        },
    })
}

/// A transport error in words, without the URL (kept in the webhook).
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Records an attempt: delivered, retried later, or failed for good.
async fn record(
    db: &DatabaseConnection,
    settings: &Settings,
    row: webhook_delivery::Model,
    outcome: Outcome,
) -> ApiResult<()> {
    let now = Utc::now();
    let attempts = row.attempts + 1;
    let mut active = row.into_active_model();
    active.attempts = sea_orm::Set(attempts);
    active.last_status = sea_orm::Set(outcome.status.map(i32::from));
    active.last_error = sea_orm::Set(outcome.error.clone());
    if outcome.error.is_none() {
        active.state = sea_orm::Set(DELIVERED.to_owned());
        active.delivered_at = sea_orm::Set(Some(now));
    } else if attempts as u32 >= settings.max_attempts {
        active.state = sea_orm::Set(FAILED.to_owned());
    } else {
        let wait = backoff(attempts as u32, settings.backoff, settings.backoff_max);
        let wait = chrono::Duration::from_std(wait).map_err(internal)?;
        active.next_attempt_at = sea_orm::Set(now + wait);
    }
    active.update(db).await?;
    Ok(())
}
