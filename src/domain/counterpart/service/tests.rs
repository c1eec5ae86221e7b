//! The counterpart rules on a seeded database, without HTTP:
//! - a municipality's representative on a topic and level pairs with the county side's
//!   representative on the same topic and level; another level does not pair;
//! - a representative on a sub-theme counts for its interface topic;
//! - the county side is the county, its units and the regional council working with it;
//! - a county-side representative listing municipalities serves only those;
//! - coverage reports each incomplete pair with the side that has named nobody.

use chrono::Utc;
use entity::enums::{Level, OrganisationKind, TopicKind, Visibility};
use entity::{organisation, person, topic};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::super::cache::IndexCache;
use super::{county_index, coverage};
use crate::auth::policy::{Principal, Role};
use crate::clock::today;
use crate::db::tx;
use crate::domain::counterpart::Missing;
use crate::domain::representative::{NewRepresentative, service as representatives};
use crate::domain::values::Slug;

/// A migrated and seeded SQLite database in a temporary directory.
pub(crate) async fn seeded() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = crate::db::connect(&url).await.expect("connect");
    crate::prepare(&db, true).await.expect("migrate and seed");
    (dir, db)
}

/// A caller who may write everything.
pub(crate) fn admin() -> Principal {
    Principal {
        sub: "service-test".into(),
        name: None,
        role: Role::Admin,
        orgs: Vec::new(),
    }
}

async fn org_where(db: &DatabaseConnection, column: organisation::Column, code: &str) -> Uuid {
    organisation::Entity::find()
        .filter(column.eq(code))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no organisation {code}"))
        .id
}

/// A new organisation of `kind` under `parent` or working with `county`.
async fn organisation(
    db: &DatabaseConnection,
    kind: OrganisationKind,
    parent: Option<Uuid>,
    county: Option<Uuid>,
) -> Uuid {
    let tx = tx::begin(db).await.unwrap();
    let now = Utc::now();
    let row = organisation::Model {
        id: Uuid::new_v4(),
        kind,
        name_fi: format!("Testiorganisaatio {kind:?}"),
        name_sv: None,
        name_en: None,
        short_name: None,
        business_id: None,
        municipality_code: None,
        county_code: None,
        county_id: county,
        parent_id: parent,
        email: None,
        phone: None,
        website: None,
        address: None,
        description: None,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        version: 0,
        reviewed_at: None,
        reviewed_by: None,
        mission: None,
        priorities: None,
    };
    let id = tx::insert(&tx, &admin(), row).await.unwrap().id;
    tx::commit(tx).await.unwrap();
    id
}

async fn person(db: &DatabaseConnection, name: &str, org: Uuid) -> Uuid {
    let tx = tx::begin(db).await.unwrap();
    let now = Utc::now();
    let row = person::Model {
        id: Uuid::new_v4(),
        name: name.into(),
        title: None,
        organisation_id: Some(org),
        email: None,
        phone: None,
        visibility: Visibility::Public,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        version: 0,
        reviewed_at: None,
        reviewed_by: None,
    };
    let id = tx::insert(&tx, &admin(), row).await.unwrap().id;
    tx::commit(tx).await.unwrap();
    id
}

