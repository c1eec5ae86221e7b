//! Writing persons. A person's data is owned by the organisation the person works for.

use entity::{membership, network, organisation, person, representative};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::{NewPerson, PersonPatch};
use crate::auth::guard::enforce;
use crate::auth::owners::{owned_by, owner};
use crate::auth::policy::{self, Principal};
use crate::db::audit::Operation;
use crate::db::tx;
use crate::domain::network::Target;
use crate::domain::organisation::Deletion;
use crate::domain::organisation::cascade::{finish, refuse_current, remove_roles, still_valid};
use crate::domain::review;
use crate::error::{ApiResult, forbidden_field};

/// The person `id` that input `field` names as a representative, a deputy or a seat's
/// holder, if the caller may name that person ([`policy::may_name_person`]): a person of an
/// organisation the caller writes for. `BAD_USER_INPUT` when there is no such person,
/// `FORBIDDEN` naming `field` when the person is another organisation's (or of none).
pub async fn nameable<C: ConnectionTrait>(
    db: &C,
    who: &Principal,
    field: &str,
    id: Uuid,
) -> ApiResult<person::Model> {
    let person = tx::must_exist::<person::Entity, _>(db, field, id, "person").await?;
    let owners = owned_by(db, person.organisation_id).await?;
    match policy::may_name_person(Some(who), &owners) {
        policy::Decision::Forbidden => Err(forbidden_field(
            field,
            "the person belongs to an organisation your token does not write for: name a person of your own organisation",
        )),
        decision => enforce(decision, "that person").map(|()| person),
    }
}

/// Creates a person working for an organisation the caller owns.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewPerson,
) -> ApiResult<person::Model> {
    let tx = tx::begin(db).await?;
    let org = new.organisation_id;
    tx::must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
        .await?;
    enforce(
        policy::may_write(Some(who), &[owner(&tx, org).await?]),
        "persons of that organisation",
    )?;
    let now = chrono::Utc::now();
    let row = person::Model {
        id: Uuid::new_v4(),
        search_text: String::new(),
        name: new.name,
        title: new.title,
        organisation_id: Some(org),
        email: new.email.map(String::from),
        phone: new.phone.map(String::from),
        visibility: new.visibility,
        created_at: now,
        updated_at: now,
        version: 0,
        reviewed_at: None,
        reviewed_by: None,
    };
    let created = tx::insert(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Changes a person. Moving a person to another organisation needs the right to write for
/// both the old and the new one.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: PersonPatch,
) -> ApiResult<person::Model> {
    let (tx, before) = tx::lock_for_update::<person::Model>(db, patch.id, patch.version).await?;
    let mut owners = owned_by(&tx, before.organisation_id).await?;
    if let Some(org) = patch.organisation_id {
        tx::must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
            .await?;
        owners.push(owner(&tx, org).await?);
    }
    enforce(policy::may_write_all(Some(who), &owners), "this person")?;
    let mut after = before.clone();
    if let Some(name) = patch.name {
        after.name = name;
    }
    if let Some(org) = patch.organisation_id {
        after.organisation_id = Some(org);
    }
    if let Some(title) = patch.title {
        after.title = title;
    }
    if let Some(email) = patch.email {
        after.email = email.map(String::from);
    }
    if let Some(phone) = patch.phone {
        after.phone = phone.map(String::from);
    }
    if let Some(visibility) = patch.visibility {
        after.visibility = visibility;
    }
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Deletes a person.
///
/// What blocks it: current representative roles and seats the person holds or deputises
/// in, and networks naming the person as responsible (`CONFLICT`, unless `cascade`).
/// Ended roles are history and always go with the person.
///
/// What `cascade` removes: the person's representative roles and seats; where the person
/// is a deputy or the responsible person, that reference is cleared instead.
///
/// What is audited: every representative and seat removed, and the person itself.
pub async fn delete(db: &DatabaseConnection, who: &Principal, del: Deletion) -> ApiResult<u64> {
    let (tx, before) = tx::lock_for_update::<person::Model>(db, del.id, del.version).await?;
    enforce(
        policy::may_write(Some(who), &owned_by(&tx, before.organisation_id).await?),
        "this person",
    )?;
    let roles = current_roles(&tx, del.id).await?;
    refuse_current(roles, del.cascade, |n| {
        format!("the person holds {n} current representative roles, seats or responsibilities")
    })?;
    let removed = remove_roles(
        &tx,
        who,
        representative::Column::PersonId.eq(del.id),
        membership::Column::PersonId.eq(del.id),
    )
    .await?
        + clear_references(&tx, del.id).await?;
    finish(tx, who, &before, removed).await
}

/// How many current roles, seats and responsibilities the person holds or deputises in.
async fn current_roles(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<u64> {
    let holds = |person: representative::Column, deputy: representative::Column| {
        Condition::any().add(person.eq(id)).add(deputy.eq(id))
    };
    Ok(representative::Entity::find()
        .filter(holds(
            representative::Column::PersonId,
            representative::Column::DeputyId,
        ))
        .filter(still_valid(representative::Column::ValidTo))
        .count(tx)
        .await?
        + membership::Entity::find()
            .filter(
                Condition::any()
                    .add(membership::Column::PersonId.eq(id))
                    .add(membership::Column::DeputyId.eq(id)),
            )
            .filter(still_valid(membership::Column::ValidTo))
            .count(tx)
            .await?
        + network::Entity::find()
            .filter(network::Column::ResponsiblePersonId.eq(id))
            .count(tx)
            .await?)
}

/// Clears the deputy and responsible-person references to the person.
async fn clear_references(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<u64> {
    let none = || -> SimpleExpr { Expr::value(Option::<Uuid>::None) };
    Ok(representative::Entity::update_many()
        .col_expr(representative::Column::DeputyId, none())
        .filter(representative::Column::DeputyId.eq(id))
        .exec(tx)
        .await?
        .rows_affected
        + membership::Entity::update_many()
            .col_expr(membership::Column::DeputyId, none())
            .filter(membership::Column::DeputyId.eq(id))
            .exec(tx)
            .await?
            .rows_affected
        + network::Entity::update_many()
            .col_expr(network::Column::ResponsiblePersonId, none())
            .filter(network::Column::ResponsiblePersonId.eq(id))
            .exec(tx)
            .await?
            .rows_affected)
}

/// Confirms that a person is still as recorded (see [`crate::domain::review`]): the policy
/// and the version check of an update.
pub async fn confirm(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<person::Model> {
    let (tx, before) = tx::lock_for_update::<person::Model>(db, target.id, target.version).await?;
    let owners = owned_by(&tx, before.organisation_id).await?;
    enforce(policy::may_write_all(Some(who), &owners), "this person")?;
    review::confirm(tx, who, before).await
}
