//! The write side: authentication, the authorisation matrix, validation, versions,
//! concurrency, the audit log, ending and deleting, and the CSV import.

use std::sync::Arc;

use entity::enums::{Level, Visibility};
use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures::{self, Rep};
use crate::support::*;

/// Kuopio and Tervo, each with a person, a network it convenes and an action it answers for.
struct World {
    kuopio: Uuid,
    tervo: Uuid,
    goal: Uuid,
    person: [Uuid; 2],
    network: [Uuid; 2],
    action: [Uuid; 2],
}

async fn world(app: &TestApp) -> World {
    let db = &app.db;
    let kuopio = fixtures::municipality(db, "297").await;
    let tervo = fixtures::municipality(db, "844").await;
    let county = fixtures::county(db, "13").await;
    let employment = fixtures::topic(db, "employment").await;
    let goal = fixtures::goal(db, county).await;
    let mut person = [Uuid::nil(); 2];
    let mut network = [Uuid::nil(); 2];
    let mut action = [Uuid::nil(); 2];
    for (i, org) in [kuopio, tervo].into_iter().enumerate() {
        person[i] =
            fixtures::person(db, &format!("Testi Henkilö {i}"), org, Visibility::Public).await;
        network[i] =
            fixtures::network(db, &format!("Testiverkosto {i}"), org, employment, &[org]).await;
        action[i] = fixtures::action(db, goal, &[org]).await;
    }
    World {
        kuopio,
        tervo,
        goal,
        person,
        network,
        action,
    }
}

/// One mutation of each family aimed at organisation `i` of the world (0 Kuopio, 1 Tervo).
fn family_mutations(w: &World, i: usize) -> Vec<(&'static str, String, Value)> {
    let org = [w.kuopio, w.tervo][i].to_string();
    vec![
        (
            "organisation",
            "mutation($id: ID!) { updateOrganisation(input: { id: $id, version: 1, website: \"https://example.org/kunta\" }) { organisation { id } } }".into(),
            json!({ "id": org }),
        ),
        (
            "person",
            "mutation($org: ID!) { createPerson(input: { name: \"Uusi Henkilö\", organisationId: $org, email: \"uusi@example.org\" }) { person { id } } }".into(),
            json!({ "org": org }),
        ),
        (
            "representative",
            "mutation($org: ID!, $p: ID!) { createRepresentative(input: { personId: $p, organisationId: $org, topic: \"employment\", level: INTERFACE }) { representative { id } } }".into(),
            json!({ "org": org, "p": w.person[i].to_string() }),
        ),
        (
            "network",
            "mutation($org: ID!) { createNetwork(input: { kind: WORKING_GROUP, name: { fi: \"Uusi työryhmä\" }, convenerId: $org, topics: [\"employment\"] }) { network { id } } }".into(),
            json!({ "org": org }),
        ),
        (
            "membership",
            "mutation($n: ID!, $org: ID!) { createMembership(input: { networkId: $n, organisationId: $org, role: MEMBER }) { membership { id } } }".into(),
            json!({ "n": w.network[i].to_string(), "org": org }),
        ),
        (
            "meeting",
            "mutation($n: ID!) { createMeeting(input: { networkId: $n, startsAt: \"2026-12-01T10:00:00Z\", location: \"Testitalo\" }) { meeting { id } } }".into(),
            json!({ "n": w.network[i].to_string() }),
        ),
        (
            "action",
            "mutation($g: ID!, $org: ID!) { createAction(input: { goalId: $g, title: \"Uusi toimenpide\", responsibility: \"Testikunta\", responsibleOrganisationIds: [$org], periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\" }) { action { id } } }".into(),
            json!({ "g": w.goal.to_string(), "org": org }),
        ),
        (
            "progress report",
            "mutation($a: ID!) { createProgressReport(input: { actionId: $a, reportedOn: \"2026-06-30\", status: IN_PROGRESS, summary: \"Käynnissä\" }) { progressReport { id } } }".into(),
            json!({ "a": w.action[i].to_string() }),
        ),
    ]
}

