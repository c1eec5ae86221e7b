//! GraphQL subscriptions over WebSocket: `GET /graphql` with `Upgrade: websocket` and
//! `Sec-WebSocket-Protocol: graphql-transport-ws` (the protocol of the `graphql-ws`
//! package, which Apollo Client and urql use). The token comes in `connection_init`'s
//! payload (`{"Authorization": "Bearer …"}`; none is anonymous; a bad one closes the
//! connection with `4403`), and the connection closes with `4403` when the token expires.
//! Each `subscribe` is priced like an HTTP request before it runs, and only subscriptions
//! run here: queries and mutations go to `POST /graphql`, where turns, the rate limit and
//! the response cache apply. At most `--max-websockets` connections per node, and
//! `--max-subscriptions` subscriptions per connection.
//!
//! The protocol itself is async-graphql's (`async_graphql::http::WebSocket`); this module
//! drives it instead of async-graphql-axum's `GraphQLWebSocket` because that one closes a
//! refused `connection_init` with `1002` rather than the protocol's `4403`, and cannot
//! close a connection whose token expires.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, ErrorExtensionValues, Executor, Response as GqlResponse, ServerError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt, future};
use tokio::sync::OwnedSemaphorePermit;

use super::graphql::{Authentication, graphql_get, selected};
use super::logging::RequestScope;
use super::{AppState, request_error};
use crate::error::finish_errors;
use crate::graphql::subscription::FollowEvery;
use crate::graphql::{ApiSchema, Viewer};

/// The one subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// `GET /graphql`: a WebSocket upgrade, or a query over HTTP.
pub(super) async fn get(
    State(state): State<AppState>,
    auth: Extension<Authentication>,
    scope: Extension<RequestScope>,
    request: Request,
) -> Response {
    if wants_websocket(request.headers()) {
        return upgrade(state, request).await;
    }
    let headers = request.headers().clone();
    let query = request.uri().query().map(str::to_owned);
    graphql_get(State(state), auth, scope, headers, RawQuery(query)).await
}

fn wants_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("websocket"))
}

/// Upgrades the connection when it offers [`PROTOCOL`] and this node has room for it.
async fn upgrade(state: AppState, request: Request) -> Response {
    let offers = request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim().eq_ignore_ascii_case(PROTOCOL));
    if !offers {
        return request_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "subscriptions speak graphql-transport-ws: send Sec-WebSocket-Protocol: graphql-transport-ws",
        );
    }
    let (mut parts, _) = request.into_parts();
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(permit) = state.inner.sockets.clone().try_acquire_owned() else {
        let mut refused = request_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "TOO_MANY_CONNECTIONS",
            "this node holds as many WebSocket connections as it may; try again later or another node",
        );
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        return refused;
    };
    ws.protocols([PROTOCOL])
        .on_upgrade(move |socket| serve(socket, state, permit))
}

/// What `connection_init` learnt: whether it refused the token, and when the token expires.
#[derive(Default)]
struct Session {
    refused: AtomicBool,
    expires: OnceLock<i64>,
}

impl Session {
    /// Waits until the token expires (forever without one).
    async fn expired(&self) {
        match self.expires.get() {
            Some(exp) => {
                let left = exp.saturating_sub(chrono::Utc::now().timestamp()).max(0);
                tokio::time::sleep(Duration::from_secs(left.unsigned_abs())).await;
            }
            None => future::pending().await,
        }
    }
}

/// Runs the protocol over `socket` until either side closes it or the token expires; the
/// connection's place (`_permit`) is given back when it ends.
async fn serve(socket: WebSocket, state: AppState, _permit: OwnedSemaphorePermit) {
    let (mut sink, stream) = socket.split();
    let input = stream
        .take_while(|message| future::ready(message.is_ok()))
        .filter_map(|message| {
            future::ready(match message {
                Ok(Message::Text(text)) => Some(Bytes::from(text)),
                Ok(Message::Binary(bytes)) => Some(bytes),
                _ => None,
            })
        });
    let session = Arc::new(Session::default());
    let init = {
        let (state, session) = (state.clone(), session.clone());
        move |payload| async move { connection_init(&state, &session, payload) }
    };
    let args = &state.inner.sockets_args;
    let messages = Protocol::new(
        SocketExecutor::new(&state),
        input,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(init)
    .keepalive_timeout(args.websocket_idle);
    futures_util::pin_mut!(messages);
    loop {
        let message = tokio::select! {
            message = messages.next() => match message {
                Some(message) => message,
                None => break,
            },
            _ = session.expired() => {
                WsMessage::Close(4403, "Forbidden: the token has expired".into())
            }
        };
        let (frame, last) = match message {
            WsMessage::Text(text) => (Message::Text(text.into()), false),
            WsMessage::Close(code, reason) => {
                // The refused `connection_init` comes back as a protocol error.
                let code = match session.refused.load(Ordering::Acquire) {
                    true => 4403,
                    false => code,
                };
                let reason = close_reason(&reason).into();
                (Message::Close(Some(CloseFrame { code, reason })), true)
            }
        };
        if sink.send(frame).await.is_err() || last {
            break;
        }
    }
}

/// A close frame's reason is at most 123 bytes.
fn close_reason(text: &str) -> String {
    let mut end = text.len().min(123);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The connection's data from `connection_init`'s payload: the caller (anonymous without a
/// token), the application's data version that wakes subscriptions, the primary they read.
fn connection_init(
    state: &AppState,
    session: &Session,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let viewer = match token_of(&payload) {
        Ok(None) => Viewer(None),
        Ok(Some(token)) => match &state.inner.verifier {
            None => return Err(refuse(session, "this server has no token key configured")),
            Some(verifier) => match verifier.verify(token) {
                Ok(claims) => {
                    let _ = session.expires.set(claims.exp);
                    Viewer(Some(claims.into()))
                }
                Err(rejected) => return Err(refuse(session, &rejected.0)),
            },
        },
        Err(reason) => return Err(refuse(session, reason)),
    };
    let mut data = Data::default();
    data.insert(viewer);
    data.insert(state.inner.version.clone());
    data.insert(state.inner.db.primary.clone());
    data.insert(FollowEvery(state.inner.sockets_args.subscription_poll));
    Ok(data)
}

fn refuse(session: &Session, reason: &str) -> async_graphql::Error {
    session.refused.store(true, Ordering::Release);
    async_graphql::Error::new(format!("Forbidden: {reason}"))
}

/// The token in a `connection_init` payload: `Authorization` (or `authorization`) as
/// `Bearer <token>`, or `token` with or without `Bearer`; none is anonymous.
fn token_of(payload: &serde_json::Value) -> Result<Option<&str>, &'static str> {
    let Some(value) = ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|key| payload.get(*key))
    else {
        return Ok(None);
    };
    let text = value
        .as_str()
        .ok_or("the token in connection_init must be a string")?
        .trim();
    let token = match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        Some(_) => return Err("the Authorization value must be `Bearer <token>`"),
        None => text,
    };
    if token.is_empty() {
        return Err("the token in connection_init is empty");
    }
    Ok(Some(token))
}

