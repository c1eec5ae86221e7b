//! The embeddable web component: the script at `/embed/yhdyspinta.js` as any site loads it,
//! its persisted GET queries, its size, and in headless Chromium on pages of a fictional
//! municipal site served from another origin: what it shows from the seed data, in Finnish
//! and Swedish, its loading and error states, accessibility (axe-core), the host page's
//! colours and the keyboard.

use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use entity::enums::{Level, Visibility};
use serde_json::{Value, json};
use yhdyspinta::http::embed::{DOCUMENTS, PATH, sha256_hex};

use crate::both;
use crate::support::browser;
use crate::support::fixtures::{self, Rep};
use crate::support::*;

/// The served script must stay small: gzip of it, in bytes (6 037 now, best compression).
const GZIP_BOUND: usize = 7 * 1024;

async fn script(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(PATH));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

both! {
    async fn the_script_is_served_to_any_site(app: TestApp) {
        let response = script(&app, &[("origin", "https://www.kunta.example.org")]).await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["access-control-allow-origin"], "*");
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let text = response.text().await.unwrap();
        assert!(!text.contains("__YHDYSPINTA_DOCUMENTS__"));
        // Each document with its text and its hash, as the component sends them.
        for document in DOCUMENTS {
            assert!(text.contains(&sha256_hex(document)));
            assert!(text.contains(&serde_json::to_string(document).unwrap()));
        }
        let again = script(&app, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
        let weak = format!("W/{etag}");
        assert_eq!(script(&app, &[("if-none-match", &weak)]).await.status(), 304);
        assert_eq!(script(&app, &[("if-none-match", "\"other\"")]).await.status(), 200);
    }
}

/// With `--cors-origin` naming only an intranet, the script is still anyone's to load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_ignores_the_cors_allow_list() {
    let args = yhdyspinta::config::ServeArgs {
        cors_origins: vec!["https://intra.kuopio.example.org".into()],
        ..Default::default()
    };
    let app = spawn_app_with_args(Backend::Sqlite, args).await.unwrap();
    let response = script(&app, &[("origin", "https://www.kunta.example.org")]).await;
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_is_small() {
    let app = spawn_app().await;
    let text = script(&app, &[]).await.bytes().await.unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&text).unwrap();
    let size = gzip.finish().unwrap().len();
    eprintln!("{PATH}: {} bytes, {size} bytes gzipped", text.len());
    assert!(
        size < GZIP_BOUND,
        "{size} bytes gzipped; the bound is {GZIP_BOUND}"
    );
}

/// A persisted GET for `document`: the hash alone, or with the text.
async fn persisted(
    app: &TestApp,
    document: &str,
    variables: &Value,
    with_text: bool,
) -> (u16, Value, String) {
    let extensions =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(document) } });
    let mut query = vec![
        ("variables", variables.to_string()),
        ("extensions", extensions.to_string()),
    ];
    if with_text {
        query.push(("query", document.to_owned()));
    }
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&query)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        status,
        response.json().await.unwrap(),
        cache.unwrap_or_default(),
    )
}

both! {
    async fn the_documents_answer_as_persisted_get_queries(app: TestApp) {
        let variables = json!({ "code": "297", "lang": "SV" });
        for document in DOCUMENTS {
            let (status, full, cache) = persisted(&app, document, &variables, true).await;
            assert_eq!(status, 200, "{full}");
            assert!(full.get("errors").is_none(), "{full}");
            assert_eq!(cache, "public, max-age=60", "a CDN may keep the answer");
            // The hash alone: the documents are built in, registered at start, so the
            // short URL is answered with the same data.
            let (status, by_hash, _) = persisted(&app, document, &variables, false).await;
            assert_eq!(status, 200, "{by_hash}");
            assert_eq!(by_hash["data"], full["data"]);
        }
        let (_, counterparts, _) = persisted(&app, DOCUMENTS[0], &variables, true).await;
        let pairs = counterparts["data"]["counterparts"].as_array().unwrap();
        assert_eq!(pairs.len(), 5 * 4);
        assert_eq!(pairs[0]["municipality"]["county"]["name"], "Norra Savolax välfärdsområde");
        let (_, networks, _) = persisted(&app, DOCUMENTS[1], &json!({ "code": "844", "lang": "FI" }), true).await;
        assert_eq!(networks["data"]["organisation"]["name"], "Tervo");
        assert_eq!(networks["data"]["networks"]["totalCount"], 16);
    }
}

/// The fictional site's pages, each with the two-line embed; `{API}` is the API's origin.
const PAGES: [(&str, &str); 3] = [
    ("fi.html", include_str!("../browser/site/fi.html")),
    ("sv.html", include_str!("../browser/site/sv.html")),
    ("virhe.html", include_str!("../browser/site/virhe.html")),
];

