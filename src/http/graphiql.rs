//! GraphiQL at `/` and `/graphiql`, served whole by the binary: pinned production builds of
//! React, ReactDOM and GraphiQL vendored from the npm registry (`assets/graphiql/vendor/`,
//! see `vendor.sh` there), the page's own bootstrap script and style, and the example
//! operations it opens on (`assets/graphiql/examples/`). No other origin is asked for
//! anything, and the page runs under a Content-Security-Policy without `'unsafe-inline'`.
//!
//! Assets are served at `/assets/graphiql/<name>.<hash>.<ext>`, the hash being the first
//! 16 hex digits of the content's SHA-256, so they are cached for a year as immutable: a new
//! build with other content links other names. Every node of one build links the same
//! names.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Where the assets are served, relative to the page (the page is at the root, so this is
/// also the absolute path; relative links keep working behind a path prefix).
pub const ASSET_DIR: &str = "assets/graphiql";

/// The page's policy: scripts, styles and connections to its own origin only; the data
/// URLs are GraphiQL's fonts and icons (in its stylesheet) and the empty favicon.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// A year, the longest `max-age` caches honour; the names change with the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The example operations the page opens on, one tab each, in this order.
pub const EXAMPLES: [(&str, &str); 4] = [
    (
        "counterparts",
        include_str!("../../assets/graphiql/examples/counterparts.graphql"),
    ),
    (
        "networks",
        include_str!("../../assets/graphiql/examples/networks.graphql"),
    ),
    (
        "open-actions",
        include_str!("../../assets/graphiql/examples/open-actions.graphql"),
    ),
    (
        "mutation",
        include_str!("../../assets/graphiql/examples/mutation.graphql"),
    ),
];

/// Where the `Authorization` header goes in the mutation tab: the headers pane, which
/// opens with this placeholder (GraphiQL keeps no headers across visits).
const MUTATION_HEADERS: &str = "{\n  \"Authorization\": \"Bearer PASTE-YOUR-TOKEN-HERE\"\n}";

/// One served file.
struct Asset {
    /// The file name under [`ASSET_DIR`], hashed.
    name: String,
    bytes: &'static [u8],
    content_type: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The files in the order the page loads them: stylesheets, then scripts.
static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    macro_rules! asset {
        ($file:literal, $type:expr) => {
            hashed(
                $file,
                include_bytes!(concat!("../../assets/graphiql/", $file)),
                $type,
            )
        };
    }
    vec![
        asset!("vendor/graphiql.min.css", CSS),
        asset!("yhdyspinta-graphiql.css", CSS),
        asset!("vendor/react.production.min.js", JS),
        asset!("vendor/react-dom.production.min.js", JS),
        asset!("vendor/graphiql.min.js", JS),
        asset!("yhdyspinta-graphiql.js", JS),
    ]
});

/// The licences of the vendored files, served at `assets/graphiql/LICENSES.txt`.
const LICENSES: &str = concat!(
    "The GraphiQL page of the Yhdyspinta API serves these files, vendored unchanged from the\n",
    "npm registry (see assets/graphiql/vendor.sh in the source).\n\n",
    "== react@18.3.1 (umd/react.production.min.js) ==\n\n",
    include_str!("../../assets/graphiql/vendor/LICENSE.react"),
    "\n== react-dom@18.3.1 (umd/react-dom.production.min.js) ==\n\n",
    include_str!("../../assets/graphiql/vendor/LICENSE.react-dom"),
    "\n== graphiql@4.1.2 (dist/index.umd.js, dist/style.css) ==\n\n",
    include_str!("../../assets/graphiql/vendor/LICENSE.graphiql"),
    "\n",
    include_str!("../../assets/graphiql/THIRD_PARTY.md"),
);

fn hashed(file: &str, bytes: &'static [u8], content_type: &'static str) -> Asset {
    let digest = Sha256::digest(bytes);
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let base = file.rsplit('/').next().unwrap_or(file);
    let (stem, ext) = base.rsplit_once('.').unwrap_or((base, ""));
    Asset {
        name: format!("{stem}.{hash}.{ext}"),
        bytes,
        content_type,
    }
}

/// The page, built once: links to the hashed assets and the examples as a JSON data block
/// (not a script: the policy's `script-src 'self'` does not apply to it).
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let tabs: Vec<_> = EXAMPLES
        .iter()
        .map(|(name, query)| {
            let headers = if *name == "mutation" {
                MUTATION_HEADERS
            } else {
                ""
            };
            json!({ "query": query, "headers": headers })
        })
        .collect();
    // `<` escaped, so no text in an example can close the data block.
    let tabs = serde_json::to_string(&tabs)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let mut links = String::new();
    let mut scripts = String::new();
    for asset in ASSETS.iter() {
        let href = format!("{ASSET_DIR}/{}", asset.name);
        if asset.content_type == CSS {
            links.push_str(&format!("<link rel=\"stylesheet\" href=\"{href}\">\n"));
        } else {
            scripts.push_str(&format!("<script src=\"{href}\"></script>\n"));
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Yhdyspinta API · GraphiQL</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"license\" href=\"{ASSET_DIR}/LICENSES.txt\">\n{links}</head>\n<body>\n\
         <div id=\"graphiql\">Loading GraphiQL…</div>\n\
         <noscript>GraphiQL needs JavaScript. The API itself answers at /graphql.</noscript>\n\
         <script type=\"application/json\" id=\"yhdyspinta-examples\">{tabs}</script>\n\
         {scripts}</body>\n</html>\n"
    )
});

/// The page and its assets.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/graphiql", get(page))
        .route("/assets/graphiql/{file}", get(asset))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Revalidated each time: it names the current build's assets.
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    if file == "LICENSES.txt" {
        let headers = [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ];
        return (headers, LICENSES).into_response();
    }
    match ASSETS.iter().find(|asset| asset.name == file) {
        Some(asset) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            ],
            asset.bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "no such asset\n",
        )
            .into_response(),
    }
}
