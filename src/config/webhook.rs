//! Settings of the webhook delivery worker.

use std::time::Duration;

use clap::Args;

/// How webhook deliveries are sent.
#[derive(Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Do not run the webhook delivery worker in this process (another node delivers).
    #[arg(long, env = "YHDYSPINTA_NO_WEBHOOK_WORKER", global = true)]
    pub no_webhook_worker: bool,
    /// Longest wait for a webhook receiver to answer one delivery (e.g. `10s`).
    #[arg(long, env = "YHDYSPINTA_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub webhook_timeout: Duration,
    /// How often the worker looks for deliveries written by other nodes (e.g. `1s`); a
    /// write in this process wakes it at once.
    #[arg(long, env = "YHDYSPINTA_WEBHOOK_POLL", default_value = "1s", value_parser = humantime::parse_duration, global = true)]
    pub webhook_poll: Duration,
    /// Wait before the first retry of a failed delivery; each further retry waits twice
    /// as long as the one before (e.g. `5s`).
    #[arg(long, env = "YHDYSPINTA_WEBHOOK_BACKOFF", default_value = "5s", value_parser = humantime::parse_duration, global = true)]
    pub webhook_backoff: Duration,
    /// Longest wait between two attempts of a delivery (e.g. `1h`).
    #[arg(long, env = "YHDYSPINTA_WEBHOOK_BACKOFF_MAX", default_value = "1h", value_parser = humantime::parse_duration, global = true)]
    pub webhook_backoff_max: Duration,
    /// Attempts of one delivery before it is given up as `FAILED`.
    #[arg(long, env = "YHDYSPINTA_WEBHOOK_MAX_ATTEMPTS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub webhook_max_attempts: u32,
}

impl Default for WebhookArgs {
    fn default() -> Self {
        Self {
            no_webhook_worker: false,
            webhook_timeout: Duration::from_secs(10),
            webhook_poll: Duration::from_secs(1),
            webhook_backoff: Duration::from_secs(5),
            webhook_backoff_max: Duration::from_secs(3600),
            webhook_max_attempts: 12,
        }
    }
}

impl WebhookArgs {
    /// The worker's settings.
    pub fn settings(&self) -> crate::domain::webhook::worker::Settings {
        crate::domain::webhook::worker::Settings {
            timeout: self.webhook_timeout,
            poll: self.webhook_poll,
            backoff: self.webhook_backoff,
            backoff_max: self.webhook_backoff_max,
            max_attempts: self.webhook_max_attempts,
        }
    }
}
