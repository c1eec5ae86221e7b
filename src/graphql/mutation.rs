//! Mutations. Each runs in one transaction: check the input, lock the row, ask the policy,
//! compare versions, write, append the audit entry, commit. A failure anywhere rolls back
//! everything, the audit entry included.

use std::collections::HashSet;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::Utc;
use entity::enums as db;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::inputs::*;
use super::types::*;
use super::write::*;
pub(super) use crate::auth::owners::{action_owners, network_owners};
use crate::auth::policy;
use crate::domain::organisation::service as organisation_service;
pub(super) use crate::domain::reference::service::topic_id;
use crate::error::*;
use crate::input;

/// The representative after a write.
#[derive(SimpleObject)]
pub struct RepresentativePayload {
    /// The row as written.
    pub representative: Representative,
}

/// The network after a write.
#[derive(SimpleObject)]
pub struct NetworkPayload {
    /// The row as written.
    pub network: Network,
}

/// The seat after a write.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The row as written.
    pub membership: NetworkMembership,
}

/// The meeting after a write.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The row as written.
    pub meeting: Meeting,
}

/// The action after a write.
#[derive(SimpleObject)]
pub struct ActionPayload {
    /// The row as written.
    pub action: Action,
}

/// The progress report after a write.
#[derive(SimpleObject)]
pub struct ProgressReportPayload {
    /// The row as written.
    pub progress_report: ProgressReport,
}

pub(super) fn deleted(id: Uuid, removed: u64) -> DeletePayload {
    DeletePayload {
        deleted_id: ID(id.to_string()),
        removed_references: i32::try_from(removed).unwrap_or(i32::MAX),
    }
}

/// The served municipalities of a representative, each checked to be a municipality.
async fn municipalities(
    tx: &DatabaseTransaction,
    field: &str,
    values: &[ID],
) -> ApiResult<Vec<Uuid>> {
    organisation_service::municipalities(tx, field, &ids(field, values)?).await
}

