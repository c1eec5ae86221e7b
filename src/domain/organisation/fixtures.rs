//! What the service tests start from: a migrated, seeded in-memory database, callers, and
//! rows made by hand where a test needs a precise situation.

use chrono::{NaiveDate, Utc};
use entity::enums::{Level, MembershipRole, OrganisationKind, Visibility};
use entity::{audit_log, membership, network, organisation, person, representative, topic};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::{NewOrganisation, OrganisationKey, service};
use crate::auth::policy::{Principal, Role};
use crate::domain::search::Searchable;
use crate::domain::values::MunicipalityCode;

/// A migrated database with the seed data.
pub async fn seeded() -> DatabaseConnection {
    let db = crate::db::connect("sqlite::memory:").await.unwrap();
    crate::prepare(&db, true).await.unwrap();
    db
}

/// An admin.
pub fn admin() -> Principal {
    Principal {
        sub: "admin".into(),
        name: None,
        role: Role::Admin,
        orgs: Vec::new(),
    }
}

/// An editor for the given organisations.
pub fn editor(orgs: &[Uuid]) -> Principal {
    Principal {
        sub: "editor".into(),
        name: None,
        role: Role::Editor,
        orgs: orgs.to_vec(),
    }
}

/// The municipality with this code.
pub async fn municipality(db: &DatabaseConnection, code: &str) -> organisation::Model {
    let code = MunicipalityCode::parse("code", code).unwrap();
    service::get(db, OrganisationKey::MunicipalityCode(code))
        .await
        .unwrap()
        .expect("seeded municipality")
}

/// A new organisation of `kind` under `parent`, created by an admin.
pub async fn organisation(
    db: &DatabaseConnection,
    name: &str,
    kind: OrganisationKind,
    parent: Option<Uuid>,
) -> organisation::Model {
    let new = NewOrganisation {
        kind,
        name_fi: name.into(),
        name_sv: None,
        name_en: None,
        short_name: None,
        business_id: None,
        municipality_code: None,
        county_id: None,
        parent_id: parent,
        email: None,
        phone: None,
        website: None,
        address: None,
        description: None,
    };
    service::create(db, &admin(), new).await.unwrap()
}

/// A person of `org`, inserted as is.
pub async fn person(db: &DatabaseConnection, name: &str, org: Uuid) -> person::Model {
    let now = Utc::now();
    person::Model {
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
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .with_search_text()
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

/// A representative of `org`, ending on `valid_to` (none: current).
pub async fn representative(
    db: &DatabaseConnection,
    person: Uuid,
    org: Uuid,
    valid_to: Option<NaiveDate>,
) -> representative::Model {
    let topic = topic::Entity::find().one(db).await.unwrap().unwrap();
    let now = Utc::now();
    representative::Model {
        id: Uuid::new_v4(),
        person_id: person,
        organisation_id: org,
        topic_id: topic.id,
        level: Level::Interface,
        role: None,
        deputy_id: None,
        valid_from: None,
        valid_to,
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

/// A seat in some network for `org` and `person`, ending on `valid_to` (none: current).
pub async fn seat(
    db: &DatabaseConnection,
    org: Option<Uuid>,
    person: Option<Uuid>,
    valid_to: Option<NaiveDate>,
) -> membership::Model {
    let network = network::Entity::find().one(db).await.unwrap().unwrap();
    let now = Utc::now();
    membership::Model {
        id: Uuid::new_v4(),
        network_id: network.id,
        organisation_id: org,
        person_id: person,
        deputy_id: None,
        role: MembershipRole::Member,
        note: None,
        valid_from: None,
        valid_to,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

/// A day long past.
pub fn last_year() -> NaiveDate {
    crate::clock::today() - chrono::Days::new(365)
}

/// The operations audited for a row.
pub async fn audited(db: &DatabaseConnection, id: Uuid) -> Vec<String> {
    audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.operation, a.entity_type))
        .collect()
}