both! {
    async fn authorisation_matrix(app: TestApp) {
        let w = world(&app).await;
        let kuopio_editor = token(Role::Editor, &[w.kuopio]);
        let admin = token(Role::Admin, &[]);
        for i in [0, 1] {
            for (family, query, vars) in family_mutations(&w, i) {
                let before = fixtures::audit_rows(&app.db).await;
                // Anonymous: nothing.
                let body = app.post(&query, vars.clone()).await;
                assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "anonymous {family}");
                // Kuopio's editor: its own, not Tervo's.
                let body = app.post_as(&kuopio_editor, &query, vars.clone()).await;
                if i == 0 {
                    assert!(body.get("errors").is_none(), "editor on own {family}: {body}");
                    assert_eq!(fixtures::audit_rows(&app.db).await, before + 1, "{family} audited");
                } else {
                    assert_eq!(code(&body["errors"][0]), "FORBIDDEN", "editor on other {family}: {body}");
                    assert_eq!(fixtures::audit_rows(&app.db).await, before, "nothing written for {family}");
                    // The admin may.
                    let body = app.post_as(&admin, &query, vars.clone()).await;
                    assert!(body.get("errors").is_none(), "admin on {family}: {body}");
                    assert_eq!(fixtures::audit_rows(&app.db).await, before + 1);
                }
            }
        }
    }
}

both! {
    async fn editors_write_units_of_their_organisation(app: TestApp) {
        let w = world(&app).await;
        let editor = token(Role::Editor, &[w.kuopio]);
        let created = app
            .post_as(
                &editor,
                "mutation($p: ID!) { createOrganisation(input: { kind: UNIT, name: { fi: \"Kuopion työllisyyspalvelut\", en: \"Kuopio employment services\" }, parentId: $p }) { organisation { id name(lang: EN) parent { name } } } }",
                json!({ "p": w.kuopio.to_string() }),
            )
            .await;
        let unit = &created["data"]["createOrganisation"]["organisation"];
        assert_eq!(unit["parent"]["name"], "Kuopio");
        assert_eq!(unit["name"], "Kuopio employment services");
        // A person of the unit is Kuopio's to write.
        let body = app
            .post_as(
                &editor,
                "mutation($o: ID!) { createPerson(input: { name: \"Yksikön Henkilö\", organisationId: $o }) { person { organisation { name } } } }",
                json!({ "o": unit["id"] }),
            )
            .await;
        assert_eq!(body["data"]["createPerson"]["person"]["organisation"]["name"], "Kuopion työllisyyspalvelut");
        // Top-level organisations are the admin's.
        let body = app
            .post_as(&editor, "mutation { createOrganisation(input: { kind: NGO, name: { fi: \"Testiyhdistys\" } }) { organisation { id } } }", json!({}))
            .await;
        assert_eq!(code(&body["errors"][0]), "FORBIDDEN");
    }
}

both! {
    async fn bad_tokens_are_unauthenticated_never_500(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let expired = yhdyspinta::auth::token::Claims { exp: chrono::Utc::now().timestamp() - 3600, ..claims(Role::Admin, &[]) };
        let wrong_issuer = yhdyspinta::auth::token::Claims { iss: "someone-else".into(), ..claims(Role::Admin, &[]) };
        let wrong_audience = yhdyspinta::auth::token::Claims { aud: "other-api".into(), ..claims(Role::Admin, &[]) };
        let b64 = |s: &str| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
        };
        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&serde_json::to_string(&claims(Role::Admin, &[])).unwrap())
        );
        let tokens = vec![
            yhdyspinta::auth::token::mint_hs256(SECRET, &expired).unwrap(),
            yhdyspinta::auth::token::mint_hs256(SECRET, &wrong_issuer).unwrap(),
            yhdyspinta::auth::token::mint_hs256(SECRET, &wrong_audience).unwrap(),
            yhdyspinta::auth::token::mint_hs256(b"some-other-secret-some-other-secret!", &claims(Role::Admin, &[])).unwrap(),
            none,
            "not-a-token".into(),
            "a.b.c".into(),
        ];
        let query = "mutation($o: ID!) { createPerson(input: { name: \"X\", organisationId: $o }) { person { id } } }";
        for t in tokens {
            let response = app
                .client
                .post(app.url("/graphql"))
                .bearer_auth(&t)
                .json(&json!({ "query": query, "variables": { "o": kuopio.to_string() } }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{t}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "{t}");
        }
        for header in ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"] {
            let response = app
                .client
                .post(app.url("/graphql"))
                .header("authorization", header)
                .json(&json!({ "query": "{ topics { slug } }" }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{header}");
        }
        assert_eq!(fixtures::audit_rows(&app.db).await, 0);
    }
}

