//! Calendar feeds (iCalendar, RFC 5545) for calendar applications to subscribe to:
//! `/calendar/networks/{id}.ics` (a network's meetings) and
//! `/calendar/organisations/{id}.ics` (the meetings of the networks an organisation
//! convenes or holds a seat in); `?lang=sv` or `en` for names and labels in Swedish or
//! English. What a feed holds is decided in [`crate::domain::calendar`].
//!
//! Public data, read like an anonymous query (from the replica when there is one), behind
//! the same rate limit as `/graphql`. Answers carry an `ETag` (304 on `If-None-Match`) and
//! `Cache-Control: public, max-age=300`. A malformed id is `400`, an unknown one `404`.

use axum::Extension;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use uuid::Uuid;

use super::logging::RequestScope;
use super::{AppState, RETRY_AFTER_SECS, etag, request_error};
use crate::domain::calendar::Feed;
use crate::domain::calendar::service::{self, Lang};
use crate::error::ApiError;

const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";
/// Calendar applications poll hourly or less; a CDN keeps a feed five minutes.
const CACHE_CONTROL: &str = "public, max-age=300";

/// Which feed a route serves.
#[derive(Clone, Copy)]
enum Kind {
    Network,
    Organisation,
}

/// The feeds' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/calendar/networks/{file}",
            get(|state, scope, file, query, headers| {
                feed(Kind::Network, state, scope, file, query, headers)
            }),
        )
        .route(
            "/calendar/organisations/{file}",
            get(|state, scope, file, query, headers| {
                feed(Kind::Organisation, state, scope, file, query, headers)
            }),
        )
}

/// An error answer no cache keeps: the network may be created, or the client may fix the
/// URL, a moment later.
fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = request_error(status, code, message);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What a feed's address looks like, for the `400` answers.
const SHAPE: &str = "a calendar feed is /calendar/<networks|organisations>/<id>.ics, the id a UUID";

/// The id in `<uuid>.ics`, or what is wrong with it.
fn parse_file(file: &str) -> Result<Uuid, String> {
    let Some(id) = file.strip_suffix(".ics") else {
        return Err(format!("the name does not end in .ics: {SHAPE}"));
    };
    id.parse::<Uuid>()
        .map_err(|_| format!("the id is not a UUID: {SHAPE}"))
}

/// The `lang` of the query string: `fi` (the default), `sv` or `en`.
fn parse_lang(query: Option<&str>) -> Result<Lang, String> {
    let mut lang = Lang::default();
    for pair in query.unwrap_or_default().split('&') {
        if let Some(value) = pair.strip_prefix("lang=") {
            lang = Lang::parse(value).ok_or("lang must be fi, sv or en")?;
        }
    }
    Ok(lang)
}

async fn feed(
    kind: Kind,
    State(state): State<AppState>,
    Extension(scope): Extension<RequestScope>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    request: HeaderMap,
) -> Response {
    let (id, lang) = match (parse_file(&file), parse_lang(query.as_deref())) {
        (Ok(id), Ok(lang)) => (id, lang),
        (Err(why), _) | (_, Err(why)) => {
            return refused(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", &why);
        }
    };
    let tally = scope.tally.clone();
    let metrics = state.clone();
    let db = state.inner.db.watched(true, move |pool, info| {
        tally.add(info);
        metrics.inner.metrics.statement(pool, info);
    });
    let now = chrono::Utc::now();
    let built = match kind {
        Kind::Network => service::network_feed(&db, id, lang, now).await,
        Kind::Organisation => service::organisation_feed(&db, id, lang, now).await,
    };
    match built {
        Ok(feed) => answer(&request, &feed, id, kind),
        Err(error) => refusal(&error),
    }
}

fn answer(request: &HeaderMap, feed: &Feed, id: Uuid, kind: Kind) -> Response {
    let text = feed.render();
    let tag = etag::of(text.as_bytes());
    let mut response = etag::answer(request, CONTENT_TYPE, CACHE_CONTROL, text, &tag);
    let prefix = match kind {
        Kind::Network => "network",
        Kind::Organisation => "organisation",
    };
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{prefix}-{id}.ics\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A service's error as an HTTP answer: `404`, `503` with `Retry-After`, or `500`.
fn refusal(error: &ApiError) -> Response {
    let status = match error {
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::BadInput(_) => StatusCode::BAD_REQUEST,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut response = refused(status, error.code(), error.message());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_name_is_a_uuid_with_ics() {
        let id = Uuid::new_v4();
        assert_eq!(parse_file(&format!("{id}.ics")).ok(), Some(id));
        for bad in [
            format!("{id}"),
            format!("{id}.ical"),
            "297.ics".to_owned(),
            ".ics".to_owned(),
        ] {
            let why = parse_file(&bad).expect_err(&bad);
            assert!(
                why.contains("/calendar/<networks|organisations>/<id>.ics"),
                "{why}"
            );
        }
    }

    #[test]
    fn lang_is_fi_sv_or_en() {
        assert_eq!(parse_lang(None).ok(), Some(Lang::Fi));
        assert_eq!(parse_lang(Some("lang=sv")).ok(), Some(Lang::Sv));
        assert_eq!(parse_lang(Some("x=1&lang=EN")).ok(), Some(Lang::En));
        assert!(parse_lang(Some("lang=de")).is_err());
    }
}