/// A sub-theme of `parent` with slug `slug`.
async fn sub_theme(db: &DatabaseConnection, parent: Uuid, slug: &str) {
    let now = Utc::now();
    let row = topic::Model {
        id: Uuid::new_v4(),
        slug: slug.into(),
        kind: TopicKind::Interface,
        code: None,
        name_fi: "Alateema (testi)".into(),
        name_sv: None,
        name_en: None,
        description: None,
        parent_id: Some(parent),
        sort_order: 99,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    sea_orm::IntoActiveModel::into_active_model(row)
        .insert(db)
        .await
        .unwrap();
}

/// Names `person` for `org` on `topic` at `level`, serving `served` (empty: the default).
async fn name(
    db: &DatabaseConnection,
    person: Uuid,
    org: Uuid,
    topic: &str,
    level: Level,
    served: &[Uuid],
) -> Uuid {
    let new = NewRepresentative {
        person_id: person,
        organisation_id: org,
        topic: Slug::parse("topic", topic).unwrap(),
        level,
        role: None,
        deputy_id: None,
        served: served.to_vec(),
        valid_from: None,
        valid_to: None,
    };
    representatives::create(db, &admin(), new).await.unwrap().id
}

fn ids(reps: &[entity::representative::Model]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = reps.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

#[tokio::test]
async fn pairs_follow_topic_level_and_the_county_side() {
    let (_dir, db) = seeded().await;
    let kuopio = org_where(&db, organisation::Column::MunicipalityCode, "297").await;
    let tervo = org_where(&db, organisation::Column::MunicipalityCode, "844").await;
    let county = org_where(&db, organisation::Column::CountyCode, "13").await;
    let employment = topic::Entity::find()
        .filter(topic::Column::Slug.eq("employment"))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;
    sub_theme(&db, employment, "test-youth-guarantee").await;
    let unit = organisation(&db, OrganisationKind::Unit, Some(county), None).await;
    let council = organisation(&db, OrganisationKind::RegionalCouncil, None, Some(county)).await;
    let kaisa = person(&db, "Kaisa Kuntalainen", kuopio).await;
    let hanna = person(&db, "Hanna Hyvinvointialue", county).await;
    let ville = person(&db, "Ville Johtaja", county).await;

    let own = name(&db, kaisa, kuopio, "employment", Level::Interface, &[]).await;
    let county_rep = name(&db, hanna, county, "employment", Level::Interface, &[]).await;
    let unit_rep = name(
        &db,
        hanna,
        unit,
        "test-youth-guarantee",
        Level::Everyday,
        &[],
    )
    .await;
    let council_rep = name(&db, ville, council, "employment", Level::Participation, &[]).await;
    let tervo_only = name(
        &db,
        ville,
        county,
        "employment",
        Level::Leadership,
        &[tervo],
    )
    .await;

    let index = county_index(&db, county, today()).await.unwrap().unwrap();
    let (mine, theirs) = index.pair(kuopio, employment, Level::Interface);
    assert_eq!(ids(&mine), vec![own]);
    assert_eq!(ids(&theirs), vec![county_rep]);
    // The municipality's own representative is not on the county side at another level.
    let (mine, _) = index.pair(kuopio, employment, Level::Everyday);
    assert!(mine.is_empty());
    // A unit's sub-theme representative counts for employment on the county side.
    let (_, theirs) = index.pair(kuopio, employment, Level::Everyday);
    assert_eq!(ids(&theirs), vec![unit_rep]);
    // The regional council is on the county side.
    let (_, theirs) = index.pair(kuopio, employment, Level::Participation);
    assert_eq!(ids(&theirs), vec![council_rep]);
    // A county representative listing Tervo serves Tervo only.
    assert!(
        index
            .pair(kuopio, employment, Level::Leadership)
            .1
            .is_empty()
    );
    assert_eq!(
        ids(&index.pair(tervo, employment, Level::Leadership).1),
        vec![tervo_only]
    );
    // Each side sees the other as its counterpart.
    let own_row = mine_row(&index, kuopio, employment, own);
    assert_eq!(
        ids(&index.counterparts_of(&own_row)),
        sorted(vec![county_rep])
    );
}

/// The municipality's own representative `id` from the index.
fn mine_row(
    index: &crate::domain::counterpart::CountyIndex,
    municipality: Uuid,
    topic: Uuid,
    id: Uuid,
) -> entity::representative::Model {
    index
        .pair(municipality, topic, Level::Interface)
        .0
        .into_iter()
        .find(|r| r.id == id)
        .unwrap()
}

#[tokio::test]
async fn coverage_names_the_missing_side() {
    let (_dir, db) = seeded().await;
    let kuopio = org_where(&db, organisation::Column::MunicipalityCode, "297").await;
    let tervo = org_where(&db, organisation::Column::MunicipalityCode, "844").await;
    let county = org_where(&db, organisation::Column::CountyCode, "13").await;
    let kaisa = person(&db, "Kaisa Kuntalainen", kuopio).await;
    let hanna = person(&db, "Hanna Hyvinvointialue", county).await;
    name(&db, kaisa, kuopio, "employment", Level::Interface, &[]).await;
    name(&db, hanna, county, "employment", Level::Interface, &[]).await;
    name(
        &db,
        hanna,
        county,
        "employment",
        Level::Leadership,
        &[tervo],
    )
    .await;

    let report = coverage(&db, &IndexCache::default(), county, today(), Utc::now())
        .await
        .unwrap();
    let gap = |code: &str, level: Level| {
        report
            .gaps
            .iter()
            .find(|(pair, _)| {
                pair.municipality.municipality_code.as_deref() == Some(code)
                    && pair.topic.slug == "employment"
                    && pair.level == level
            })
            .map(|(_, missing)| *missing)
    };
    assert_eq!(gap("297", Level::Interface), None);
    assert_eq!(gap("844", Level::Interface), Some(Missing::Municipality));
    assert_eq!(gap("844", Level::Leadership), Some(Missing::Municipality));
    assert_eq!(gap("297", Level::Leadership), Some(Missing::Both));
    assert_eq!(report.expected, report.covered() + report.gaps.len());
    assert!(report.covered() >= 1);

    // A municipality is no county; an unknown id is not found.
    let err = coverage(&db, &IndexCache::default(), kuopio, today(), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    let err = coverage(
        &db,
        &IndexCache::default(),
        Uuid::new_v4(),
        today(),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
}