both! {
    async fn input_validation_names_the_field(app: TestApp) {
        let w = world(&app).await;
        let admin = token(Role::Admin, &[]);
        let county = fixtures::county(&app.db, "13").await.to_string();
        let create_org = "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { organisation { id } } }";
        let base = json!({ "kind": "NGO", "name": { "fi": "Testiyhdistys" } });
        let with = |extra: Value| {
            let mut v = base.clone();
            for (k, val) in extra.as_object().unwrap() {
                v[k] = val.clone();
            }
            json!({ "i": v })
        };
        let cases = vec![
            (with(json!({ "businessId": "1234567-2" })), "input.businessId"),
            (with(json!({ "businessId": "123" })), "input.businessId"),
            (with(json!({ "email": "not-an-address" })), "input.email"),
            (with(json!({ "phone": "12ab" })), "input.phone"),
            (with(json!({ "website": "www.example.org" })), "input.website"),
            (with(json!({ "name": { "fi": "   " } })), "input.name.fi"),
            (with(json!({ "name": { "fi": "x".repeat(201) } })), "input.name.fi"),
            (with(json!({ "kind": "MUNICIPALITY", "municipalityCode": "12" })), "input.municipalityCode"),
            (with(json!({ "kind": "MUNICIPALITY", "municipalityCode": "297" })), "input.municipalityCode"),
            (with(json!({ "countyId": w.kuopio.to_string() })), "input.countyId"),
            (with(json!({ "parentId": Uuid::new_v4().to_string() })), "input.parentId"),
            (with(json!({ "description": "a\u{0007}b" })), "input.description"),
        ];
        for (vars, field) in cases {
            let body = app.post_as(&admin, create_org, vars.clone()).await;
            assert_eq!(code(&body["errors"][0]), "BAD_USER_INPUT", "{vars}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{vars}");
        }
        // Only fi, sv and en; enum values are checked.
        let body = app.post_as(&admin, create_org, with(json!({ "name": { "fi": "A", "de": "B" } }))).await;
        assert!(body["errors"][0].is_object());
        let body = app.post_as(&admin, create_org, with(json!({ "kind": "CASTLE" }))).await;
        assert!(body["errors"][0].is_object());
        // A valid business ID and a valid Finnish phone number pass and are normalised.
        let body = app
            .post_as(
                &admin,
                "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { organisation { businessId phone county { name } } } }",
                with(json!({ "businessId": "0171450-7", "phone": "017 182012", "countyId": county })),
            )
            .await;
        let org = &body["data"]["createOrganisation"]["organisation"];
        assert_eq!(org["businessId"], "0171450-7", "{body}");
        assert_eq!(org["phone"], "+35817182012");
        // The same business ID twice.
        let body = app.post_as(&admin, create_org, with(json!({ "businessId": "0171450-7" }))).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.businessId");

        let create_rep = "mutation($i: CreateRepresentativeInput!) { createRepresentative(input: $i) { representative { id } } }";
        let rep = |extra: Value| {
            let mut v = json!({ "personId": w.person[0].to_string(), "organisationId": w.kuopio.to_string(), "topic": "employment", "level": "INTERFACE" });
            for (k, val) in extra.as_object().unwrap() {
                v[k] = val.clone();
            }
            json!({ "i": v })
        };
        for (vars, field) in [
            (rep(json!({ "validFrom": "2025-01-01", "validTo": "2024-12-31" })), "input.validTo"),
            (rep(json!({ "personId": Uuid::new_v4().to_string() })), "input.personId"),
            (rep(json!({ "personId": "nope" })), "input.personId"),
            (rep(json!({ "topic": "astrology" })), "input.topic"),
            (rep(json!({ "servedMunicipalityIds": [w.goal.to_string()] })), "input.servedMunicipalityIds[0]"),
            (rep(json!({ "servedMunicipalityIds": [fixtures::county(&app.db, "13").await.to_string()] })), "input.servedMunicipalityIds[0]"),
        ] {
            let body = app.post_as(&admin, create_rep, vars.clone()).await;
            assert_eq!(code(&body["errors"][0]), "BAD_USER_INPUT", "{vars}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{vars}");
        }
        assert_eq!(fixtures::audit_rows(&app.db).await, 1, "only the valid organisation was written");
    }
}

