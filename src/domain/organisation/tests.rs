//! Who may write which organisation, and what blocks, cascades and is audited when one is
//! deleted.

use entity::enums::OrganisationKind;
use entity::{membership, representative};
use sea_orm::EntityTrait;

use super::fixtures::*;
use super::{Deletion, OrganisationPatch, service};

fn describe(id: uuid::Uuid, version: i32, text: &str) -> OrganisationPatch {
    OrganisationPatch {
        id,
        version,
        description: Some(Some(text.into())),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_editor_of_kuopio_writes_kuopio_and_its_units_but_not_siilinjarvi() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let siilinjarvi = municipality(&db, "749").await;
    let who = editor(&[kuopio.id]);

    let updated = service::update(&db, &who, describe(kuopio.id, kuopio.version, "x"))
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("x"));
    assert_eq!(updated.version, kuopio.version + 1);

    let unit = organisation(
        &db,
        "Kuopion nuorisopalvelut",
        OrganisationKind::Unit,
        Some(kuopio.id),
    )
    .await;
    let unit = service::update(&db, &who, describe(unit.id, unit.version, "y"))
        .await
        .unwrap();
    assert_eq!(unit.description.as_deref(), Some("y"));

    let refused = service::update(
        &db,
        &who,
        describe(siilinjarvi.id, siilinjarvi.version, "z"),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), "FORBIDDEN");
    let refused = service::delete(
        &db,
        &who,
        Deletion {
            id: siilinjarvi.id,
            version: siilinjarvi.version,
            cascade: true,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), "FORBIDDEN");

    let by_admin = service::update(
        &db,
        &admin(),
        describe(siilinjarvi.id, siilinjarvi.version, "z"),
    )
    .await
    .unwrap();
    assert_eq!(by_admin.description.as_deref(), Some("z"));
}

#[tokio::test]
async fn an_editor_creates_units_only_under_its_own_organisations() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let siilinjarvi = municipality(&db, "749").await;
    let who = editor(&[kuopio.id]);
    let mut new = super::NewOrganisation {
        kind: OrganisationKind::Unit,
        name_fi: "Yksikkö".into(),
        name_sv: None,
        name_en: None,
        short_name: None,
        business_id: None,
        municipality_code: None,
        county_id: None,
        parent_id: Some(kuopio.id),
        email: None,
        phone: None,
        website: None,
        address: None,
        description: None,
    };
    let unit = service::create(&db, &who, new.clone()).await.unwrap();
    assert_eq!(unit.version, 1);
    assert_eq!(audited(&db, unit.id).await, ["CREATE Organisation"]);
    new.parent_id = Some(siilinjarvi.id);
    let err = service::create(&db, &who, new.clone()).await.unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
    new.parent_id = None;
    let err = service::create(&db, &who, new).await.unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
}

#[tokio::test]
async fn current_links_block_a_delete_and_ended_ones_go_with_it() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let org = organisation(&db, "Poistuva yhdistys", OrganisationKind::Ngo, None).await;
    let p = person(&db, "Liisa Lähtijä", kuopio.id).await;
    let ended = representative(&db, p.id, org.id, Some(last_year())).await;
    let current = representative(&db, p.id, org.id, None).await;
    let del = Deletion {
        id: org.id,
        version: org.version,
        cascade: false,
    };

    let err = service::delete(&db, &admin(), del).await.unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    assert!(
        representative::Entity::find_by_id(current.id)
            .one(&db)
            .await
            .unwrap()
            .is_some()
    );

    representative::Entity::delete_by_id(current.id)
        .exec(&db)
        .await
        .unwrap();
    let removed = service::delete(&db, &admin(), del).await.unwrap();
    assert_eq!(removed, 1);
    assert!(
        representative::Entity::find_by_id(ended.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(audited(&db, ended.id).await, ["DELETE Representative"]);
    assert!(
        audited(&db, org.id)
            .await
            .contains(&"DELETE Organisation".to_owned())
    );
}

#[tokio::test]
async fn cascade_removes_and_audits_every_representative_and_seat() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let org = organisation(&db, "Kaatuva yhdistys", OrganisationKind::Ngo, None).await;
    let p = person(&db, "Olli Osallinen", kuopio.id).await;
    let rep = representative(&db, p.id, org.id, None).await;
    let seat = seat(&db, Some(org.id), None, None).await;
    let del = Deletion {
        id: org.id,
        version: org.version,
        cascade: true,
    };

    let removed = service::delete(&db, &admin(), del).await.unwrap();
    assert_eq!(removed, 2);
    assert!(
        representative::Entity::find_by_id(rep.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        membership::Entity::find_by_id(seat.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(audited(&db, rep.id).await, ["DELETE Representative"]);
    assert_eq!(audited(&db, seat.id).await, ["DELETE NetworkMembership"]);
}

#[tokio::test]
async fn units_and_persons_always_block_a_delete() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let del = Deletion {
        id: kuopio.id,
        version: kuopio.version,
        cascade: true,
    };
    let err = service::delete(&db, &admin(), del).await.unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
}
