//! Who owns an action: its responsible organisations.

use chrono::NaiveDate;
use entity::enums::{ActionStatus, OrganisationKind};
use entity::{action_organisation, goal};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{ActionPatch, NewAction, NewReport, service};
use crate::domain::network::tests::{admin, editor, orgs_of, seeded};
use crate::error::ApiError;

fn new_action(goal: Uuid, responsible: &[Uuid]) -> NewAction {
    NewAction {
        goal_id: goal,
        topic: None,
        title: "Testitoimenpide".into(),
        description: None,
        responsibility: "Testikunnat".into(),
        responsible: responsible.to_vec(),
        period_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        period_end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        status: ActionStatus::Planned,
    }
}

fn report(action: Uuid) -> NewReport {
    NewReport {
        action_id: action,
        reported_on: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        status: ActionStatus::InProgress,
        summary: "Käynnissä".into(),
        author_name: None,
    }
}

fn responsible_only(id: Uuid, version: i32, orgs: &[Uuid]) -> ActionPatch {
    ActionPatch {
        id,
        version,
        topic: None,
        title: None,
        description: None,
        responsibility: None,
        responsible: Some(orgs.to_vec()),
        period_start: None,
        period_end: None,
        status: None,
    }
}

async fn responsible_of(db: &DatabaseConnection, action: Uuid) -> Vec<Uuid> {
    let mut orgs: Vec<Uuid> = action_organisation::Entity::find()
        .filter(action_organisation::Column::ActionId.eq(action))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.organisation_id)
        .collect();
    orgs.sort();
    orgs
}

/// A goal, and three unrelated municipalities.
async fn setting(db: &DatabaseConnection) -> (Uuid, [Uuid; 3]) {
    let goal = goal::Entity::find().one(db).await.unwrap().unwrap().id;
    let m = orgs_of(db, OrganisationKind::Municipality, 3).await;
    (goal, [m[0], m[1], m[2]])
}

#[tokio::test]
async fn an_editor_of_a_responsible_organisation_may_report_progress_others_may_not() {
    let (db, _dir) = seeded().await;
    let (goal, [a, b, other]) = setting(&db).await;
    let action = service::create_action(&db, &admin(), new_action(goal, &[a, b]))
        .await
        .unwrap();

    let ok = service::create_report(&db, &editor(&[b]), report(action.id)).await;
    assert!(ok.is_ok(), "{ok:?}");
    let refused = service::create_report(&db, &editor(&[other]), report(action.id)).await;
    assert!(
        matches!(refused, Err(ApiError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_editor_adds_actions_only_for_its_own_organisations() {
    let (db, _dir) = seeded().await;
    let (goal, [a, b, _]) = setting(&db).await;
    let refused = service::create_action(&db, &editor(&[a]), new_action(goal, &[b])).await;
    assert!(
        matches!(refused, Err(ApiError::Forbidden(_))),
        "{refused:?}"
    );
    let unassigned = service::create_action(&db, &editor(&[a]), new_action(goal, &[])).await;
    assert!(
        matches!(unassigned, Err(ApiError::Forbidden(_))),
        "{unassigned:?}"
    );
    let ok = service::create_action(&db, &editor(&[a]), new_action(goal, &[a, b])).await;
    assert!(ok.is_ok(), "{ok:?}");
}

/// Today's rule, written down as it is: an editor of one responsible organisation may
/// replace the responsible organisations with its own alone, dropping the others.
#[tokio::test]
async fn an_editor_of_one_responsible_organisation_may_drop_the_others() {
    let (db, _dir) = seeded().await;
    let (goal, [a, b, other]) = setting(&db).await;
    let action = service::create_action(&db, &admin(), new_action(goal, &[a, b]))
        .await
        .unwrap();

    let to_other = responsible_only(action.id, action.version, &[other]);
    let refused = service::update_action(&db, &editor(&[a]), to_other).await;
    assert!(
        matches!(refused, Err(ApiError::Forbidden(_))),
        "{refused:?}"
    );

    let to_self = responsible_only(action.id, action.version, &[a]);
    let updated = service::update_action(&db, &editor(&[a]), to_self)
        .await
        .unwrap();
    assert_eq!(responsible_of(&db, updated.id).await, vec![a]);
    let lost = service::create_report(&db, &editor(&[b]), report(action.id)).await;
    assert!(matches!(lost, Err(ApiError::Forbidden(_))), "{lost:?}");
}
