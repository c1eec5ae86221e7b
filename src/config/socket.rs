//! Settings of GraphQL subscriptions over WebSocket.

use std::time::Duration;

use clap::Args;

/// Limits of the WebSocket endpoint.
#[derive(Args, Debug, Clone)]
pub struct SocketArgs {
    /// Most WebSocket connections this node holds at once; an upgrade past it is answered
    /// `503` (`0`: no subscriptions on this node).
    #[arg(
        long,
        env = "YHDYSPINTA_MAX_WEBSOCKETS",
        default_value_t = 1000,
        global = true
    )]
    pub max_websockets: usize,
    /// Most subscriptions one connection runs at once; one more is refused with
    /// `TOO_MANY_SUBSCRIPTIONS` while the others keep running.
    #[arg(long, env = "YHDYSPINTA_MAX_SUBSCRIPTIONS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_subscriptions: u32,
    /// A connection whose client sends nothing (not even a `ping`) this long is closed
    /// (close code `3008`); clients keep it open with `keepAlive` pings (e.g. `5m`).
    #[arg(long, env = "YHDYSPINTA_WEBSOCKET_IDLE", default_value = "5m", value_parser = humantime::parse_duration, global = true)]
    pub websocket_idle: Duration,
    /// How often a subscription reads the change feed when no write woke it: the delay
    /// for writes no node hears (another process on the same SQLite file) (e.g. `2s`).
    #[arg(long, env = "YHDYSPINTA_SUBSCRIPTION_POLL", default_value = "2s", value_parser = humantime::parse_duration, global = true)]
    pub subscription_poll: Duration,
}

impl Default for SocketArgs {
    fn default() -> Self {
        Self {
            max_websockets: 1000,
            max_subscriptions: 10,
            websocket_idle: Duration::from_secs(300),
            subscription_poll: Duration::from_secs(2),
        }
    }
}
