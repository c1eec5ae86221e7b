//! The narrower rules of the access model (src/auth/policy.rs): shared actions, national
//! reference data, naming persons, and internal contact details.

use entity::action_organisation;
use entity::enums::{Level, Visibility};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures::{self, Rep};
use crate::support::*;

/// The responsible organisations of an action, sorted.
async fn responsible(app: &TestApp, action: Uuid) -> Vec<Uuid> {
    let mut orgs: Vec<Uuid> = action_organisation::Entity::find()
        .filter(action_organisation::Column::ActionId.eq(action))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.organisation_id)
        .collect();
    orgs.sort();
    orgs
}

fn sorted(mut orgs: Vec<Uuid>) -> Vec<Uuid> {
    orgs.sort();
    orgs
}

/// Asserts `body` failed with `FORBIDDEN` naming `field`.
fn forbidden_at(body: &Value, field: &str) {
    let error = &body["errors"][0];
    assert_eq!(code(error), "FORBIDDEN", "{body}");
    assert_eq!(error["extensions"]["field"], field, "{body}");
}

const UPDATE_ACTION: &str = "mutation($id: ID!, $v: Int!, $orgs: [ID!]) { updateAction(input: { id: $id, version: $v, responsibleOrganisationIds: $orgs }) { action { version } } }";

both! {
    async fn a_co_responsible_editor_cannot_remove_the_others(app: TestApp) {
        let db = &app.db;
        let [kuopio, tervo, iisalmi] = [fixtures::municipality(db, "297").await, fixtures::municipality(db, "844").await, fixtures::municipality(db, "140").await];
        let goal = fixtures::goal(db, fixtures::county(db, "13").await).await;
        let action = fixtures::action(db, goal, &[kuopio, tervo, iisalmi]).await;
        let all = sorted(vec![kuopio, tervo, iisalmi]);
        let editor = token(Role::Editor, &[kuopio]);
        let ids = |orgs: &[Uuid]| orgs.iter().map(|o| o.to_string()).collect::<Vec<_>>();
        let before = fixtures::audit_rows(db).await;
        // Replacing the co-owners with itself alone: refused, nothing written.
        let body = app.post_as(&editor, UPDATE_ACTION, json!({ "id": action.to_string(), "v": 1, "orgs": ids(&[kuopio]) })).await;
        forbidden_at(&body, "input.responsibleOrganisationIds");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("only it or an admin may remove it"), "{body}");
        // Adding another organisation: refused at its index.
        let vaasa = fixtures::municipality(db, "905").await;
        let body = app.post_as(&editor, UPDATE_ACTION, json!({ "id": action.to_string(), "v": 1, "orgs": ids(&[kuopio, tervo, iisalmi, vaasa]) })).await;
        forbidden_at(&body, "input.responsibleOrganisationIds[3]");
        assert_eq!(responsible(&app, action).await, all);
        assert_eq!(fixtures::audit_rows(db).await, before);
        // Keeping the others is fine, and so is reporting progress.
        let body = app.post_as(&editor, UPDATE_ACTION, json!({ "id": action.to_string(), "v": 1, "orgs": ids(&[iisalmi, tervo, kuopio]) })).await;
        assert_eq!(body["data"]["updateAction"]["action"]["version"], 2, "{body}");
        let report = "mutation($a: ID!) { createProgressReport(input: { actionId: $a, reportedOn: \"2026-06-30\", status: IN_PROGRESS, summary: \"Käynnissä\" }) { progressReport { id } } }";
        let body = app.post_as(&editor, report, json!({ "a": action.to_string() })).await;
        assert!(body.get("errors").is_none(), "{body}");
        // Withdrawing itself leaves the others.
        let body = app.post_as(&editor, UPDATE_ACTION, json!({ "id": action.to_string(), "v": 2, "orgs": ids(&[tervo, iisalmi]) })).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(responsible(&app, action).await, sorted(vec![tervo, iisalmi]));
        // The admin changes anything.
        let body = app.post_as(&token(Role::Admin, &[]), UPDATE_ACTION, json!({ "id": action.to_string(), "v": 3, "orgs": ids(&[vaasa]) })).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(responsible(&app, action).await, vec![vaasa]);
    }
}