/// Runs what arrives on one connection: priced first, subscriptions only, at most
/// `--max-subscriptions` at once.
#[derive(Clone)]
struct SocketExecutor {
    schema: ApiSchema,
    pricing: crate::graphql::cost::Pricing,
    running: Arc<AtomicUsize>,
    max: usize,
}

impl SocketExecutor {
    fn new(state: &AppState) -> Self {
        Self {
            schema: state.inner.schema.clone(),
            pricing: state.inner.pricing.clone(),
            running: Arc::new(AtomicUsize::new(0)),
            max: state.inner.sockets_args.max_subscriptions as usize,
        }
    }
}

/// A running subscription's place among the connection's, given back when it ends.
struct Place(Arc<AtomicUsize>);

impl Place {
    fn take(running: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Place(running.clone()))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Executor for SocketExecutor {
    async fn execute(&self, request: async_graphql::Request) -> GqlResponse {
        let (first, _) = self.execute_stream(request, None).into_future().await;
        first.unwrap_or_default()
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, GqlResponse> {
        if let Err(refused) = self.pricing.check(&mut request) {
            return refusal(refused.code(), &refused.to_string());
        }
        let wanted = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else {
            return refusal("GRAPHQL_PARSE_FAILED", "the query is not valid GraphQL");
        };
        let operation = selected(document, wanted.as_deref());
        if let Some((_, kind)) = operation
            && kind != OperationType::Subscription
        {
            return refusal(
                "SUBSCRIPTIONS_ONLY",
                "only subscriptions run over the WebSocket; send queries and mutations with POST /graphql",
            );
        }
        let Some(session) = session else {
            return refusal("BAD_REQUEST", "send connection_init first");
        };
        let Some(place) = Place::take(&self.running, self.max) else {
            let message = format!(
                "this connection runs {} subscriptions, as many as it may; complete one first",
                self.max
            );
            return refusal("TOO_MANY_SUBSCRIPTIONS", &message);
        };
        self.schema
            .execute_stream_with_session_data(request, session)
            .map(move |mut response| {
                let _held = &place;
                finish_errors(&mut response);
                response
            })
            .boxed()
    }
}

/// One answer holding only an error with `code`.
fn refusal(code: &str, message: &str) -> BoxStream<'static, GqlResponse> {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    futures_util::stream::once(future::ready(GqlResponse::from_errors(vec![error]))).boxed()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{close_reason, token_of};

    #[test]
    fn the_token_is_read_from_any_of_the_accepted_keys() {
        assert_eq!(token_of(&json!({})), Ok(None));
        assert_eq!(token_of(&serde_json::Value::Null), Ok(None));
        for payload in [
            json!({ "Authorization": "Bearer abc" }),
            json!({ "authorization": "bearer  abc " }),
            json!({ "token": "abc" }),
            json!({ "token": "Bearer abc" }),
        ] {
            assert_eq!(token_of(&payload), Ok(Some("abc")), "{payload}");
        }
        assert!(token_of(&json!({ "Authorization": "Basic abc" })).is_err());
        assert!(token_of(&json!({ "Authorization": 42 })).is_err());
        assert!(token_of(&json!({ "token": "  " })).is_err());
    }

    #[test]
    fn a_close_reason_is_cut_to_123_bytes_on_a_character_boundary() {
        assert_eq!(close_reason("lyhyt"), "lyhyt");
        let long = "ä".repeat(100);
        let cut = close_reason(&long);
        assert_eq!(cut.len(), 122);
        assert!(long.starts_with(&cut));
    }
}
