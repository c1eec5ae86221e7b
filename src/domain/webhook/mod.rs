//! Webhooks: an admin registers a URL with the entity types it wants; every change of those
//! types is written to an outbox in the change's own transaction (see [`crate::db::changes`])
//! and sent by the [`worker`], signed the way the Standard Webhooks specification says:
//!
//! - `webhook-id`: the delivery's id, the same on every attempt (receivers deduplicate by it);
//! - `webhook-timestamp`: the attempt's time in Unix seconds;
//! - `webhook-signature`: `v1,` and the Base64 of HMAC-SHA256 over
//!   `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the Base64-decoded part of the
//!   secret after `whsec_`.
//!
//! The body is the change as an anonymous caller sees it in the feed (internal contact
//! details withheld): `{"type": "change", "timestamp": …, "data": Change}`.

pub mod service;
pub mod worker;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use entity::audit_log;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::changes::{ENTITY_TYPES, change_of};
use crate::error::{ApiResult, bad_input, internal};

/// A delivery not yet made (or being retried).
pub const PENDING: &str = crate::db::changes::PENDING;
/// A delivery the receiver accepted with a 2xx status.
pub const DELIVERED: &str = "DELIVERED";
/// A delivery given up after the last attempt.
pub const FAILED: &str = "FAILED";

/// What a registration asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: String,
    pub types: Vec<String>,
}

impl NewWebhook {
    /// Checks the URL (absolute `http` or `https` with a host and no credentials) and the
    /// types (at least one, each known); `BAD_USER_INPUT` naming `url` or `types`.
    pub fn parse(url: &str, types: Vec<String>) -> ApiResult<NewWebhook> {
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|e| bad_input("url", format!("{url:?} is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad_input(
                "url",
                format!(
                    "a webhook URL must be http or https, not {}",
                    parsed.scheme()
                ),
            ));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad_input("url", "a webhook URL needs a host"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad_input(
                "url",
                "a webhook URL must not carry credentials; the signature authenticates",
            ));
        }
        if types.is_empty() {
            return Err(bad_input("types", "name at least one entity type"));
        }
        if let Some(unknown) = types.iter().find(|t| !ENTITY_TYPES.contains(&t.as_str())) {
            return Err(bad_input(
                "types",
                format!("{unknown:?} is not an entity type"),
            ));
        }
        let mut types = types;
        types.sort();
        types.dedup();
        Ok(NewWebhook {
            url: parsed.to_string(),
            types,
        })
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in Base64.
pub fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value (`v1,<base64>`) of `body` sent as `id` at `timestamp`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> ApiResult<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(internal)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(internal)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The wait before attempt `attempts + 1`: `base` doubled for each attempt after the
/// first, at most `cap`.
pub fn backoff(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << doublings).min(cap)
}

/// The body sent for the change `row` records: as an anonymous caller sees it.
pub fn body(row: &audit_log::Model) -> ApiResult<String> {
    let change = change_of(row, false)?;
    let body = serde_json::json!({
        "type": "change",
        "timestamp": change.occurred_at,
        "data": change,
    });
    serde_json::to_string(&body).map_err(internal)
}

#[cfg(test)]
mod tests;
