//! Reading the programme and writing its actions and progress reports.

use entity::enums::ActionStatus;
use entity::{action, action_organisation, agreement, goal, metric, organisation, progress_report};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

use super::{
    ActionFilter, ActionPatch, NewAction, NewReport, Removal, Removed, ReportPatch, Target, apply,
    remove_alone,
};
use crate::auth::guard::enforce;
use crate::auth::owners::{action_owners, owners};
use crate::auth::policy::{self, Principal};
use crate::db::audit::Operation;
use crate::db::page::{Window, page_of};
use crate::db::tx;
use crate::domain::reference::service::topic_id;
use crate::domain::reference::service::topic_subtree;
use crate::domain::review;
use crate::domain::search::{Kind, text_condition};
use crate::error::{ApiResult, bad_input, conflict, forbidden_field};

/// The statuses of an open action.
const OPEN: [ActionStatus; 2] = [ActionStatus::Planned, ActionStatus::InProgress];

/// The goals of an agreement, or of every agreement, in order.
pub async fn goals(
    db: &DatabaseConnection,
    agreement: Option<Uuid>,
) -> ApiResult<Vec<goal::Model>> {
    let mut query = goal::Entity::find();
    if let Some(agreement) = agreement {
        query = query.filter(goal::Column::AgreementId.eq(agreement));
    }
    Ok(query
        .order_by_asc(goal::Column::AgreementId)
        .order_by_asc(goal::Column::SortOrder)
        .order_by_asc(goal::Column::Id)
        .all(db)
        .await?)
}

/// Every agreement, newest first.
pub async fn agreements(db: &DatabaseConnection) -> ApiResult<Vec<agreement::Model>> {
    Ok(agreement::Entity::find()
        .order_by_desc(agreement::Column::ValidFrom)
        .order_by_asc(agreement::Column::Id)
        .all(db)
        .await?)
}

/// Actions with (or, `responsible = false`, without) responsible organisations; with
/// `organisation`, those naming it.
fn responsible(organisation: Option<Uuid>, responsible: bool) -> Condition {
    let mut links = Query::select();
    links
        .column(action_organisation::Column::ActionId)
        .from(action_organisation::Entity);
    if let Some(org) = organisation {
        links.and_where(action_organisation::Column::OrganisationId.eq(org));
    }
    let links = links.to_owned();
    Condition::all().add(if responsible {
        action::Column::Id.in_subquery(links)
    } else {
        action::Column::Id.not_in_subquery(links)
    })
}

/// The query of `filter`, unordered.
async fn filtered(
    db: &DatabaseConnection,
    filter: ActionFilter,
) -> ApiResult<Select<action::Entity>> {
    let mut cond = Condition::all();
    if let Some(goal) = filter.goal_id {
        cond = cond.add(action::Column::GoalId.eq(goal));
    }
    if let Some(agreement) = filter.agreement_id {
        let goals = Query::select()
            .column(goal::Column::Id)
            .from(goal::Entity)
            .and_where(goal::Column::AgreementId.eq(agreement))
            .to_owned();
        cond = cond.add(action::Column::GoalId.in_subquery(goals));
    }
    if let Some(slug) = &filter.topic {
        cond =
            cond.add(action::Column::TopicId.is_in(topic_subtree(db, "filter.topic", slug).await?));
    }
    if let Some(statuses) = filter.statuses {
        cond = cond.add(action::Column::Status.is_in(statuses));
    }
    // An action nobody has reported on (status null) is open: the programme set it, and
    // nobody has said it is done or dropped.
    match filter.open {
        Some(true) => {
            cond = cond.add(
                Condition::any()
                    .add(action::Column::Status.is_null())
                    .add(action::Column::Status.is_in(OPEN)),
            )
        }
        Some(false) => cond = cond.add(action::Column::Status.is_not_in(OPEN)),
        None => {}
    }
    match filter.reported {
        Some(true) => cond = cond.add(action::Column::Status.is_not_null()),
        Some(false) => cond = cond.add(action::Column::Status.is_null()),
        None => {}
    }
    if let Some(staleness) = filter.stale {
        cond = cond.add(staleness.condition(action::Column::ReviewedAt));
    }
    if let Some(org) = filter.responsible_organisation_id {
        cond = cond.add(responsible(Some(org), true));
    }
    if let Some(unassigned) = filter.unassigned {
        cond = cond.add(responsible(None, !unassigned));
    }
    if let Some(text) = &filter.text {
        cond = cond.add(text_condition(db, Kind::Action, action::Column::Id, text).await?);
    }
    Ok(action::Entity::find().filter(cond))
}

