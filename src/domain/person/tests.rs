//! Who may write a person, and what blocks, cascades and is audited when one is deleted.

use entity::{membership, representative};
use sea_orm::EntityTrait;

use super::{PersonPatch, service};
use crate::domain::organisation::Deletion;
use crate::domain::organisation::fixtures::*;

#[tokio::test]
async fn moving_a_person_needs_both_organisations() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let siilinjarvi = municipality(&db, "749").await;
    let p = person(&db, "Mikko Muuttaja", kuopio.id).await;
    let patch = PersonPatch {
        id: p.id,
        version: p.version,
        organisation_id: Some(siilinjarvi.id),
        ..Default::default()
    };
    let err = service::update(&db, &editor(&[kuopio.id]), patch.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
    let moved = service::update(&db, &editor(&[kuopio.id, siilinjarvi.id]), patch)
        .await
        .unwrap();
    assert_eq!(moved.organisation_id, Some(siilinjarvi.id));
    assert_eq!(audited(&db, p.id).await, ["UPDATE Person"]);
}

#[tokio::test]
async fn current_roles_block_a_person_delete_and_ended_ones_go_with_it() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let p = person(&db, "Riitta Roolillinen", kuopio.id).await;
    let ended = representative(&db, p.id, kuopio.id, Some(last_year())).await;
    let current = seat(&db, None, Some(p.id), None).await;
    let del = Deletion {
        id: p.id,
        version: p.version,
        cascade: false,
    };

    let err = service::delete(&db, &editor(&[kuopio.id]), del)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");

    membership::Entity::delete_by_id(current.id)
        .exec(&db)
        .await
        .unwrap();
    let removed = service::delete(&db, &editor(&[kuopio.id]), del)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(
        representative::Entity::find_by_id(ended.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(audited(&db, ended.id).await, ["DELETE Representative"]);
    assert_eq!(audited(&db, p.id).await, ["DELETE Person"]);
}

#[tokio::test]
async fn cascade_removes_and_audits_a_persons_roles() {
    let db = seeded().await;
    let kuopio = municipality(&db, "297").await;
    let p = person(&db, "Kalle Kaikkialla", kuopio.id).await;
    let rep = representative(&db, p.id, kuopio.id, None).await;
    let seat = seat(&db, Some(kuopio.id), Some(p.id), None).await;
    let del = Deletion {
        id: p.id,
        version: p.version,
        cascade: true,
    };

    let err = service::delete(&db, &editor(&[municipality(&db, "749").await.id]), del)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
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
