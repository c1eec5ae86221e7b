//! Every filter of the list fields, against the shipped data.

use serde_json::{Value, json};

use crate::both;
use crate::support::*;

fn nodes(data: &Value, field: &str) -> Vec<Value> {
    data[field]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

const NETWORKS: &str = "query($f: NetworkFilter) { networks(filter: $f, first: 100) {
    totalCount edges { node { id name kind level parent { id } convener { id } topics { slug parent { slug } } } } } }";

both! {
    async fn network_filters(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await.to_string();
        let data = app.query(NETWORKS, json!({ "f": { "kind": ["SERVICE_DISCUSSION"] } })).await;
        let list = nodes(&data, "networks");
        assert_eq!(list.len(), 2);
        assert!(list.iter().all(|n| n["kind"] == "SERVICE_DISCUSSION"));

        let data = app.query(NETWORKS, json!({ "f": { "level": "LEADERSHIP", "convenerId": county } })).await;
        let list = nodes(&data, "networks");
        assert!(list.iter().any(|n| n["name"] == "Kuntafoorumi"));
        assert!(list.iter().all(|n| n["level"] == "LEADERSHIP" && n["convener"]["id"] == county));

        let data = app.query(NETWORKS, json!({ "f": { "text": "hyte neuvottelukunta" } })).await;
        let board = nodes(&data, "networks")[0]["id"].clone();
        let data = app.query(NETWORKS, json!({ "f": { "parentId": board } })).await;
        let subs = nodes(&data, "networks");
        assert!(subs.len() >= 8, "the HYTE board has its theme networks: {}", subs.len());
        assert!(subs.iter().all(|n| n["parent"]["id"] == board));

        let data = app.query(NETWORKS, json!({ "f": { "topLevelOnly": true } })).await;
        assert!(nodes(&data, "networks").iter().all(|n| n["parent"].is_null()));

        let data = app.query(NETWORKS, json!({ "f": { "topic": "employment" } })).await;
        let list = nodes(&data, "networks");
        assert!(list.iter().filter(|n| n["name"].as_str().unwrap().contains("TYP")).count() >= 3);
        assert!(list.iter().all(|n| n["topics"].as_array().unwrap().iter().any(|t| t["slug"] == "employment" || t["parent"]["slug"] == "employment")));

        let data = app.query(NETWORKS, json!({ "f": { "text": "TYP-johtoryhmä" } })).await;
        assert_eq!(data["networks"]["totalCount"], 3);

        // Networks of another county are not Pohjois-Savo's.
        let karelia = fixtures::county(&app.db, "14").await.to_string();
        let data = app.query(NETWORKS, json!({ "f": { "countyId": karelia, "includeInactive": true } })).await;
        assert!(nodes(&data, "networks").iter().any(|n| n["name"].as_str().unwrap().to_lowercase().contains("kuntayhteistyöryhmä")));
        assert!(!nodes(&data, "networks").iter().any(|n| n["name"] == "Kuntafoorumi"));

        let error = app.error(NETWORKS, json!({ "f": { "memberId": county, "municipalityCode": "297" } })).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
    }
}

both! {
    async fn meeting_filters(app: TestApp) {
        let query = "query($f: MeetingFilter) { meetings(filter: $f) { totalCount edges { node { startsAt network { name } } } } }";
        let joensuu = fixtures::municipality(&app.db, "167").await.to_string();
        let on_the_day = app.query(query, json!({ "f": { "from": "2021-10-01", "to": "2021-10-01" } })).await;
        assert_eq!(on_the_day["meetings"]["totalCount"], 1);
        let later = app.query(query, json!({ "f": { "from": "2021-10-02" } })).await;
        assert!(nodes(&later, "meetings").iter().all(|m| m["startsAt"].as_str().unwrap() > "2021-10-02"));
        let member = app.query(query, json!({ "f": { "organisationId": joensuu } })).await;
        assert_eq!(member["meetings"]["totalCount"], 1);
        assert!(nodes(&member, "meetings")[0]["network"]["name"].as_str().unwrap().contains("kuntayhteistyöryhmä"));
        let error = app.error(query, json!({ "f": { "from": "2021-10-02", "to": "2021-10-01" } })).await;
        assert_eq!(error["extensions"]["field"], "filter.to");
    }
}

