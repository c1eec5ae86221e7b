//! Fictional rows for tests, written straight into a test's database. People are made up
//! and live at example.org.

use chrono::{NaiveDate, Utc};
use entity::enums::{Level, Visibility};
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;
use yhdyspinta::domain::search::Searchable;

/// The data changed behind the server's back: tell its caches (the county indexes), as
/// a committed write transaction does.
fn written() {
    yhdyspinta::db::version::bump();
}

/// The id of the organisation whose `column` is `value`.
async fn organisation_by(
    db: &DatabaseConnection,
    column: organisation::Column,
    value: &str,
) -> Uuid {
    organisation::Entity::find()
        .filter(column.eq(value))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no organisation with {column:?} {value}"))
        .id
}

/// The id of a municipality by its three-digit code.
pub async fn municipality(db: &DatabaseConnection, code: &str) -> Uuid {
    organisation_by(db, organisation::Column::MunicipalityCode, code).await
}

/// The id of a county by its two-digit code.
pub async fn county(db: &DatabaseConnection, code: &str) -> Uuid {
    organisation_by(db, organisation::Column::CountyCode, code).await
}

/// The id of a topic by slug.
pub async fn topic(db: &DatabaseConnection, slug: &str) -> Uuid {
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no topic {slug}"))
        .id
}

/// Inserts a fictional person.
pub async fn person(
    db: &DatabaseConnection,
    name: &str,
    organisation: Uuid,
    visibility: Visibility,
) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    let email = format!(
        "{}@example.org",
        yhdyspinta::domain::search::text::words(name).join(".")
    );
    person::Model {
        id,
        name: name.into(),
        title: Some("Testikoordinaattori".into()),
        organisation_id: Some(organisation),
        email: Some(email),
        phone: Some("+358401234567".into()),
        visibility,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .with_search_text()
    .into_active_model()
    .insert(db)
    .await
    .expect("insert person");
    written();
    id
}

/// What a fixture representative looks like.
pub struct Rep<'a> {
    pub person: Uuid,
    pub organisation: Uuid,
    pub topic: Uuid,
    pub level: Level,
    pub serves: &'a [Uuid],
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Inserts a representative with the municipalities it serves.
pub async fn representative(db: &DatabaseConnection, rep: Rep<'_>) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    representative::Model {
        id,
        person_id: rep.person,
        organisation_id: rep.organisation,
        topic_id: rep.topic,
        level: rep.level,
        role: Some("yhdyshenkilö".into()),
        deputy_id: None,
        valid_from: rep.valid_from,
        valid_to: rep.valid_to,
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("insert representative");
    written();
    for m in rep.serves {
        representative_municipality::Model {
            representative_id: id,
            municipality_id: *m,
        }
        .into_active_model()
        .insert(db)
        .await
        .expect("insert served municipality");
        written();
    }
    id
}

/// A date.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Inserts an area of `municipalities` in `county`.
pub async fn area(
    db: &DatabaseConnection,
    name: &str,
    county: Uuid,
    municipalities: &[Uuid],
) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    area::Model {
        id,
        kind: entity::enums::AreaKind::Cooperation,
        name_fi: name.into(),
        name_sv: None,
        name_en: None,
        description: None,
        county_id: county,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("insert area");
    written();
    for m in municipalities {
        area_municipality::Model {
            area_id: id,
            municipality_id: *m,
        }
        .into_active_model()
        .insert(db)
        .await
        .expect("insert area municipality");
        written();
    }
    id
}

/// Inserts a network convened by `convener` on `topic` with a seat for each of `members`.
pub async fn network(
    db: &DatabaseConnection,
    name: &str,
    convener: Uuid,
    topic: Uuid,
    members: &[Uuid],
) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    network::Model {
        id,
        kind: entity::enums::NetworkKind::WorkingGroup,
        name_fi: name.into(),
        name_sv: None,
        name_en: None,
        description: None,
        level: Some(Level::Interface),
        county_id: None,
        convener_id: Some(convener),
        convener_note: None,
        responsible_person_id: None,
        responsible_role: None,
        parent_id: None,
        area_id: None,
        cadence: None,
        meetings_per_year: None,
        legal_basis: None,
        valid_from: None,
        valid_to: None,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .with_search_text()
    .into_active_model()
    .insert(db)
    .await
    .expect("insert network");
    written();
    network_topic::Model {
        network_id: id,
        topic_id: topic,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("insert network topic");
    written();
    for m in members {
        membership::Model {
            id: Uuid::new_v4(),
            network_id: id,
            organisation_id: Some(*m),
            person_id: None,
            deputy_id: None,
            role: entity::enums::MembershipRole::Member,
            note: None,
            valid_from: None,
            valid_to: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
        .into_active_model()
        .insert(db)
        .await
        .expect("insert membership");
        written();
    }
    id
}

/// Inserts an agreement of `county` with one goal and returns the goal's id.
pub async fn goal(db: &DatabaseConnection, county: Uuid) -> Uuid {
    let now = Utc::now();
    let agreement = Uuid::new_v4();
    agreement::Model {
        id: agreement,
        title_fi: "Testisopimus".into(),
        title_sv: None,
        title_en: None,
        description: None,
        county_id: county,
        valid_from: date(2024, 1, 1),
        valid_to: None,
        legal_basis: None,
        created_at: now,
        updated_at: now,
        version: 1,
        signatures: None,
        signed_from: None,
        signed_to: None,
        cost_rule: None,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("insert agreement");
    written();
    let id = Uuid::new_v4();
    goal::Model {
        id,
        agreement_id: agreement,
        title_fi: "Testitavoite".into(),
        title_sv: None,
        title_en: None,
        description: None,
        sort_order: 1,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("insert goal");
    written();
    id
}

/// Inserts an action under `goal` that `responsible` answer for.
pub async fn action(db: &DatabaseConnection, goal: Uuid, responsible: &[Uuid]) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    action::Model {
        id,
        goal_id: goal,
        topic_id: None,
        title: "Testitoimenpide".into(),
        description: None,
        responsibility: "Testivastuu".into(),
        period_start: date(2024, 1, 1),
        period_end: date(2025, 12, 31),
        status: Some(entity::enums::ActionStatus::Planned),
        sort_order: 1,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .with_search_text()
    .into_active_model()
    .insert(db)
    .await
    .expect("insert action");
    written();
    for org in responsible {
        action_organisation::Model {
            action_id: id,
            organisation_id: *org,
        }
        .into_active_model()
        .insert(db)
        .await
        .expect("insert responsible organisation");
        written();
    }
    id
}

/// Rows in the audit log.
pub async fn audit_rows(db: &DatabaseConnection) -> u64 {
    use sea_orm::PaginatorTrait;
    audit_log::Entity::find()
        .count(db)
        .await
        .expect("count audit rows")
}