/// Actions matching `filter` in the programme's order (goal, topic, position), and how
/// many match.
pub async fn list(
    db: &DatabaseConnection,
    filter: ActionFilter,
    window: Window,
) -> ApiResult<(Vec<action::Model>, u64)> {
    let query = filtered(db, filter)
        .await?
        .order_by_asc(action::Column::GoalId)
        .order_by_asc(action::Column::TopicId)
        .order_by_asc(action::Column::SortOrder)
        .order_by_asc(action::Column::Id);
    page_of(db, query, window).await
}

/// One action by id.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> ApiResult<Option<action::Model>> {
    Ok(action::Entity::find_by_id(id).one(db).await?)
}

/// Replaces the responsible organisations of an action.
async fn set_responsible(tx: &DatabaseTransaction, action: Uuid, orgs: &[Uuid]) -> ApiResult<()> {
    let links: Vec<_> = orgs
        .iter()
        .map(|org| {
            action_organisation::Model {
                action_id: action,
                organisation_id: *org,
            }
            .into_active_model()
        })
        .collect();
    tx::replace_links(tx, action_organisation::Column::ActionId, action, links).await
}

/// The input field naming an action's responsible organisations.
const RESPONSIBLE: &str = "input.responsibleOrganisationIds";

/// Checks that the organisations exist and that the caller may make them the responsible
/// organisations of an action now answered for by `current` (none for a new action): see
/// [`policy::may_change_responsible`]. A refusal names the field at fault.
async fn may_make_responsible(
    tx: &DatabaseTransaction,
    who: &Principal,
    current: &[Uuid],
    orgs: &[Uuid],
) -> ApiResult<()> {
    for (i, org) in orgs.iter().enumerate() {
        let field = format!("{RESPONSIBLE}[{i}]");
        tx::must_exist::<organisation::Entity, _>(tx, &field, *org, "organisation").await?;
    }
    let added: Vec<(usize, Uuid)> = orgs
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, org)| !current.contains(org))
        .collect();
    let removed: Vec<Uuid> = current
        .iter()
        .copied()
        .filter(|org| !orgs.contains(org))
        .collect();
    let added_ids: Vec<Uuid> = added.iter().map(|(_, org)| *org).collect();
    let added_owners = owners(tx, added_ids).await?;
    let removed_owners = owners(tx, removed.clone()).await?;
    let remaining = orgs.iter().collect::<std::collections::HashSet<_>>().len();
    let decision =
        policy::may_change_responsible(Some(who), &added_owners, &removed_owners, remaining);
    if decision != policy::Decision::Forbidden {
        return enforce(decision, "actions of those organisations");
    }
    let own = |owner: &policy::Owner| {
        policy::may_write(Some(who), std::slice::from_ref(owner)) == policy::Decision::Allow
    };
    if let Some(((i, _), _)) = added.iter().zip(&added_owners).find(|(_, o)| !own(o)) {
        return Err(forbidden_field(
            format!("{RESPONSIBLE}[{i}]"),
            "your token does not write for this organisation: only an admin makes another organisation responsible for an action",
        ));
    }
    if let Some((org, _)) = removed.iter().zip(&removed_owners).find(|(_, o)| !own(o)) {
        return Err(forbidden_field(
            RESPONSIBLE,
            format!(
                "organisation {org} is responsible for this action too: only it or an admin may remove it"
            ),
        ));
    }
    Err(forbidden_field(
        RESPONSIBLE,
        "an action needs a responsible organisation: only an admin leaves one unassigned",
    ))
}