/// Writes to representatives.
#[derive(Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    /// Names a representative.
    async fn create_representative(
        &self,
        ctx: &Context<'_>,
        input: CreateRepresentativeInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = caller(ctx)?;
        let person_id = id("input.personId", &input.person_id)?;
        let org = id("input.organisationId", &input.organisation_id)?;
        let deputy_id = opt_id("input.deputyId", &input.deputy_id)?;
        checked(input::date_range(
            "input.validTo",
            input.valid_from.map(|d| d.0),
            input.valid_to.map(|d| d.0),
        ))?;
        let role = opt(&input.role, opt_text("input.role", SHORT_MAX))?;
        let tx = begin(ctx).await?;
        must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
            .await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, org).await?]),
            "representatives of that organisation",
        )?;
        must_exist::<person::Entity, _>(&tx, "input.personId", person_id, "person").await?;
        if let Some(deputy) = deputy_id {
            must_exist::<person::Entity, _>(&tx, "input.deputyId", deputy, "person").await?;
        }
        let topic_id = topic_id(&tx, "input.topic", &input.topic).await?;
        let served = municipalities(
            &tx,
            "input.servedMunicipalityIds",
            &input.served_municipality_ids,
        )
        .await?;
        let created = insert_representative(
            &tx,
            who,
            RepresentativeRow {
                person_id,
                organisation_id: org,
                topic_id,
                level: input.level.into(),
                role,
                deputy_id,
                served,
                valid_from: input.valid_from.map(|d| d.0),
                valid_to: input.valid_to.map(|d| d.0),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(RepresentativePayload {
            representative: Representative(created),
        })
    }

    /// Changes a representative.
    async fn update_representative(
        &self,
        ctx: &Context<'_>,
        input: UpdateRepresentativeInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let person = opt_id("input.personId", &input.person_id)?;
        let deputy = maybe_id("input.deputyId", &input.deputy_id)?;
        let tx = begin(ctx).await?;
        let before =
            lock::<representative::Entity>(&tx, "representative", id, "representative").await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, before.organisation_id).await?]),
            "this representative",
        )?;
        check_version(before.version, input.version, "representative")?;
        let mut after = before.clone();
        if let Some(person) = person {
            must_exist::<person::Entity, _>(&tx, "input.personId", person, "person").await?;
            after.person_id = person;
        }
        if let async_graphql::MaybeUndefined::Value(d) = deputy {
            must_exist::<person::Entity, _>(&tx, "input.deputyId", d, "person").await?;
        }
        after.deputy_id = update_value(after.deputy_id, &deputy);
        if let Some(slug) = &input.topic {
            after.topic_id = topic_id(&tx, "input.topic", slug).await?;
        }
        if let Some(level) = input.level {
            after.level = level.into();
        }
        after.role = update_text(after.role, &input.role, opt_text("input.role", SHORT_MAX))?;
        after.valid_from = update_value(after.valid_from, &input.valid_from);
        after.valid_to = update_value(after.valid_to, &input.valid_to);
        checked(input::date_range(
            "input.validTo",
            after.valid_from,
            after.valid_to,
        ))?;
        if let Some(served) = &input.served_municipality_ids {
            let served = municipalities(&tx, "input.servedMunicipalityIds", served).await?;
            representative_municipality::Entity::delete_many()
                .filter(representative_municipality::Column::RepresentativeId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?;
            for m in served {
                representative_municipality::Model {
                    representative_id: id,
                    municipality_id: m,
                }
                .into_active_model()
                .insert(&tx)
                .await
                .map_err(internal)?;
            }
        }
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after = save::<representative::ActiveModel>(
            tx,
            who,
            "Representative",
            id,
            Operation::Update,
            &before,
            after,
        )
        .await?;
        Ok(RepresentativePayload {
            representative: Representative(after),
        })
    }

    /// Ends a representative's term: sets `validTo` (default today); the history stays
    /// queryable with `activeOn`.
    async fn end_representative(
        &self,
        ctx: &Context<'_>,
        input: EndInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before =
            lock::<representative::Entity>(&tx, "representative", id, "representative").await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, before.organisation_id).await?]),
            "this representative",
        )?;
        check_version(before.version, input.version, "representative")?;
        let valid_to = input.valid_to.map(|d| d.0).unwrap_or_else(super::today);
        checked(input::date_range(
            "input.validTo",
            before.valid_from,
            Some(valid_to),
        ))?;
        let mut after = before.clone();
        after.valid_to = Some(valid_to);
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after = save::<representative::ActiveModel>(
            tx,
            who,
            "Representative",
            id,
            Operation::End,
            &before,
            after,
        )
        .await?;
        Ok(RepresentativePayload {
            representative: Representative(after),
        })
    }

    /// Deletes a representative and its history; prefer `endRepresentative`.
    async fn delete_representative(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before =
            lock::<representative::Entity>(&tx, "representative", id, "representative").await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, before.organisation_id).await?]),
            "this representative",
        )?;
        check_version(before.version, input.version, "representative")?;
        let removed = representative_municipality::Entity::delete_many()
            .filter(representative_municipality::Column::RepresentativeId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?
            .rows_affected;
        representative::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Representative",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, removed))
    }
}

/// A representative to insert.
pub struct RepresentativeRow {
    pub person_id: Uuid,
    pub organisation_id: Uuid,
    pub topic_id: Uuid,
    pub level: db::Level,
    pub role: Option<String>,
    pub deputy_id: Option<Uuid>,
    pub served: Vec<Uuid>,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
}

/// Inserts a representative with its served municipalities and audit entry.
pub async fn insert_representative(
    tx: &DatabaseTransaction,
    who: &policy::Principal,
    row: RepresentativeRow,
) -> ApiResult<representative::Model> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    let created = representative::Model {
        id,
        person_id: row.person_id,
        organisation_id: row.organisation_id,
        topic_id: row.topic_id,
        level: row.level,
        role: row.role,
        deputy_id: row.deputy_id,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(tx)
    .await
    .map_err(internal)?;
    let mut seen = HashSet::new();
    for m in row.served {
        if seen.insert(m) {
            representative_municipality::Model {
                representative_id: id,
                municipality_id: m,
            }
            .into_active_model()
            .insert(tx)
            .await
            .map_err(internal)?;
        }
    }
    audit(
        tx,
        who,
        "Representative",
        id,
        Operation::Create,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}
