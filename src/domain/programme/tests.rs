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
        status: Some(ActionStatus::Planned),
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

/// `FORBIDDEN` naming `field`.
fn forbidden_at<T: std::fmt::Debug>(result: &Result<T, ApiError>, field: &str) -> bool {
    matches!(result, Err(ApiError::ForbiddenField(e)) if e.field == field)
}

#[tokio::test]
async fn an_editor_adds_actions_only_for_its_own_organisations() {
    let (db, _dir) = seeded().await;
    let (goal, [a, b, _]) = setting(&db).await;
    let refused = service::create_action(&db, &editor(&[a]), new_action(goal, &[b])).await;
    assert!(
        forbidden_at(&refused, "input.responsibleOrganisationIds[0]"),
        "{refused:?}"
    );
    let unassigned = service::create_action(&db, &editor(&[a]), new_action(goal, &[])).await;
    assert!(
        forbidden_at(&unassigned, "input.responsibleOrganisationIds"),
        "{unassigned:?}"
    );
    // Sharing with another organisation is the admin's.
    let shared = service::create_action(&db, &editor(&[a]), new_action(goal, &[a, b])).await;
    assert!(
        forbidden_at(&shared, "input.responsibleOrganisationIds[1]"),
        "{shared:?}"
    );
    let ok = service::create_action(&db, &editor(&[a]), new_action(goal, &[a])).await;
    assert!(ok.is_ok(), "{ok:?}");
}

/// A co-responsible editor changes the responsible organisations only among its own: it
/// may add its unit or withdraw, never drop or add another organisation.
#[tokio::test]
async fn an_editor_of_one_responsible_organisation_cannot_drop_the_others() {
    let (db, _dir) = seeded().await;
    let (goal, [a, b, other]) = setting(&db).await;
    let action = service::create_action(&db, &admin(), new_action(goal, &[a, b]))
        .await
        .unwrap();
    let v = action.version;
    let me = editor(&[a]);
    let update =
        |orgs: &[Uuid]| service::update_action(&db, &me, responsible_only(action.id, v, orgs));

    let to_other = update(&[other]).await;
    assert!(
        forbidden_at(&to_other, "input.responsibleOrganisationIds[0]"),
        "{to_other:?}"
    );
    let to_self = update(&[a]).await;
    assert!(
        forbidden_at(&to_self, "input.responsibleOrganisationIds"),
        "{to_self:?}"
    );
    let with_other = update(&[a, b, other]).await;
    assert!(
        forbidden_at(&with_other, "input.responsibleOrganisationIds[2]"),
        "{with_other:?}"
    );
    let none = update(&[]).await;
    assert!(
        forbidden_at(&none, "input.responsibleOrganisationIds"),
        "{none:?}"
    );
    assert_eq!(responsible_of(&db, action.id).await, sorted(&[a, b]));

    // Keeping the list (in any order) while changing the rest is fine.
    let kept = update(&[b, a]).await.unwrap();
    assert_eq!(responsible_of(&db, action.id).await, sorted(&[a, b]));
    // Withdrawing itself is too; b keeps the action and its reports.
    let withdrawn = service::update_action(
        &db,
        &editor(&[a]),
        responsible_only(action.id, kept.version, &[b]),
    )
    .await
    .unwrap();
    assert_eq!(responsible_of(&db, withdrawn.id).await, vec![b]);
    assert!(
        service::create_report(&db, &editor(&[b]), report(action.id))
            .await
            .is_ok()
    );
    let lost = service::create_report(&db, &editor(&[a]), report(action.id)).await;
    assert!(matches!(lost, Err(ApiError::Forbidden(_))), "{lost:?}");
}

fn sorted(orgs: &[Uuid]) -> Vec<Uuid> {
    let mut orgs = orgs.to_vec();
    orgs.sort();
    orgs
}