both! {
    async fn action_filters(app: TestApp) {
        let query = "query($f: ActionFilter) { actions(filter: $f, first: 100) { totalCount edges { node { title status topic { slug } responsibleOrganisations { id } } } } }";
        let all = app.query(query, json!({})).await;
        let total = all["actions"]["totalCount"].as_i64().unwrap();
        assert!(total >= 40, "every action of the tables: {total}");
        let data = app.query(query, json!({ "f": { "topic": "employment" } })).await;
        let employment = nodes(&data, "actions");
        assert!(!employment.is_empty());
        assert!(employment.iter().all(|a| a["topic"]["slug"] == "employment"));
        let data = app.query(query, json!({ "f": { "status": ["PLANNED", "IN_PROGRESS"] } })).await;
        let not_reported = app.query(query, json!({ "f": { "reported": false } })).await;
        let open = app.query(query, json!({ "f": { "open": true } })).await;
        let closed = app.query(query, json!({ "f": { "open": false } })).await;
        // Open: planned, in progress, or not reported yet.
        assert_eq!(
            data["actions"]["totalCount"].as_i64().unwrap() + not_reported["actions"]["totalCount"].as_i64().unwrap(),
            open["actions"]["totalCount"].as_i64().unwrap()
        );
        assert_eq!(
            open["actions"]["totalCount"].as_i64().unwrap() + closed["actions"]["totalCount"].as_i64().unwrap(),
            total
        );
        let county = fixtures::county(&app.db, "13").await.to_string();
        let data = app.query(query, json!({ "f": { "responsibleOrganisationId": county } })).await;
        let mine = nodes(&data, "actions");
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|a| a["responsibleOrganisations"].as_array().unwrap().iter().any(|o| o["id"] == county)));
        let unassigned = app.query(query, json!({ "f": { "unassigned": true } })).await;
        let assigned = app.query(query, json!({ "f": { "unassigned": false } })).await;
        assert_eq!(
            unassigned["actions"]["totalCount"].as_i64().unwrap() + assigned["actions"]["totalCount"].as_i64().unwrap(),
            total
        );
        let data = app.query(query, json!({ "f": { "text": "asunnottomuuden" } })).await;
        assert!(nodes(&data, "actions").iter().any(|a| a["title"].as_str().unwrap().to_lowercase().contains("asunnottomuu")));
    }
}

both! {
    async fn areas_goals_and_topics(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await.to_string();
        let karelia = fixtures::county(&app.db, "14").await.to_string();
        let data = app
            .query(
                "query($c: ID, $k: ID) { typ: areas(countyId: $c, kind: EMPLOYMENT) { name }
                   talks: areas(kind: SERVICE_DISCUSSION) { name municipalities { municipalityCode } }
                   none: areas(countyId: $k) { name }
                   agreements { id }
                   common: topics(kind: COMMON_THEME) { slug }
                   hyte: topic(slug: \"health-promotion\") { children { slug parent { slug } } } }",
                json!({ "c": county, "k": karelia }),
            )
            .await;
        assert_eq!(data["typ"].as_array().unwrap().len(), 3);
        assert_eq!(data["talks"].as_array().unwrap().len(), 2);
        assert_eq!(data["none"], json!([]));
        assert_eq!(data["common"].as_array().unwrap().len(), 6);
        let children = data["hyte"]["children"].as_array().unwrap();
        assert!(!children.is_empty());
        assert!(children.iter().all(|c| c["parent"]["slug"] == "health-promotion"));
        let agreement = data["agreements"][0]["id"].clone();
        let goals = app
            .query("query($a: ID) { goals(agreementId: $a) { sortOrder agreement { id } } }", json!({ "a": agreement }))
            .await;
        let orders: Vec<i64> = goals["goals"].as_array().unwrap().iter().map(|g| g["sortOrder"].as_i64().unwrap()).collect();
        assert_eq!(orders, vec![1, 2, 3, 4]);
    }
}