const UPDATE_PERSON: &str = "mutation($id: ID!, $v: Int!, $t: String) { updatePerson(input: { id: $id, version: $v, title: $t }) { person { title version } } }";

both! {
    async fn stale_versions_conflict(app: TestApp) {
        let w = world(&app).await;
        let editor = token(Role::Editor, &[w.kuopio]);
        let id = w.person[0].to_string();
        let body = app.post_as(&editor, UPDATE_PERSON, json!({ "id": id, "v": 1, "t": "Ensimmäinen" })).await;
        assert_eq!(body["data"]["updatePerson"]["person"]["version"], 2);
        let body = app.post_as(&editor, UPDATE_PERSON, json!({ "id": id, "v": 1, "t": "Vanhentunut" })).await;
        assert_eq!(code(&body["errors"][0]), "CONFLICT");
        let data = app.query("query($t: String!) { search(text: $t) { nodes { ... on Person { title } } } }", json!({ "t": "Testi Henkilö 0" })).await;
        assert_eq!(data["search"]["nodes"][0]["title"], "Ensimmäinen");
        // Unknown rows are NOT_FOUND, with nothing written.
        let body = app.post_as(&editor, UPDATE_PERSON, json!({ "id": Uuid::new_v4().to_string(), "v": 1, "t": "x" })).await;
        assert_eq!(code(&body["errors"][0]), "NOT_FOUND");
        assert_eq!(fixtures::audit_rows(&app.db).await, 1);
    }
}

both! {
    async fn concurrent_writers_lose_nothing(app: TestApp) {
        let w = world(&app).await;
        let app = Arc::new(app);
        let editor = token(Role::Editor, &[w.kuopio]);
        let id = w.person[0].to_string();
        let mut tasks = Vec::new();
        for writer in 0..8 {
            let app = app.clone();
            let editor = editor.clone();
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                let mut accepted = Vec::new();
                let mut conflicts = 0;
                for attempt in 0..5 {
                    let data = app
                        .query("query($t: String!) { search(text: $t) { nodes { ... on Person { version } } } }", json!({ "t": "Testi Henkilö 0" }))
                        .await;
                    let version = data["search"]["nodes"][0]["version"].as_i64().unwrap();
                    let title = format!("kirjoittaja {writer} yritys {attempt}");
                    let body = app.post_as(&editor, UPDATE_PERSON, json!({ "id": id, "v": version, "t": title })).await;
                    if body.get("errors").is_none() {
                        assert_eq!(body["data"]["updatePerson"]["person"]["version"].as_i64().unwrap(), version + 1);
                        accepted.push(title);
                    } else {
                        assert_eq!(code(&body["errors"][0]), "CONFLICT", "{body}");
                        conflicts += 1;
                    }
                }
                (accepted, conflicts)
            }));
        }
        let mut accepted = Vec::new();
        let mut conflicts = 0;
        for task in tasks {
            let (a, c) = task.await.unwrap();
            accepted.extend(a);
            conflicts += c;
        }
        assert_eq!(accepted.len() + conflicts, 40);
        assert!(!accepted.is_empty());
        // Every accepted write bumped the version once and left an audit entry.
        let data = app
            .query("query($t: String!) { search(text: $t) { nodes { ... on Person { version title } } } }", json!({ "t": "Testi Henkilö 0" }))
            .await;
        assert_eq!(data["search"]["nodes"][0]["version"].as_i64().unwrap(), 1 + accepted.len() as i64);
        assert!(accepted.contains(&data["search"]["nodes"][0]["title"].as_str().unwrap().to_owned()));
        let admin = token(Role::Admin, &[]);
        let log = app
            .post_as(&admin, "query($e: ID) { auditLog(entityId: $e, first: 100) { totalCount edges { node { after } } } }", json!({ "e": id }))
            .await;
        assert_eq!(log["data"]["auditLog"]["totalCount"].as_u64().unwrap(), accepted.len() as u64);
        let logged: Vec<String> = log["data"]["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["after"]["title"].as_str().unwrap().to_owned())
            .collect();
        for title in &accepted {
            assert!(logged.contains(title), "{title} is in the audit log");
        }
    }
}