both! {
    async fn municipalities_and_counties_are_deleted_and_renamed_by_admins_only(app: TestApp) {
        let db = &app.db;
        let kuopio = fixtures::municipality(db, "297").await;
        let county = fixtures::county(db, "13").await;
        let delete = "mutation($id: ID!, $c: Boolean) { deleteOrganisation(input: { id: $id, version: 1, cascade: $c }) { deletedId } }";
        let before = fixtures::audit_rows(db).await;
        for (token, org) in [(token(Role::Editor, &[kuopio]), kuopio), (token(Role::Editor, &[county]), county)] {
            for cascade in [json!(true), json!(false), json!(null)] {
                let body = app.post_as(&token, delete, json!({ "id": org.to_string(), "c": cascade })).await;
                assert_eq!(code(&body["errors"][0]), "FORBIDDEN", "{body}");
                assert!(body["errors"][0]["message"].as_str().unwrap().contains("national reference data"), "{body}");
            }
            let rename = "mutation($id: ID!) { updateOrganisation(input: { id: $id, version: 1, name: { fi: \"Uusi nimi\" } }) { organisation { name } } }";
            let body = app.post_as(&token, rename, json!({ "id": org.to_string() })).await;
            forbidden_at(&body, "input.name");
        }
        assert_eq!(fixtures::audit_rows(db).await, before, "nothing written");
        let data = app.query("query($id: ID!) { organisation(id: $id) { name } }", json!({ "id": kuopio.to_string() })).await;
        assert_eq!(data["organisation"]["name"], "Kuopio");
        // An editor still deletes and renames its own units.
        let editor = token(Role::Editor, &[kuopio]);
        let body = app.post_as(&editor, "mutation($p: ID!) { createOrganisation(input: { kind: UNIT, name: { fi: \"Testiyksikkö\" }, parentId: $p }) { organisation { id } } }", json!({ "p": kuopio.to_string() })).await;
        let unit = body["data"]["createOrganisation"]["organisation"]["id"].clone();
        let body = app.post_as(&editor, "mutation($id: ID!) { updateOrganisation(input: { id: $id, version: 1, name: { fi: \"Uusi yksikkö\" } }) { organisation { name } } }", json!({ "id": unit })).await;
        assert_eq!(body["data"]["updateOrganisation"]["organisation"]["name"], "Uusi yksikkö", "{body}");
        let body = app.post_as(&editor, "mutation($id: ID!) { deleteOrganisation(input: { id: $id, version: 2 }) { deletedId } }", json!({ "id": unit })).await;
        assert_eq!(body["data"]["deleteOrganisation"]["deletedId"], unit, "{body}");
        // The admin deletes a municipality.
        let utsjoki = fixtures::municipality(db, "890").await;
        let body = app.post_as(&token(Role::Admin, &[]), delete, json!({ "id": utsjoki.to_string(), "c": true })).await;
        assert_eq!(body["data"]["deleteOrganisation"]["deletedId"], utsjoki.to_string(), "{body}");
    }
}

