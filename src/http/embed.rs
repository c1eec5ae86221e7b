//! The embeddable web component at `/embed/yhdyspinta.js`: `<yhdyspinta-counterparts>` and
//! `<yhdyspinta-networks>` for municipal and county portals (`assets/embed/`).
//!
//! Its GraphQL documents are files beside it ([`DOCUMENTS`]). At start the server puts each
//! document's text and SHA-256 into the script, so the component can send persisted GET
//! queries by hash without hashing in the browser (`crypto.subtle` is missing on plain-http
//! pages), and so a persisted-query safelist can register the same documents.
//!
//! The script is served with an `ETag` (304 on `If-None-Match`), `Cache-Control: public,
//! max-age=300`, and `Access-Control-Allow-Origin: *` whatever `--cors-origin` says: any
//! site may load it (with `crossorigin` too, and so with Subresource Integrity).

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::etag;

/// Where the script is served.
pub const PATH: &str = "/embed/yhdyspinta.js";

/// The counterpart pairs of a municipality.
const COUNTERPARTS: &str = include_str!("../../assets/embed/counterparts.graphql");
/// The networks of a municipality.
const NETWORKS: &str = include_str!("../../assets/embed/networks.graphql");

/// The GraphQL documents the component sends, exactly as it sends them: their SHA-256 is
/// the persisted-query hash.
pub const DOCUMENTS: &[&str] = &[COUNTERPARTS, NETWORKS];

/// The script as written, with [`PLACEHOLDER`] where the documents go.
const TEMPLATE: &str = include_str!("../../assets/embed/yhdyspinta.js");
const PLACEHOLDER: &str = "__YHDYSPINTA_DOCUMENTS__";

/// How long browsers and CDNs keep the script before revalidating.
const CACHE_CONTROL: &str = "public, max-age=300";

/// The SHA-256 of `document` in lower-case hex: its persisted-query hash.
pub fn sha256_hex(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The operation name a document defines (`query Name(`…).
fn operation_name(document: &str) -> &str {
    document
        .split_once("query ")
        .and_then(|(_, rest)| rest.split(['(', ' ', '{']).next())
        .unwrap_or_default()
}

/// The script as served, and its entity tag; built once.
pub struct Script {
    pub text: String,
    pub etag: String,
}

/// The served script: the template with the documents, their operation names and hashes.
pub static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let mut documents = Map::new();
    for (key, document) in [("counterparts", COUNTERPARTS), ("networks", NETWORKS)] {
        documents.insert(
            key.to_owned(),
            json!({
                "name": operation_name(document),
                "query": document,
                "sha256": sha256_hex(document),
            }),
        );
    }
    let documents = serde_json::to_string(&Value::Object(documents)).unwrap_or_default();
    let text = TEMPLATE.replacen(PLACEHOLDER, &documents, 1);
    let etag = etag::of(text.as_bytes());
    Script { text, etag }
});

/// The script's route.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(PATH, get(script))
}

async fn script(request: HeaderMap) -> Response {
    let mut response = etag::answer(
        &request,
        "text/javascript; charset=utf-8",
        CACHE_CONTROL,
        SCRIPT.text.as_str(),
        &SCRIPT.etag,
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_names_its_operation_and_goes_into_the_script() {
        assert_eq!(operation_name(COUNTERPARTS), "YhdyspintaCounterparts");
        assert_eq!(operation_name(NETWORKS), "YhdyspintaNetworks");
        assert!(TEMPLATE.contains(PLACEHOLDER));
        assert!(!SCRIPT.text.contains(PLACEHOLDER));
        for document in DOCUMENTS {
            assert!(SCRIPT.text.contains(&sha256_hex(document)));
        }
        // A known vector: the SHA-256 of the empty string.
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