both! {
    async fn audit_log_records_who_what_before_after(app: TestApp) {
        let w = world(&app).await;
        let editor = token(Role::Editor, &[w.kuopio]);
        let id = w.person[0].to_string();
        app.post_as(&editor, UPDATE_PERSON, json!({ "id": id, "v": 1, "t": "Uusi titteli" })).await;
        // A failed write leaves nothing.
        app.post_as(&editor, UPDATE_PERSON, json!({ "id": id, "v": 1, "t": "Hylätty" })).await;
        let admin = token(Role::Admin, &[]);
        let query = "query($e: ID) { auditLog(entityId: $e) { totalCount edges { node { actorSub actorName entityType entityId operation before after occurredAt } } } }";
        let log = app.post_as(&admin, query, json!({ "e": id })).await;
        assert_eq!(log["data"]["auditLog"]["totalCount"], 1);
        let entry = &log["data"]["auditLog"]["edges"][0]["node"];
        assert_eq!(entry["actorSub"], "test-integrator");
        assert_eq!(entry["actorName"], "Testi Integraattori");
        assert_eq!(entry["entityType"], "Person");
        assert_eq!(entry["entityId"], id);
        assert_eq!(entry["operation"], "UPDATE");
        assert_eq!(entry["before"]["title"], "Testikoordinaattori");
        assert_eq!(entry["after"]["title"], "Uusi titteli");
        assert_eq!(entry["after"]["version"], 2);
        // Only admins read it.
        let body = app.post_as(&editor, query, json!({ "e": id })).await;
        assert_eq!(code(&body["errors"][0]), "FORBIDDEN");
        let body = app.post(query, json!({ "e": id })).await;
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
    }
}