/// Serves [`PAGES`] on a loopback port of its own: another origin than the API's.
async fn municipal_site(api: &str) -> SocketAddr {
    let mut router = axum::Router::new();
    for (name, page) in PAGES {
        let html = page.replace("{API}", api);
        router = router.route(
            &format!("/{name}"),
            axum::routing::get(move || async move {
                ([("content-type", "text/html; charset=utf-8")], html)
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// Two fictional representatives of Kuopio for employment at the interface level: one
/// public, one internal (whose contacts anonymous callers never see).
async fn kuopio_people(app: &TestApp) {
    let kuopio = fixtures::municipality(&app.db, "297").await;
    let employment = fixtures::topic(&app.db, "employment").await;
    for (name, visibility) in [
        ("Aino Esimerkki", Visibility::Public),
        ("Ilkka Sisäinen", Visibility::Internal),
    ] {
        let person = fixtures::person(&app.db, name, kuopio, visibility).await;
        let rep = Rep {
            person,
            organisation: kuopio,
            topic: employment,
            level: Level::Interface,
            serves: &[],
            valid_from: None,
            valid_to: None,
        };
        fixtures::representative(&app.db, rep).await;
    }
}

fn component<'a>(page: &'a Value, tag: &str) -> &'a Value {
    page["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tag"] == tag)
        .unwrap_or_else(|| panic!("no {tag}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// One engine is enough here: the queries are tested on both above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_components_render_on_a_municipal_site_in_headless_chromium() {
    let Some(browser::Tools {
        chromium,
        node,
        script,
    }) = browser::tools("embed.mjs")
    else {
        return;
    };
    let app = spawn_app().await;
    kuopio_people(&app).await;
    let api = app.url("");
    let site = municipal_site(&api).await;
    let mut command = Command::new(node);
    command
        .arg(script)
        .arg(format!("http://{site}/"))
        .arg(chromium);
    if let Some(shot) = std::env::var_os("YHDYSPINTA_SCREENSHOT") {
        command.arg(shot);
    }
    let stdout = tokio::task::spawn_blocking(move || {
        browser::output_within(command, Duration::from_secs(120))
    })
    .await
    .unwrap();
    let report: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not a report: {stdout}"));
    assert!(report.get("error").is_none(), "{report:#}");
    // Nothing leaves 127.0.0.1; the site and the API are two origins there.
    assert_eq!(report["offHost"], json!([]));
    for request in strings(&report["requests"]) {
        let url = request.split_once(' ').unwrap().1;
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("data:"),
            "{url}"
        );
    }
    assert_eq!(report["errors"], json!([]), "script errors");
    persisted_requests(&report, &api);
    finnish_page(&report["pages"]["fi.html"]);
    swedish_page(&report["pages"]["sv.html"]);
    error_page(&report["pages"]["virhe.html"]);
    for (name, page) in report["pages"].as_object().unwrap() {
        let axe = &page["axe"];
        assert_eq!(axe["violations"], json!([]), "axe-core on {name}");
        assert!(
            axe["shadowNodesPassed"].as_u64().unwrap() > 10,
            "axe looked inside the components on {name}: {axe}"
        );
    }
}

/// Each component's queries: a GET with the hash alone first, then — when the server does
/// not know the hash — one GET with the text too; both cross-origin, allowed by CORS.
fn persisted_requests(report: &Value, api: &str) {
    let requests = report["graphql"].as_array().unwrap();
    assert!(!requests.is_empty());
    let hashes: Vec<String> = DOCUMENTS.iter().map(|d| sha256_hex(d)).collect();
    let mut groups: Vec<(String, Vec<&Value>)> = Vec::new();
    for request in requests {
        assert_eq!(request["method"], "GET", "{request}");
        assert_eq!(request["allowOrigin"], "*", "{request}");
        assert!(
            hashes.contains(&request["hash"].as_str().unwrap().to_owned()),
            "{request}"
        );
        let key = format!(
            "{} {} {}",
            request["page"], request["operationName"], request["variables"]
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(request),
            None => groups.push((key, vec![request])),
        }
    }
    // fi: 2 components, sv: 2, virhe: 1 (the other has no municipality and asks nothing).
    assert_eq!(groups.len(), 5, "{groups:?}");
    let mut retried = 0;
    for (key, list) in &groups {
        assert_eq!(list[0]["withQuery"], false, "{key}: the hash alone first");
        // The text follows only when the server did not know the hash: before a persisted
        // query store, a GET without a query does not parse.
        let unknown = ["PERSISTED_QUERY_NOT_FOUND", "GRAPHQL_PARSE_FAILED"];
        if list[0]["hasData"] == true
            || !unknown.contains(&list[0]["code"].as_str().unwrap_or_default())
        {
            assert_eq!(list.len(), 1, "{key}: {list:?}");
        } else {
            assert_eq!(list.len(), 2, "{key}: {list:?}");
            assert_eq!(list[1]["withQuery"], true, "{key}");
            assert_eq!(list[1]["hash"], list[0]["hash"], "{key}");
            retried += 1;
        }
    }
    // On the Swedish page the browser test answered the hash alone as an API node that has
    // not seen it: each component sent the text next.
    for (key, list) in groups.iter().filter(|(key, _)| key.contains("/sv.html")) {
        assert_eq!(list[0]["code"], "PERSISTED_QUERY_NOT_FOUND", "{key}");
        assert_eq!(list.len(), 2, "{key}");
        assert_eq!(list[1]["hasData"], true, "{key}");
    }
    // Chromium logs each refused hash-only GET; nothing else is logged as an error.
    assert!(report["unknownHashLogs"].as_array().unwrap().len() <= retried);
    assert!(api.starts_with("http://127.0.0.1:"));
}

fn finnish_page(page: &Value) {
    assert_eq!(page["lang"], "fi");
    assert_eq!(strings(&page["loading"]), ["Ladataan…", "Ladataan…"]);
    let counterparts = component(page, "yhdyspinta-counterparts");
    assert_eq!(counterparts["lang"], "fi");
    assert_eq!(counterparts["status"]["text"], "");
    assert_eq!(counterparts["status"]["live"], "polite");
    let headings: Vec<String> = counterparts["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} {}",
                h["tag"].as_str().unwrap(),
                h["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        headings,
        [
            "h2 Vastinparit: Kuopio",
            "h3 Hyvinvoinnin, terveyden ja osallisuuden edistäminen",
            "h3 Sivistys-, sosiaali- ja terveydenhuollon yhteistyö",
            "h3 Työllisyyden edistäminen",
            "h3 Kotoutuminen ja maahanmuutto",
            "h3 Turvallisuus ja häiriötilanteisiin varautuminen",
        ]
    );
    assert_eq!(
        counterparts["langs"],
        json!([]),
        "all Finnish on a Finnish page"
    );
    let hyte = &counterparts["tables"][0];
    assert_eq!(
        hyte["label"],
        "Hyvinvoinnin, terveyden ja osallisuuden edistäminen"
    );
    assert_eq!(
        strings(&hyte["head"]),
        [
            "th[col] Taso",
            "th[col] Kuopio",
            "th[col] Pohjois-Savon hyvinvointialue"
        ]
    );
    let interface = strings(&hyte["rows"][1]);
    assert_eq!(interface[0], "th[row] Yhdyspintataso");
    assert_eq!(interface[1], "Ei nimetty");
    // The county's coordinators named in document 003, once each, with their sub-themes.
    let county = &interface[2];
    for expected in [
        "Säde Rytkönen, Hyvinvointikoordinaattori Pohjois-Savon hyvinvointialue Kaatumisten ehkäisy, ",
        "Marika Lätti, Hyvinvointikoordinaattori",
        "Helena Törmi, Ehkäisevän mielenterveys- ja päihdetyön koordinaattori Pohjois-Savon hyvinvointialue Ehkäisevä mielenterveys- ja päihdetyö",
        "Väkivaltatyö ja väkivallan ehkäisy",
        "Ravitsemus",
    ] {
        assert!(county.contains(expected), "{expected:?} not in {county}");
    }
    assert_eq!(county.matches("Säde Rytkönen").count(), 1, "{county}");
    assert_eq!(strings(&hyte["rows"][0])[0], "th[row] Johdon taso");
    // Employment, interface level: the fictional public person with her contacts; the
    // internal one by name only.
    let employment = strings(&counterparts["tables"][2]["rows"][1]);
    assert!(employment[1].contains("Aino Esimerkki, Testikoordinaattori Kuopio Sähköposti: aino.esimerkki@example.org Puhelin: +358401234567"), "{employment:?}");
    assert!(employment[1].contains("Ilkka Sisäinen"), "{employment:?}");
    let links: Vec<String> = counterparts["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        links,
        ["mailto:aino.esimerkki@example.org", "tel:+358401234567"]
    );

    let networks = component(page, "yhdyspinta-networks");
    assert_eq!(networks["headings"][0]["text"], "Verkostot: Tervo");
    let items = networks["items"].as_array().unwrap();
    assert_eq!(items.len(), 16);
    let forum = items
        .iter()
        .find(|i| i["name"] == "Kuntafoorumi")
        .expect("Kuntafoorumi");
    assert_eq!(
        strings(&forum["facts"]),
        [
            "Tyyppi: Foorumi",
            "Kokoonkutsuja: Pohjois-Savon hyvinvointialue",
            "Kokoontuu: kaksi kertaa vuodessa"
        ]
    );
    let calendar = networks["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["text"] == "Kokoukset kalenteriin: Kuntafoorumi")
        .expect("the forum's calendar link");
    let href = calendar["href"].as_str().unwrap();
    assert!(
        href.contains("/calendar/networks/") && href.ends_with(".ics"),
        "{href}"
    );
    // The host page's custom property colours the networks' links; the counterparts keep
    // the default.
    assert_eq!(networks["linkColor"], "rgb(0, 100, 0)");
    assert_eq!(networks["headingColor"], "rgb(0, 54, 93)");
    assert_eq!(counterparts["linkColor"], "rgb(11, 83, 148)");
    // The keyboard reaches the contact links and the calendar links, with a focus ring.
    let keyboard = page["keyboard"].as_array().unwrap();
    assert_eq!(
        keyboard[0]["href"], "mailto:aino.esimerkki@example.org",
        "{keyboard:?}"
    );
    assert_eq!(keyboard[0]["outline"], "solid");
    assert!(
        keyboard.iter().any(|k| k["host"] == "yhdyspinta-networks"),
        "{keyboard:?}"
    );
}

fn swedish_page(page: &Value) {
    assert_eq!(page["lang"], "sv");
    assert_eq!(strings(&page["loading"]), ["Laddar…", "Laddar…"]);
    let counterparts = component(page, "yhdyspinta-counterparts");
    assert_eq!(counterparts["lang"], "sv");
    // heading-level="3": the component starts at h3 under the page's h2.
    assert_eq!(counterparts["headings"][0]["tag"], "h3");
    assert_eq!(counterparts["headings"][0]["text"], "Motparter: Kuopio");
    // The topics have no Swedish names: the Finnish ones, marked as Finnish.
    let topic = &counterparts["headings"][1];
    assert_eq!(topic["tag"], "h4");
    assert_eq!(
        topic["langs"],
        json!([["fi", "Hyvinvoinnin, terveyden ja osallisuuden edistäminen"]])
    );
    let hyte = &counterparts["tables"][0];
    assert_eq!(
        strings(&hyte["head"]),
        [
            "th[col] Nivå",
            "th[col] Kuopio",
            "th[col] Norra Savolax välfärdsområde"
        ]
    );
    assert_eq!(strings(&hyte["rows"][1])[0], "th[row] Gränsytnivå");
    assert_eq!(strings(&hyte["rows"][1])[1], "Ingen utsedd");
    let langs = counterparts["langs"].as_array().unwrap();
    assert!(
        langs.contains(&json!(["fi", "Hyvinvointikoordinaattori"])),
        "titles are Finnish: {langs:?}"
    );
    assert!(
        langs.contains(&json!(["fi", "Kaatumisten ehkäisy"])),
        "{langs:?}"
    );

    let networks = component(page, "yhdyspinta-networks");
    assert_eq!(networks["lang"], "sv", "inherited from the page");
    assert_eq!(networks["headings"][0]["text"], "Nätverk: Tervo");
    let forum = networks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Kuntafoorumi")
        .unwrap();
    assert_eq!(
        strings(&forum["facts"]),
        [
            "Typ: Forum",
            "Sammankallande: Norra Savolax välfärdsområde",
            "Sammanträder: kaksi kertaa vuodessa"
        ]
    );
    assert!(
        forum["langs"]
            .as_array()
            .unwrap()
            .contains(&json!(["fi", "Kuntafoorumi"]))
    );
    assert!(
        forum["langs"]
            .as_array()
            .unwrap()
            .contains(&json!(["fi", "kaksi kertaa vuodessa"]))
    );
    let calendar = networks["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["text"] == "Mötena i kalendern: Kuntafoorumi")
        .unwrap();
    assert!(calendar["href"].as_str().unwrap().ends_with(".ics?lang=sv"));
}

fn error_page(page: &Value) {
    let counterparts = component(page, "yhdyspinta-counterparts");
    assert_eq!(
        counterparts["status"]["text"],
        "Kuntaa ei löytynyt kuntanumerolla 999."
    );
    assert_eq!(counterparts["status"]["error"], true);
    assert_eq!(counterparts["headings"], json!([]));
    let networks = component(page, "yhdyspinta-networks");
    assert_eq!(
        networks["status"]["text"],
        "Kuntanumero puuttuu (municipality-attribuutti)."
    );
}
