//! Rate limiting per client: a caller with a valid token counts against its `sub`, any
//! other against its address — the peer's, or with a trusted reverse proxy in front, the
//! address its `X-Forwarded-For` names. A client past its rate is answered `429` with
//! `Retry-After` and `extensions.code: RATE_LIMITED`.
//!
//! The buckets are `governor`'s keyed GCRA limiters: one small state per key, checked
//! without a lock on the hot path. Keys whose state is back to fresh are dropped
//! periodically ([`RateLimits::forget_idle`]), so the tables hold only recent clients.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;

use super::graphql::authenticate;
use super::logging::Caller;
use super::{AppState, request_error};

/// How many `X-Forwarded-For` hops are looked at, from the right; a longer chain is not a
/// real one.
const MAX_HOPS: usize = 32;

/// What a request counts against.
#[derive(Debug, PartialEq, Eq)]
pub enum Client<'a> {
    /// An anonymous caller (or one whose token was refused), by address.
    Address(IpAddr),
    /// A caller with a valid token, by its `sub`.
    Sub(&'a str),
}

impl Client<'_> {
    /// The `key` label of the rate-limited metric.
    pub fn label(&self) -> &'static str {
        match self {
            Client::Address(_) => "address",
            Client::Sub(_) => "sub",
        }
    }
}

/// The rate limiters of one application.
pub struct RateLimits {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_sub: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimits {
    /// Limits of `per_second` requests on average with bursts of `burst`; `None` when
    /// `per_second` is 0 (rate limiting off).
    pub fn new(per_second: u32, burst: u32) -> Option<Self> {
        let quota =
            Quota::per_second(NonZeroU32::new(per_second)?).allow_burst(NonZeroU32::new(burst)?);
        Some(Self {
            by_address: DefaultKeyedRateLimiter::keyed(quota),
            by_sub: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        })
    }

    /// Counts one request of `client`: `Err` with the wait until the next one would pass
    /// when it is over its rate.
    pub fn check(&self, client: &Client<'_>) -> Result<(), Duration> {
        let checked = match client {
            Client::Address(addr) => self.by_address.check_key(addr),
            // A `String` key is only allocated for a caller with a token.
            Client::Sub(sub) => self.by_sub.check_key(&(*sub).to_owned()),
        };
        checked.map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops the state of clients whose bucket is full again (they would start afresh
    /// anyway), so the tables hold only the clients of the last moments.
    pub fn forget_idle(&self) {
        self.by_address.retain_recent();
        self.by_address.shrink_to_fit();
        self.by_sub.retain_recent();
        self.by_sub.shrink_to_fit();
    }

    /// Clients with state kept: addresses and subs.
    pub fn len(&self) -> usize {
        self.by_address.len() + self.by_sub.len()
    }

    /// Whether no client has state kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Authenticates the request, then counts it against its client and refuses it past its
/// rate. The authentication travels to the handler in the request's extensions, and the
/// caller's `sub` to the access log in the response's.
pub async fn admit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let authentication = authenticate(&state, request.headers());
    let sub = authentication
        .0
        .as_ref()
        .ok()
        .and_then(|viewer| viewer.0.as_ref())
        .map(|principal| principal.sub.clone());
    if let Some(limits) = &state.inner.limits {
        let client = match &sub {
            Some(sub) => Client::Sub(sub),
            None => {
                let peer = request
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
                let addr = client_address(peer, request.headers(), &state.inner.trusted_proxies);
                Client::Address(bucket_of(addr))
            }
        };
        if let Err(wait) = limits.check(&client) {
            state.inner.metrics.rate_limited(client.label());
            let mut response = limited(wait);
            if let Some(sub) = sub {
                response.extensions_mut().insert(Caller(sub));
            }
            return response;
        }
    }
    request.extensions_mut().insert(authentication);
    let mut response = next.run(request).await;
    if let Some(sub) = sub {
        response.extensions_mut().insert(Caller(sub));
    }
    response
}

/// `429 Too Many Requests` with `Retry-After` in whole seconds (at least 1).
fn limited(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let mut response = request_error(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        &format!("too many requests from this client; try again in {secs} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, secs.into());
    response
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the
/// right-most `X-Forwarded-For` address that is not a trusted proxy (the hops to its right
/// were added by proxies we trust, so it is the first one nobody we trust could forge). A
/// hop that is not an address ends the walk at the trusted one to its right.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |addr: &IpAddr| trusted.iter().any(|net| net.contains(addr));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect::<Vec<_>>();
    for hop in hops.iter().rev().take(MAX_HOPS) {
        let Some(addr) = parse_hop(hop) else { break };
        client = addr.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

/// The bucket an address counts against: an IPv4 address alone, an IPv6 address with its
/// /64 (one subscriber's network, where a client can pick any of 2^64 addresses).
pub fn bucket_of(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(
            client_address(ip("203.0.113.1"), &headers, &nets(&["10.0.0.0/8"])),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &headers, &[]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client forged the first entry; the proxies appended the rest.
        let headers = forwarded(&["192.0.2.66, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &headers, &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_chain_of_trusted_hops_ends_at_the_left_most() {
        let headers = forwarded(&["10.2.2.2, 10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &headers, &nets(&["10.0.0.0/8"])),
            ip("10.2.2.2")
        );
    }

    #[test]
    fn a_hop_that_is_not_an_address_stops_at_the_trusted_one_after_it() {
        let headers = forwarded(&["198.51.100.7, unknown, 10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &headers, &nets(&["10.0.0.0/8"])),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn hops_with_ports_and_brackets_are_read() {
        assert_eq!(parse_hop(" 198.51.100.7:4711"), Some(ip("198.51.100.7")));
        assert_eq!(parse_hop("[2001:db8::1]:443"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("_hidden"), None);
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(bucket_of(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(bucket_of(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(bucket_of(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn a_burst_passes_and_the_next_request_waits() {
        let limits = RateLimits::new(1, 3).unwrap();
        let client = Client::Address(ip("192.0.2.1"));
        for _ in 0..3 {
            assert_eq!(limits.check(&client), Ok(()));
        }
        let wait = limits.check(&client).unwrap_err();
        assert!(
            wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another client and a token's sub have buckets of their own.
        assert_eq!(limits.check(&Client::Address(ip("192.0.2.2"))), Ok(()));
        assert_eq!(limits.check(&Client::Sub("kuopio-hr")), Ok(()));
        assert!(RateLimits::new(0, 10).is_none());
    }

    #[test]
    fn idle_clients_are_forgotten() {
        // At 1000 a second with bursts of 2 a bucket is full again within 2 ms.
        let limits = RateLimits::new(1000, 2).unwrap();
        for n in 0..200u8 {
            let _ = limits.check(&Client::Address(IpAddr::from([192, 0, 2, n])));
            let _ = limits.check(&Client::Sub(&format!("sub-{n}")));
        }
        assert_eq!(limits.len(), 400);
        std::thread::sleep(Duration::from_millis(20));
        limits.forget_idle();
        assert!(limits.is_empty(), "{} clients kept", limits.len());
    }
}