both! {
    async fn ending_keeps_history_and_deleting_checks_references(app: TestApp) {
        let w = world(&app).await;
        let employment = fixtures::topic(&app.db, "employment").await;
        let rep = fixtures::representative(&app.db, Rep {
            person: w.person[0],
            organisation: w.kuopio,
            topic: employment,
            level: Level::Interface,
            serves: &[],
            valid_from: Some(fixtures::date(2024, 1, 1)),
            valid_to: None,
        })
        .await;
        let editor = token(Role::Editor, &[w.kuopio]);
        // While the appointment lasts, the person cannot simply be deleted.
        let delete = "mutation($id: ID!, $v: Int!, $c: Boolean) { deletePerson(input: { id: $id, version: $v, cascade: $c }) { deletedId removedReferences } }";
        let body = app.post_as(&editor, delete, json!({ "id": w.person[0].to_string(), "v": 1 })).await;
        assert_eq!(code(&body["errors"][0]), "CONFLICT");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("cascade"));

        let body = app
            .post_as(&editor, "mutation($id: ID!) { endRepresentative(input: { id: $id, version: 1, validTo: \"2025-06-30\" }) { representative { validTo version } } }", json!({ "id": rep.to_string() }))
            .await;
        assert_eq!(body["data"]["endRepresentative"]["representative"]["validTo"], "2025-06-30");
        let list = "query($o: ID, $on: Date, $all: Boolean) { representatives(filter: { organisationId: $o, activeOn: $on, includeInactive: $all }) { totalCount } }";
        let org = w.kuopio.to_string();
        assert_eq!(app.query(list, json!({ "o": org })).await["representatives"]["totalCount"], 0);
        assert_eq!(app.query(list, json!({ "o": org, "on": "2025-01-01" })).await["representatives"]["totalCount"], 1);
        assert_eq!(app.query(list, json!({ "o": org, "all": true })).await["representatives"]["totalCount"], 1);
        let body = app
            .post_as(&editor, "mutation($id: ID!) { endRepresentative(input: { id: $id, version: 2, validTo: \"2023-01-01\" }) { representative { id } } }", json!({ "id": rep.to_string() }))
            .await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.validTo");

        // Once ended, the appointment is history and goes with the person.
        let body = app.post_as(&editor, delete, json!({ "id": w.person[0].to_string(), "v": 1 })).await;
        assert_eq!(body["data"]["deletePerson"]["removedReferences"], 1, "{body}");
        assert_eq!(app.query(list, json!({ "o": org, "all": true })).await["representatives"]["totalCount"], 0);

        // Asking explicitly removes current roles too.
        let person = w.person[1];
        let tervo_rep = fixtures::representative(&app.db, Rep {
            person,
            organisation: w.tervo,
            topic: employment,
            level: Level::Leadership,
            serves: &[],
            valid_from: None,
            valid_to: None,
        })
        .await;
        let admin = token(Role::Admin, &[]);
        let body = app.post_as(&admin, delete, json!({ "id": person.to_string(), "v": 1 })).await;
        assert_eq!(code(&body["errors"][0]), "CONFLICT");
        let body = app.post_as(&admin, delete, json!({ "id": person.to_string(), "v": 1, "c": true })).await;
        assert_eq!(body["data"]["deletePerson"]["removedReferences"], 1, "{body}");
        // The removed appointment is in the audit log with its last values.
        let log = app
            .post_as(&admin, "query($e: ID) { auditLog(entityId: $e) { edges { node { operation before after } } } }", json!({ "e": tervo_rep.to_string() }))
            .await;
        let entry = &log["data"]["auditLog"]["edges"][0]["node"];
        assert_eq!(entry["operation"], "DELETE");
        assert_eq!(entry["before"]["id"], tervo_rep.to_string());
        assert!(entry["after"].is_null());
        let gone = app
            .query("query($o: ID) { representatives(filter: { organisationId: $o, includeInactive: true }) { edges { node { id } } } }", json!({ "o": w.tervo.to_string() }))
            .await;
        assert!(!gone.to_string().contains(&tervo_rep.to_string()));

        // Tervo is referred to by its person, network and action.
        let admin = token(Role::Admin, &[]);
        let body = app
            .post_as(&admin, "mutation($id: ID!) { deleteOrganisation(input: { id: $id, version: 1, cascade: true }) { deletedId } }", json!({ "id": w.tervo.to_string() }))
            .await;
        assert_eq!(code(&body["errors"][0]), "CONFLICT");
    }
}

const CSV_HEADER: &str = "person_name,title,email,phone,visibility,topic,level,role,deputy_name,served_municipality_codes,valid_from,valid_to";

