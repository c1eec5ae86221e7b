//! Who owns what among networks, and what deleting a network takes with it.

use entity::enums::{MembershipRole, NetworkKind, OrganisationKind};
use entity::{audit_log, meeting, membership, network, organisation};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use tempfile::TempDir;
use uuid::Uuid;

use super::{Name, NewMeeting, NewNetwork, NewSeat, Removal, Target, meetings, seats, service};
use crate::auth::policy::{Principal, Role};
use crate::error::ApiError;

/// A migrated and seeded database in a temporary file (kept while the `TempDir` lives).
pub(crate) async fn seeded() -> (DatabaseConnection, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = crate::db::connect(&url).await.unwrap();
    crate::prepare(&db, true).await.unwrap();
    (db, dir)
}

/// An editor for `orgs`.
pub(crate) fn editor(orgs: &[Uuid]) -> Principal {
    Principal {
        sub: "editor".into(),
        name: None,
        role: Role::Editor,
        orgs: orgs.to_vec(),
    }
}

/// The admin.
pub(crate) fn admin() -> Principal {
    Principal {
        sub: "admin".into(),
        name: None,
        role: Role::Admin,
        orgs: Vec::new(),
    }
}

/// Ids of the first `n` organisations of `kind`, by Finnish name.
pub(crate) async fn orgs_of(
    db: &DatabaseConnection,
    kind: OrganisationKind,
    n: usize,
) -> Vec<Uuid> {
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(kind))
        .filter(organisation::Column::ParentId.is_null())
        .all(db)
        .await
        .unwrap();
    let mut rows: Vec<_> = rows.into_iter().map(|o| (o.name_fi, o.id)).collect();
    rows.sort();
    rows.into_iter().take(n).map(|(_, id)| id).collect()
}

fn new_network(convener: Uuid) -> NewNetwork {
    NewNetwork {
        kind: NetworkKind::WorkingGroup,
        name: Name {
            fi: "Testiverkosto".into(),
            sv: None,
            en: None,
        },
        description: None,
        topics: vec!["employment".into()],
        level: None,
        county_id: Some(convener),
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
    }
}

fn new_seat(network: Uuid, org: Uuid) -> NewSeat {
    NewSeat {
        network_id: network,
        organisation_id: Some(org),
        person_id: None,
        deputy_id: None,
        role: MembershipRole::Member,
        note: None,
        valid_from: None,
        valid_to: None,
    }
}

fn new_meeting(network: Uuid) -> NewMeeting {
    NewMeeting {
        network_id: network,
        title: Some("Kokous".into()),
        starts_at: "2026-12-01T10:00:00Z".parse().unwrap(),
        ends_at: None,
        location: None,
        agenda_url: None,
        minutes_url: None,
    }
}

async fn deletes_of(db: &DatabaseConnection, entity_type: &str, id: Uuid) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::EntityType.eq(entity_type))
        .filter(audit_log::Column::EntityId.eq(id))
        .filter(audit_log::Column::Operation.eq("DELETE"))
        .count(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_conveners_editor_may_add_seats_and_meetings_another_organisations_may_not() {
    let (db, _dir) = seeded().await;
    let county = orgs_of(&db, OrganisationKind::WellbeingCounty, 1).await[0];
    let municipality = orgs_of(&db, OrganisationKind::Municipality, 1).await[0];
    let county_editor = editor(&[county]);
    let network = service::create(&db, &county_editor, new_network(county))
        .await
        .unwrap();

    let seat = seats::create(&db, &county_editor, new_seat(network.id, municipality)).await;
    assert!(seat.is_ok(), "{seat:?}");
    let meeting = meetings::create(&db, &county_editor, new_meeting(network.id)).await;
    assert!(meeting.is_ok(), "{meeting:?}");

    let other = editor(&[municipality]);
    let seat = seats::create(&db, &other, new_seat(network.id, municipality)).await;
    assert!(matches!(seat, Err(ApiError::Forbidden(_))), "{seat:?}");
    let meeting = meetings::create(&db, &other, new_meeting(network.id)).await;
    assert!(
        matches!(meeting, Err(ApiError::Forbidden(_))),
        "{meeting:?}"
    );
    let seats = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network.id))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(seats, 1, "the refused seat was not written");
}

#[tokio::test]
async fn an_editor_may_not_convene_a_network_for_another_organisation() {
    let (db, _dir) = seeded().await;
    let county = orgs_of(&db, OrganisationKind::WellbeingCounty, 1).await[0];
    let municipality = orgs_of(&db, OrganisationKind::Municipality, 1).await[0];
    let created = service::create(&db, &editor(&[municipality]), new_network(county)).await;
    assert!(
        matches!(created, Err(ApiError::Forbidden(_))),
        "{created:?}"
    );
}

#[tokio::test]
async fn deleting_a_network_takes_its_seats_and_meetings_only_with_cascade_each_audited() {
    let (db, _dir) = seeded().await;
    let county = orgs_of(&db, OrganisationKind::WellbeingCounty, 1).await[0];
    let municipality = orgs_of(&db, OrganisationKind::Municipality, 1).await[0];
    let who = editor(&[county]);
    let network = service::create(&db, &who, new_network(county))
        .await
        .unwrap();
    let seat = seats::create(&db, &who, new_seat(network.id, municipality))
        .await
        .unwrap();
    let meeting = meetings::create(&db, &who, new_meeting(network.id))
        .await
        .unwrap();
    let target = Target {
        id: network.id,
        version: network.version,
    };

    let refused = service::delete(
        &db,
        &who,
        Removal {
            target,
            cascade: false,
        },
    )
    .await;
    assert!(matches!(refused, Err(ApiError::Conflict(_))), "{refused:?}");
    assert!(service::get(&db, network.id).await.unwrap().is_some());

    let removed = service::delete(
        &db,
        &who,
        Removal {
            target,
            cascade: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(removed.references, 2);
    assert!(service::get(&db, network.id).await.unwrap().is_none());
    assert!(
        membership::Entity::find_by_id(seat.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        meeting::Entity::find_by_id(meeting.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(deletes_of(&db, "Network", network.id).await, 1);
    assert_eq!(deletes_of(&db, "NetworkMembership", seat.id).await, 1);
    assert_eq!(deletes_of(&db, "Meeting", meeting.id).await, 1);
}

#[tokio::test]
async fn a_network_with_sub_networks_is_not_deleted() {
    let (db, _dir) = seeded().await;
    let county = orgs_of(&db, OrganisationKind::WellbeingCounty, 1).await[0];
    let who = admin();
    let parent = service::create(&db, &who, new_network(county))
        .await
        .unwrap();
    let mut child = new_network(county);
    child.parent_id = Some(parent.id);
    service::create(&db, &who, child).await.unwrap();
    let target = Target {
        id: parent.id,
        version: parent.version,
    };
    let refused = service::delete(
        &db,
        &who,
        Removal {
            target,
            cascade: true,
        },
    )
    .await;
    assert!(matches!(refused, Err(ApiError::Conflict(_))), "{refused:?}");
    assert!(
        network::Entity::find_by_id(parent.id)
            .one(&db)
            .await
            .unwrap()
            .is_some()
    );
}
