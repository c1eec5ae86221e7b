//! Free-text search through the index: endings, accents, typos, Swedish names, ranking,
//! paging, the list filters' `text`, and the index following writes.

use entity::enums::Visibility;
use serde_json::{Value, json};

use crate::both;
use crate::support::fixtures;
use crate::support::*;

const SEARCH: &str =
    "query($t: String!, $n: Int, $a: String) { search(text: $t, first: $n, after: $a) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor }
    nodes {
        __typename
        ... on Organisation { id name municipalityCode countyCode }
        ... on Network { id name }
        ... on Person { id name }
        ... on Action { id title }
    }
} }";

/// The `search` connection for `text`, `first` and `after`.
async fn search(app: &TestApp, text: &str, first: Option<i64>, after: Option<&str>) -> Value {
    app.query(SEARCH, json!({ "t": text, "n": first, "a": after }))
        .await["search"]
        .clone()
}

/// The nodes of the first page of `text`.
async fn nodes(app: &TestApp, text: &str) -> Vec<Value> {
    search(app, text, Some(20), None).await["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

both! {
    async fn endings_accents_and_typos_are_forgiven(app: TestApp) {
        for text in ["Kuopio", "kuopion", "KUOPIOSSA", "kupio", "Kuopoi"] {
            let found = nodes(&app, text).await;
            assert_eq!(found[0]["__typename"], "Organisation", "{text}: {found:?}");
            assert_eq!(found[0]["municipalityCode"], "297", "{text}: {found:?}");
        }
        for text in ["Siilinjärvi", "siilinjarvi", "SIILINJÄRVEN", "silinjarvi"] {
            let found = nodes(&app, text).await;
            assert_eq!(found[0]["municipalityCode"], "749", "{text}: {found:?}");
        }
        // Å and Ö fold too: Närpes is Närpiö, Jakobstad Pietarsaari.
        assert_eq!(nodes(&app, "narpio").await[0]["municipalityCode"], "545");
        let hyte = nodes(&app, "hyte").await;
        assert!(
            hyte.iter().any(|r| r["__typename"] == "Network"
                && r["name"].as_str().unwrap().to_lowercase().contains("hyte")),
            "hyte finds the HYTE networks: {hyte:?}"
        );
        // Neither a prefix nor a word within a typo of anything: nothing, and no error.
        let none = search(&app, "zzzyyyxxx", None, None).await;
        assert_eq!(none["nodes"], json!([]));
        assert_eq!(none["totalCount"], 0);
        // Every word must match.
        assert_eq!(search(&app, "kuopio zzzyyyxxx", None, None).await["totalCount"], 0);
    }
}

both! {
    async fn swedish_names_are_found_and_shown(app: TestApp) {
        for (text, code) in [("Helsingfors", "091"), ("Borgå", "638"), ("borga", "638"), ("Vasa", "905")] {
            let found = nodes(&app, text).await;
            assert_eq!(found[0]["municipalityCode"], code, "{text}: {found:?}");
        }
        let found = nodes(&app, "Norra Savolax välfärdsområde").await;
        assert_eq!(found[0]["__typename"], "Organisation");
        assert_eq!(found[0]["countyCode"], "13", "{found:?}");
        assert_eq!(found[0]["name"], "Pohjois-Savon hyvinvointialue");
        let data = app
            .query(
                "{ organisation(municipalityCode: \"638\") { fi: name sv: name(lang: SV) county { sv: name(lang: SV) } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["organisation"]["fi"], "Porvoo");
        assert_eq!(data["organisation"]["sv"], "Borgå");
        assert_eq!(data["organisation"]["county"]["sv"], "Östra Nylands välfärdsområde");
    }
}

both! {
    async fn the_best_match_comes_first_across_kinds(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let county = fixtures::county(&app.db, "13").await;
        let topic = fixtures::topic(&app.db, "employment").await;
        fixtures::network(&app.db, "Rankisen pitkä testiverkosto ja sen monet jäsenet", county, topic, &[]).await;
        fixtures::person(&app.db, "Vilja Rankinen", kuopio, Visibility::Public).await;
        let found = nodes(&app, "rankinen").await;
        let kinds: Vec<&str> = found.iter().map(|r| r["__typename"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["Person", "Network"], "{found:?}");
        assert_eq!(found[0]["name"], "Vilja Rankinen");
        // The municipality itself before anything that only mentions it.
        let found = nodes(&app, "kuopio").await;
        assert_eq!(found[0]["municipalityCode"], "297");
        assert!(found.len() > 1, "{found:?}");
    }
}

both! {
    async fn search_pages_are_a_connection(app: TestApp) {
        let all = search(&app, "kuopio", Some(100), None).await;
        let total = all["totalCount"].as_u64().unwrap();
        assert!(total >= 3, "{all}");
        assert_eq!(all["nodes"].as_array().unwrap().len() as u64, total);
        // Two pages of one are the first two, in the same order.
        let first = search(&app, "kuopio", Some(1), None).await;
        assert_eq!(first["totalCount"], total);
        assert_eq!(first["pageInfo"]["hasNextPage"], true);
        assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
        let cursor = first["pageInfo"]["endCursor"].as_str().unwrap();
        let second = search(&app, "kuopio", Some(1), Some(cursor)).await;
        assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
        let paged: Vec<Value> = [&first, &second]
            .iter()
            .flat_map(|p| p["nodes"].as_array().unwrap().clone())
            .collect();
        assert_eq!(paged, all["nodes"].as_array().unwrap()[..2].to_vec());
        // Default page 20; `first: 0` counts without rows; past the end is empty.
        let default = search(&app, "a", None, None).await;
        assert_eq!(default["nodes"].as_array().unwrap().len(), 20);
        let counted = search(&app, "kuopio", Some(0), None).await;
        assert_eq!(counted["totalCount"], total);
        assert_eq!(counted["nodes"], json!([]));
        let last = all["edges"][total as usize - 1]["cursor"].as_str().unwrap().to_owned();
        let after_last = search(&app, "kuopio", Some(5), Some(&last)).await;
        assert_eq!(after_last["nodes"], json!([]));
        assert_eq!(after_last["totalCount"], total);
    }
}

both! {
    async fn bad_search_input_names_the_field(app: TestApp) {
        for (variables, field) in [
            (json!({ "t": "  ?? " }), "text"),
            (json!({ "t": "a b c d e f g h i j k" }), "text"),
            (json!({ "t": "k".repeat(201) }), "text"),
            (json!({ "t": "kuopio", "n": 101 }), "first"),
            (json!({ "t": "kuopio", "a": "not-a-cursor" }), "after"),
        ] {
            let error = app.error(SEARCH, variables.clone()).await;
            assert_eq!(code(&error), "BAD_USER_INPUT", "{variables}");
            assert_eq!(error["extensions"]["field"], field, "{variables}");
        }
    }
}

both! {
    async fn list_filters_use_the_index(app: TestApp) {
        let names = |data: &Value, list: &str| -> Vec<String> {
            data[list]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["name"].as_str().unwrap().to_owned())
                .collect()
        };
        for text in ["kuopion", "kupio", "KUOPIO"] {
            let data = app
                .query(
                    "query($t: String) { organisations(filter: { text: $t, kind: [MUNICIPALITY] }) { totalCount nodes { name } } }",
                    json!({ "t": text }),
                )
                .await;
            assert_eq!(names(&data, "organisations"), ["Kuopio"], "{text}");
        }
        let data = app
            .query(
                "{ organisations(filter: { text: \"Helsingfors\" }) { nodes { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(names(&data, "organisations"), ["Helsinki"]);
        let data = app
            .query(
                "{ networks(filter: { text: \"hyte\", includeInactive: true }) { totalCount nodes { name } } }",
                json!({}),
            )
            .await;
        assert!(data["networks"]["totalCount"].as_u64().unwrap() >= 1, "{data}");
        assert!(names(&data, "networks").iter().all(|n| n.to_lowercase().contains("hyte")), "{data}");
        let data = app
            .query(
                "{ organisations(filter: { text: \"zzzyyyxxx\" }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(data["organisations"]["totalCount"], 0);
        // A text without words filters nothing out, as before.
        let data = app
            .query("{ a: organisations(filter: { text: \" - \" }) { totalCount } b: organisations { totalCount } }", json!({}))
            .await;
        assert_eq!(data["a"]["totalCount"], data["b"]["totalCount"]);
    }
}

both! {
    async fn the_index_follows_writes_in_their_transaction(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(yhdyspinta::auth::policy::Role::Editor, &[kuopio]);
        let created = app
            .post_as(
                &editor,
                "mutation($p: ID!) { createOrganisation(input: { kind: NGO, name: { fi: \"Vesiperäntien testiyhdistys\" }, parentId: $p }) { organisation { id version } } }",
                json!({ "p": kuopio.to_string() }),
            )
            .await;
        let id = created["data"]["createOrganisation"]["organisation"]["id"].clone();
        assert!(id.is_string(), "{created}");
        let found = nodes(&app, "Vesiperäntien testiyhdistys").await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["id"], id);
        let renamed = app
            .post_as(
                &editor,
                "mutation($id: ID!) { updateOrganisation(input: { id: $id, version: 1, name: { fi: \"Vesiperäntien testiyhdistys\", sv: \"Vattenvägens testförening\" } }) { organisation { version } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(renamed["data"]["updateOrganisation"]["organisation"]["version"], 2, "{renamed}");
        assert_eq!(nodes(&app, "vattenvagens").await[0]["id"], id);
        assert_eq!(nodes(&app, "vesiperantien").await[0]["id"], id);
        let deleted = app
            .post_as(
                &editor,
                "mutation($id: ID!) { deleteOrganisation(input: { id: $id, version: 2 }) { deletedId } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(deleted["data"]["deleteOrganisation"]["deletedId"], id, "{deleted}");
        assert_eq!(search(&app, "vattenvagens", None, None).await["totalCount"], 0);
        assert_eq!(search(&app, "vesiperantien", None, None).await["totalCount"], 0);
    }
}

/// A database migrated and seeded before the search index and the Swedish names, migrated
/// and seeded again: the index is backfilled and the names added. (Seeded with today's
/// schema, which the seed writes, then taken back to the first migration.)
async fn existing_database_catches_up(url: &str) {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    use yhdyspinta::db::page::Window;
    use yhdyspinta::domain::search::service::{Found, search};

    let db = yhdyspinta::db::connect(url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    yhdyspinta::seed::load(&db).await.unwrap();
    let later = Migrator::get_migration_files().len() as u32 - 1;
    Migrator::down(&db, Some(later)).await.unwrap();
    // As seeded before Swedish names (the names here need no folding).
    db.execute_unprepared(
        "UPDATE organisation SET name_sv = NULL, search_text = ' ' || lower(name_fi) || ' '",
    )
    .await
    .unwrap();
    yhdyspinta::prepare(&db, true).await.unwrap();
    let window = Window {
        offset: 0,
        limit: 5,
    };
    let first = |found: Vec<Found>| match found.into_iter().next() {
        Some(Found::Organisation(o)) => o.name_fi,
        _ => String::from("<none>"),
    };
    assert_eq!(
        first(search(&db, "kupio", window).await.unwrap().0),
        "Kuopio"
    );
    assert_eq!(search(&db, "helsingfors", window).await.unwrap().1, 0);
    let report = yhdyspinta::seed::load(&db).await.unwrap();
    assert!(report.swedish_names > 300, "{report:?}");
    assert_eq!(report.total(), 0);
    assert_eq!(
        first(search(&db, "helsingfors", window).await.unwrap().0),
        "Helsinki"
    );
    assert_eq!(yhdyspinta::seed::load(&db).await.unwrap().swedish_names, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_sqlite_database_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    existing_database_catches_up(&format!("sqlite://{}", dir.path().join("old.db").display()))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_postgres_database_catches_up() {
    let Some(cluster) = postgres::cluster() else {
        eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run");
        return;
    };
    let name = unique("old");
    existing_database_catches_up(&postgres::create_database(cluster, &name, None).await).await;
}