both! {
    async fn csv_import_dry_run_and_export(app: TestApp) {
        let w = world(&app).await;
        let editor = token(Role::Editor, &[w.kuopio]);
        let import = "mutation($o: ID!, $csv: String!, $dry: Boolean) { importRepresentatives(organisationId: $o, csv: $csv, dryRun: $dry) {
            dryRun applied validRows personsCreated errors { line column message } representatives { person { name } topic { slug } level }
        } }";
        let good = format!(
            "{CSV_HEADER}\nAino Esimerkki,Työllisyyskoordinaattori,aino.esimerkki@example.org,044 1234567,PUBLIC,employment,INTERFACE,yhdyshenkilö,Testi Henkilö 0,,2026-01-01,\nBertta Esimerkki,,bertta@example.org,,INTERNAL,health-promotion,yhdyspintataso,,,297,,\n"
        );
        let org = w.kuopio.to_string();
        // Dry run: checked, not written.
        let body = app.post_as(&editor, import, json!({ "o": org, "csv": good, "dry": true })).await;
        let result = &body["data"]["importRepresentatives"];
        assert_eq!(result["applied"], false, "{body}");
        assert_eq!(result["validRows"], 2);
        assert_eq!(result["errors"], json!([]));
        assert_eq!(fixtures::audit_rows(&app.db).await, 0);
        // One bad row: nothing written, every problem reported.
        let bad = format!("{good}Cecilia,,,,,employment,SOMETIMES,,,999,,\n");
        let body = app.post_as(&editor, import, json!({ "o": org, "csv": bad })).await;
        let result = &body["data"]["importRepresentatives"];
        assert_eq!(result["applied"], false);
        let errors = result["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["line"] == 4 && e["column"] == "level"));
        assert!(errors.iter().any(|e| e["line"] == 4 && e["column"] == "served_municipality_codes"));
        assert_eq!(fixtures::audit_rows(&app.db).await, 0);
        // The good file is applied as a whole.
        let body = app.post_as(&editor, import, json!({ "o": org, "csv": good })).await;
        let result = &body["data"]["importRepresentatives"];
        assert_eq!(result["applied"], true, "{body}");
        assert_eq!(result["personsCreated"], 2);
        assert_eq!(result["representatives"].as_array().unwrap().len(), 2);
        // Another organisation's spreadsheet is not Kuopio's to import.
        let body = app.post_as(&editor, import, json!({ "o": w.tervo.to_string(), "csv": good })).await;
        assert_eq!(code(&body["errors"][0]), "FORBIDDEN");

        // Export in the same columns; internal contacts only for callers with a token.
        let export = "query($o: ID!) { representativesCsv(organisationId: $o) }";
        let csv = app.query(export, json!({ "o": org })).await["representativesCsv"].as_str().unwrap().to_owned();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert!(csv.contains("Aino Esimerkki,Työllisyyskoordinaattori,aino.esimerkki@example.org,+358441234567,PUBLIC,employment,INTERFACE,yhdyshenkilö,Testi Henkilö 0,,2026-01-01,"), "{csv}");
        assert!(csv.contains("Bertta Esimerkki,,,,INTERNAL,health-promotion,INTERFACE,,,297,,"), "{csv}");
        let body = app.post_as(&editor, export, json!({ "o": org })).await;
        assert!(body["data"]["representativesCsv"].as_str().unwrap().contains("bertta@example.org"));
    }
}

