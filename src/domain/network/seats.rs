//! Seats (memberships): who sits in a network. A seat is written by whoever may write its
//! network.

use entity::{membership, organisation};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use uuid::Uuid;

use super::service::network_for_write;
use super::{EndSeat, NewSeat, Removed, SeatPatch, Target, apply, remove_alone};
use crate::auth::policy::Principal;
use crate::db::audit::Operation;
use crate::db::tx;
use crate::domain::person::service::nameable;
use crate::domain::validity;
use crate::domain::values as input;
use crate::error::{ApiResult, bad_input};

/// `BAD_USER_INPUT` naming `field` unless a seat has a holder.
fn needs_holder(field: &str, organisation: Option<Uuid>, person: Option<Uuid>) -> ApiResult<()> {
    if organisation.is_none() && person.is_none() {
        return Err(bad_input(
            field,
            "a seat needs an organisation, a person, or both",
        ));
    }
    Ok(())
}

/// Checks that the caller may name each person given ([`nameable`]: a person of an
/// organisation it writes for).
async fn people_nameable(
    tx: &DatabaseTransaction,
    who: &Principal,
    people: &[(&str, Option<Uuid>)],
) -> ApiResult<()> {
    for (field, id) in people {
        if let Some(id) = id {
            nameable(tx, who, field, *id).await?;
        }
    }
    Ok(())
}

/// Adds a seat to a network the caller may write; audited.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewSeat,
) -> ApiResult<membership::Model> {
    needs_holder("input.organisationId", new.organisation_id, new.person_id)?;
    input::date_range("input.validTo", new.valid_from, new.valid_to)?;
    let tx = tx::begin(db).await?;
    network_for_write(&tx, who, "input.networkId", new.network_id).await?;
    if let Some(o) = new.organisation_id {
        tx::must_exist::<organisation::Entity, _>(&tx, "input.organisationId", o, "organisation")
            .await?;
    }
    people_nameable(
        &tx,
        who,
        &[
            ("input.personId", new.person_id),
            ("input.deputyId", new.deputy_id),
        ],
    )
    .await?;
    let now = chrono::Utc::now();
    let row = membership::Model {
        id: Uuid::new_v4(),
        network_id: new.network_id,
        organisation_id: new.organisation_id,
        person_id: new.person_id,
        deputy_id: new.deputy_id,
        role: new.role,
        note: new.note,
        valid_from: new.valid_from,
        valid_to: new.valid_to,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let created = tx::insert(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Locks a seat, checks the version the caller saw and that it may write the network.
async fn seat_for_write(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<(DatabaseTransaction, membership::Model)> {
    let (tx, seat) =
        tx::lock_for_update::<membership::Model>(db, target.id, target.version).await?;
    network_for_write(&tx, who, "input.id", seat.network_id).await?;
    Ok((tx, seat))
}

/// Changes a seat; it must keep a holder.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: SeatPatch,
) -> ApiResult<membership::Model> {
    let target = Target {
        id: patch.id,
        version: patch.version,
    };
    let (tx, before) = seat_for_write(db, who, target).await?;
    let changed =
        |new: Option<Option<Uuid>>, old: Option<Uuid>| new.flatten().filter(|p| Some(*p) != old);
    people_nameable(
        &tx,
        who,
        &[
            ("input.personId", changed(patch.person_id, before.person_id)),
            ("input.deputyId", changed(patch.deputy_id, before.deputy_id)),
        ],
    )
    .await?;
    let mut after = before.clone();
    after.person_id = apply(after.person_id, patch.person_id);
    after.deputy_id = apply(after.deputy_id, patch.deputy_id);
    needs_holder("input.personId", after.organisation_id, after.person_id)?;
    if let Some(role) = patch.role {
        after.role = role;
    }
    after.note = apply(after.note, patch.note);
    after.valid_from = apply(after.valid_from, patch.valid_from);
    after.valid_to = apply(after.valid_to, patch.valid_to);
    input::date_range("input.validTo", after.valid_from, after.valid_to)?;
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Ends a seat on its last day (default today); the history stays queryable.
pub async fn end(
    db: &DatabaseConnection,
    who: &Principal,
    end: EndSeat,
) -> ApiResult<membership::Model> {
    let (tx, before) = seat_for_write(db, who, end.target).await?;
    validity::end(tx, who, before, end.valid_to).await
}

/// Deletes a seat and its history; audited.
pub async fn delete(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<Removed> {
    let (tx, seat) = seat_for_write(db, who, target).await?;
    remove_alone(tx, who, &seat).await
}