/// The responsible organisations of an action.
async fn responsible_of(tx: &DatabaseTransaction, action: Uuid) -> ApiResult<Vec<Uuid>> {
    Ok(action_organisation::Entity::find()
        .filter(action_organisation::Column::ActionId.eq(action))
        .all(tx)
        .await?
        .into_iter()
        .map(|link| link.organisation_id)
        .collect())
}

/// `BAD_USER_INPUT` when a period ends before it starts.
fn check_period(row: &action::Model) -> ApiResult<()> {
    if row.period_end < row.period_start {
        return Err(bad_input(
            "input.periodEnd",
            "the period ends before it starts",
        ));
    }
    Ok(())
}

/// Adds an action at the end of its goal. An editor names only its own organisations as
/// responsible, at least one (so an editor cannot add an unassigned action); audited.
pub async fn create_action(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewAction,
) -> ApiResult<action::Model> {
    let now = chrono::Utc::now();
    let mut row = action::Model {
        id: Uuid::new_v4(),
        goal_id: new.goal_id,
        topic_id: None,
        search_text: String::new(),
        title: new.title,
        description: new.description,
        responsibility: new.responsibility,
        period_start: new.period_start,
        period_end: new.period_end,
        status: new.status,
        sort_order: 0,
        created_at: now,
        updated_at: now,
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    };
    check_period(&row)?;
    let tx = tx::begin(db).await?;
    tx::must_exist::<goal::Entity, _>(&tx, "input.goalId", new.goal_id, "goal").await?;
    may_make_responsible(&tx, who, &[], &new.responsible).await?;
    if let Some(slug) = &new.topic {
        row.topic_id = Some(topic_id(&tx, "input.topic", slug).await?);
    }
    let before = action::Entity::find()
        .filter(action::Column::GoalId.eq(new.goal_id))
        .count(&tx)
        .await?;
    row.sort_order = i32::try_from(before + 1).unwrap_or(i32::MAX);
    let created = tx::insert(&tx, who, row).await?;
    set_responsible(&tx, created.id, &new.responsible).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Changes an action. The caller must be able to write the action (one of its responsible
/// organisations); when the responsible organisations are replaced, an editor may add and
/// remove only its own organisations and must leave one ([`may_make_responsible`]): a
/// co-responsible editor cannot remove the others.
pub async fn update_action(
    db: &DatabaseConnection,
    who: &Principal,
    patch: ActionPatch,
) -> ApiResult<action::Model> {
    let tx = tx::begin(db).await?;
    let before: action::Model = tx::lock(&tx, patch.id).await?;
    enforce(
        policy::may_write(Some(who), &action_owners(&tx, patch.id).await?),
        "this action",
    )?;
    if let Some(orgs) = &patch.responsible {
        let current = responsible_of(&tx, patch.id).await?;
        may_make_responsible(&tx, who, &current, orgs).await?;
    }
    tx::check_version(&before, patch.version)?;
    let mut after = before.clone();
    after.topic_id = match &patch.topic {
        None => after.topic_id,
        Some(None) => None,
        Some(Some(slug)) => Some(topic_id(&tx, "input.topic", slug).await?),
    };
    if let Some(title) = patch.title {
        after.title = title;
    }
    after.description = apply(after.description, patch.description);
    if let Some(r) = patch.responsibility {
        after.responsibility = r;
    }
    after.period_start = patch.period_start.unwrap_or(after.period_start);
    after.period_end = patch.period_end.unwrap_or(after.period_end);
    check_period(&after)?;
    if let Some(status) = patch.status {
        after.status = Some(status);
    }
    if let Some(orgs) = &patch.responsible {
        set_responsible(&tx, patch.id, orgs).await?;
    }
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Deletes an action. Its progress reports block the delete unless `cascade` is set; with
/// it they go too, each audited, and are counted in [`Removed::references`]. Its metrics and
/// responsible-organisation links go with it; the action's delete is audited.
pub async fn delete_action(
    db: &DatabaseConnection,
    who: &Principal,
    removal: Removal,
) -> ApiResult<Removed> {
    let id = removal.target.id;
    let tx = tx::begin(db).await?;
    let before: action::Model = tx::lock(&tx, id).await?;
    enforce(
        policy::may_write(Some(who), &action_owners(&tx, id).await?),
        "this action",
    )?;
    tx::check_version(&before, removal.target.version)?;
    let reports = progress_report::Entity::find()
        .filter(progress_report::Column::ActionId.eq(id))
        .all(&tx)
        .await?;
    if !reports.is_empty() && !removal.cascade {
        return Err(conflict(format!(
            "the action has {} progress reports; delete with cascade: true to remove them too",
            reports.len()
        )));
    }
    for report in &reports {
        tx::remove(&tx, who, report).await?;
    }
    metric::Entity::delete_many()
        .filter(metric::Column::ActionId.eq(id))
        .exec(&tx)
        .await?;
    action_organisation::Entity::delete_many()
        .filter(action_organisation::Column::ActionId.eq(id))
        .exec(&tx)
        .await?;
    tx::remove(&tx, who, &before).await?;
    tx::commit(tx).await?;
    Ok(Removed {
        id,
        references: reports.len() as u64,
    })
}

/// Reports progress on an action the caller may write; audited.
pub async fn create_report(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewReport,
) -> ApiResult<progress_report::Model> {
    let tx = tx::begin(db).await?;
    tx::must_exist::<action::Entity, _>(&tx, "input.actionId", new.action_id, "action").await?;
    may_report(&tx, who, new.action_id).await?;
    let now = chrono::Utc::now();
    let row = progress_report::Model {
        id: Uuid::new_v4(),
        action_id: new.action_id,
        reported_on: new.reported_on,
        status: new.status,
        summary: new.summary,
        author_name: new.author_name,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let created = tx::insert(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Whether the caller may write the reports of `action`.
async fn may_report(tx: &DatabaseTransaction, who: &Principal, action: Uuid) -> ApiResult<()> {
    enforce(
        policy::may_write(Some(who), &action_owners(tx, action).await?),
        "reports of this action",
    )
}

/// Changes a progress report.
pub async fn update_report(
    db: &DatabaseConnection,
    who: &Principal,
    patch: ReportPatch,
) -> ApiResult<progress_report::Model> {
    let (tx, before) =
        tx::lock_for_update::<progress_report::Model>(db, patch.id, patch.version).await?;
    may_report(&tx, who, before.action_id).await?;
    let mut after = before.clone();
    after.reported_on = patch.reported_on.unwrap_or(after.reported_on);
    after.status = patch.status.unwrap_or(after.status);
    after.summary = patch.summary.unwrap_or(after.summary);
    after.author_name = apply(after.author_name, patch.author_name);
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Deletes a progress report; audited.
pub async fn delete_report(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<Removed> {
    let (tx, row) =
        tx::lock_for_update::<progress_report::Model>(db, target.id, target.version).await?;
    may_report(&tx, who, row.action_id).await?;
    remove_alone(tx, who, &row).await
}

/// Confirms that an action is still as recorded (see [`crate::domain::review`]): the
/// policy and the version check of an update.
pub async fn confirm_action(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<action::Model> {
    let tx = tx::begin(db).await?;
    let before: action::Model = tx::lock(&tx, target.id).await?;
    enforce(
        policy::may_write(Some(who), &action_owners(&tx, target.id).await?),
        "this action",
    )?;
    tx::check_version(&before, target.version)?;
    review::confirm(tx, who, before).await
}