/// A server configured with an RS256 or ES256 public key takes tokens signed with the
/// private key and nothing else: not HS256 tokens keyed with the public key text, not the
/// other public-key algorithm.
async fn public_key_server(backend: Backend) {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use yhdyspinta::auth::token::Key;
    const RS_PRIVATE: &[u8] = include_bytes!("../fixtures/keys/rs256_private.pem");
    const RS_PUBLIC: &[u8] = include_bytes!("../fixtures/keys/rs256_public.pem");
    const ES_PRIVATE: &[u8] = include_bytes!("../fixtures/keys/es256_private.pem");
    const ES_PUBLIC: &[u8] = include_bytes!("../fixtures/keys/es256_public.pem");
    for (key, private, algorithm, other_private, other_algorithm, public) in [
        (
            Key::Rs256Pem(RS_PUBLIC.to_vec()),
            EncodingKey::from_rsa_pem(RS_PRIVATE).unwrap(),
            Algorithm::RS256,
            EncodingKey::from_ec_pem(ES_PRIVATE).unwrap(),
            Algorithm::ES256,
            RS_PUBLIC,
        ),
        (
            Key::Es256Pem(ES_PUBLIC.to_vec()),
            EncodingKey::from_ec_pem(ES_PRIVATE).unwrap(),
            Algorithm::ES256,
            EncodingKey::from_rsa_pem(RS_PRIVATE).unwrap(),
            Algorithm::RS256,
            ES_PUBLIC,
        ),
    ] {
        let Some(app) = spawn_app_with_key(backend, key).await else {
            eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run");
            return;
        };
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let claims = claims(Role::Editor, &[kuopio]);
        let good = jsonwebtoken::encode(&Header::new(algorithm), &claims, &private).unwrap();
        let wrong_algorithm =
            jsonwebtoken::encode(&Header::new(other_algorithm), &claims, &other_private).unwrap();
        let confused = yhdyspinta::auth::token::mint_hs256(public, &claims).unwrap();
        let query = "mutation($o: ID!) { createPerson(input: { name: \"Avaintesti\", organisationId: $o }) { person { name } } }";
        let vars = json!({ "o": kuopio.to_string() });
        let body = app.post_as(&good, query, vars.clone()).await;
        assert_eq!(
            body["data"]["createPerson"]["person"]["name"], "Avaintesti",
            "{algorithm:?}: {body}"
        );
        for bad in [wrong_algorithm, confused] {
            let body = app.post_as(&bad, query, vars.clone()).await;
            assert_eq!(
                code(&body["errors"][0]),
                "UNAUTHENTICATED",
                "{algorithm:?}: {body}"
            );
        }
        assert_eq!(fixtures::audit_rows(&app.db).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_key_tokens_sqlite() {
    public_key_server(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_key_tokens_postgres() {
    public_key_server(Backend::Postgres).await;
}

both! {
    async fn writes_keep_search_current(app: TestApp) {
        let w = world(&app).await;
        let editor = token(Role::Editor, &[w.kuopio]);
        let find = |text: &'static str| {
            let app = &app;
            async move {
                app.query("query($t: String!) { search(text: $t) { nodes { ... on Person { id name } } } }", json!({ "t": text }))
                    .await["search"]["nodes"]
                    .as_array()
                    .unwrap()
                    .len()
            }
        };
        let body = app
            .post_as(
                &editor,
                "mutation($o: ID!) { createPerson(input: { name: \"Ulla Uusinimi\", organisationId: $o }) { person { id } } }",
                json!({ "o": w.kuopio.to_string() }),
            )
            .await;
        let id = body["data"]["createPerson"]["person"]["id"].clone();
        assert_eq!(find("uusinimen").await, 1);
        app.post_as(&editor, UPDATE_PERSON.replace("title: $t", "name: $t").as_str(), json!({ "id": id, "v": 1, "t": "Ulla Toinennimi" }))
            .await;
        assert_eq!(find("uusinimi").await, 0);
        assert_eq!(find("toinennimi").await, 1);
        app.post_as(&editor, "mutation($id: ID!) { deletePerson(input: { id: $id, version: 2 }) { deletedId } }", json!({ "id": id }))
            .await;
        assert_eq!(find("toinennimi").await, 0);
    }
}

both! {
    async fn an_organisation_s_mission_and_priorities_are_written_and_checked(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await;
        let editor = token(Role::Editor, &[county]);
        let read = app
            .query("query($id: ID!) { organisation(id: $id) { version mission priorities } }", json!({ "id": county }))
            .await;
        let version = read["organisation"]["version"].clone();
        let update = "mutation($id: ID!, $v: Int!, $m: String, $p: [String!]) {
            updateOrganisation(input: { id: $id, version: $v, mission: $m, priorities: $p }) { organisation { version mission priorities } } }";
        let bad = app
            .post_as(&editor, update, json!({ "id": county, "v": version, "p": ["asukkaat", "palvelut\ntalous"] }))
            .await;
        assert_eq!(code(&bad["errors"][0]), "BAD_USER_INPUT", "{bad}");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "input.priorities[1]");
        let body = app
            .post_as(&editor, update, json!({ "id": county, "v": version, "m": "Testimissio", "p": ["yksi", "kaksi"] }))
            .await;
        let org = &body["data"]["updateOrganisation"]["organisation"];
        assert_eq!(org["mission"], "Testimissio", "{body}");
        assert_eq!(org["priorities"], json!(["yksi", "kaksi"]));
        let body = app
            .post_as(&editor, update, json!({ "id": county, "v": org["version"], "m": null, "p": [] }))
            .await;
        let org = &body["data"]["updateOrganisation"]["organisation"];
        assert_eq!(org["mission"], Value::Null, "{body}");
        assert_eq!(org["priorities"], json!([]));
    }
}