both! {
    async fn editors_name_only_persons_of_their_own_organisations(app: TestApp) {
        let db = &app.db;
        let kuopio = fixtures::municipality(db, "297").await;
        let tervo = fixtures::municipality(db, "844").await;
        let employment = fixtures::topic(db, "employment").await;
        let own = fixtures::person(db, "Oma Henkilö", kuopio, Visibility::Public).await.to_string();
        let public_other = fixtures::person(db, "Tervon Julkinen", tervo, Visibility::Public).await.to_string();
        let internal_other = fixtures::person(db, "Tervon Sisäinen", tervo, Visibility::Internal).await.to_string();
        let network = fixtures::network(db, "Kuopion testiverkosto", kuopio, employment, &[kuopio]).await.to_string();
        let editor = token(Role::Editor, &[kuopio]);
        let create = "mutation($p: ID!, $d: ID) { createRepresentative(input: { personId: $p, deputyId: $d, organisationId: \"ORG\", topic: \"employment\", level: INTERFACE }) { representative { id version } } }".replace("ORG", &kuopio.to_string());
        let before = fixtures::audit_rows(db).await;
        for other in [&public_other, &internal_other] {
            let body = app.post_as(&editor, &create, json!({ "p": other })).await;
            forbidden_at(&body, "input.personId");
            let body = app.post_as(&editor, &create, json!({ "p": own, "d": other })).await;
            forbidden_at(&body, "input.deputyId");
            let seat = "mutation($n: ID!, $p: ID, $d: ID) { createMembership(input: { networkId: $n, organisationId: \"ORG\", personId: $p, deputyId: $d, role: MEMBER }) { membership { id } } }".replace("ORG", &kuopio.to_string());
            let body = app.post_as(&editor, &seat, json!({ "n": network, "p": other })).await;
            forbidden_at(&body, "input.personId");
            let body = app.post_as(&editor, &seat, json!({ "n": network, "p": own, "d": other })).await;
            forbidden_at(&body, "input.deputyId");
        }
        assert_eq!(fixtures::audit_rows(db).await, before, "nothing written");
        // Its own person is fine, and an update cannot swap in another's deputy either.
        let body = app.post_as(&editor, &create, json!({ "p": own })).await;
        let rep = body["data"]["createRepresentative"]["representative"]["id"].clone();
        assert!(rep.is_string(), "{body}");
        let update = "mutation($id: ID!, $d: ID) { updateRepresentative(input: { id: $id, version: 1, deputyId: $d }) { representative { version } } }";
        let body = app.post_as(&editor, update, json!({ "id": rep, "d": internal_other })).await;
        forbidden_at(&body, "input.deputyId");
        // The admin names anyone.
        let body = app.post_as(&token(Role::Admin, &[]), update, json!({ "id": rep, "d": internal_other })).await;
        assert_eq!(body["data"]["updateRepresentative"]["representative"]["version"], 2, "{body}");
    }
}

both! {
    async fn editors_read_internal_contacts_of_their_own_organisations_only(app: TestApp) {
        let db = &app.db;
        let kuopio = fixtures::municipality(db, "297").await;
        let tervo = fixtures::municipality(db, "844").await;
        let employment = fixtures::topic(db, "employment").await;
        let person = fixtures::person(db, "Tervon Sisäinen Yhdyshenkilö", tervo, Visibility::Internal).await;
        fixtures::representative(db, Rep { person, organisation: tervo, topic: employment, level: Level::Leadership, serves: &[], valid_from: None, valid_to: None }).await;
        let query = "query($o: ID!) { representatives(filter: { organisationId: $o, text: \"Tervon Sisäinen\" }) { edges { node { person { email phone } } } } representativesCsv(organisationId: $o) }";
        let vars = json!({ "o": tervo.to_string() });
        let read = |body: Value| {
            let person = body["data"]["representatives"]["edges"][0]["node"]["person"].clone();
            assert!(person.is_object(), "{body}");
            let csv = body["data"]["representativesCsv"].as_str().unwrap().to_owned();
            (person, csv)
        };
        let email = "tervon.sisainen.yhdyshenkilo@example.org";
        for (who, shown) in [
            (Some(token(Role::Editor, &[tervo])), true),
            (Some(token(Role::Admin, &[])), true),
            (Some(token(Role::Editor, &[kuopio])), false),
            (None, false),
        ] {
            let body = match &who {
                Some(t) => app.post_as(t, query, vars.clone()).await,
                None => app.post(query, vars.clone()).await,
            };
            let (person, csv) = read(body);
            if shown {
                assert_eq!(person["email"], email);
                assert_eq!(person["phone"], "+358401234567");
                assert!(csv.contains(email), "{csv}");
            } else {
                assert!(person["email"].is_null() && person["phone"].is_null(), "{person}");
                assert!(!csv.contains(email) && !csv.contains("+358401234567"), "{csv}");
                assert!(csv.contains("Tervon Sisäinen Yhdyshenkilö,Testikoordinaattori,,,INTERNAL"), "{csv}");
            }
        }
    }
}
