//! Mutations. Each runs in one transaction: check the input, lock the row, ask the policy,
//! compare versions, write, append the audit entry, commit. A failure anywhere rolls back
//! everything, the audit entry included.

use std::collections::HashSet;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::Utc;
use entity::enums as db;
use entity::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::inputs::*;
use super::types::*;
use super::write::*;
pub(super) use crate::auth::owners::owned_by;
use crate::auth::policy;
use crate::domain::search::Searchable;
use crate::error::*;
use crate::input;

/// The organisation after a write.
#[derive(SimpleObject)]
pub struct OrganisationPayload {
    /// The row as written.
    pub organisation: Organisation,
}

/// The person after a write.
#[derive(SimpleObject)]
pub struct PersonPayload {
    /// The row as written.
    pub person: Person,
}

/// The representative after a write.
#[derive(SimpleObject)]
pub struct RepresentativePayload {
    /// The row as written.
    pub representative: Representative,
}

pub(super) fn deleted(id: Uuid, removed: u64) -> DeletePayload {
    DeletePayload {
        deleted_id: ID(id.to_string()),
        removed_references: i32::try_from(removed).unwrap_or(i32::MAX),
    }
}

/// Rows whose validity has not ended: no last day, or one today or later.
fn still_valid<C: ColumnTrait>(valid_to: C) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(valid_to.is_null())
        .add(valid_to.gte(super::today()))
}

/// Removes the representatives and seats matching the conditions, each with its own audit
/// entry, and returns how many rows went.
async fn remove_roles(
    tx: &DatabaseTransaction,
    who: &policy::Principal,
    representatives: sea_orm::sea_query::SimpleExpr,
    seats: sea_orm::sea_query::SimpleExpr,
) -> ApiResult<u64> {
    let reps = representative::Entity::find()
        .filter(representatives.clone())
        .all(tx)
        .await
        .map_err(internal)?;
    for rep in &reps {
        audit(
            tx,
            who,
            "Representative",
            rep.id,
            Operation::Delete,
            Some(rep),
            None,
        )
        .await?;
    }
    let seat_rows = membership::Entity::find()
        .filter(seats.clone())
        .all(tx)
        .await
        .map_err(internal)?;
    for seat in &seat_rows {
        audit(
            tx,
            who,
            "NetworkMembership",
            seat.id,
            Operation::Delete,
            Some(seat),
            None,
        )
        .await?;
    }
    let mut removed = representative::Entity::delete_many()
        .filter(representatives)
        .exec(tx)
        .await
        .map_err(internal)?
        .rows_affected;
    removed += membership::Entity::delete_many()
        .filter(seats)
        .exec(tx)
        .await
        .map_err(internal)?
        .rows_affected;
    Ok(removed)
}

pub(crate) async fn topic_id(tx: &DatabaseTransaction, field: &str, slug: &str) -> ApiResult<Uuid> {
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug.trim()))
        .one(tx)
        .await
        .map_err(internal)?
        .map(|t| t.id)
        .ok_or_else(|| bad_input(field, format!("no topic with slug {slug:?}")))
}

async fn municipalities(
    tx: &DatabaseTransaction,
    field: &str,
    values: &[ID],
) -> ApiResult<Vec<Uuid>> {
    let ids = ids(field, values)?;
    for (i, id) in ids.iter().enumerate() {
        let org = must_exist::<organisation::Entity, _>(
            tx,
            &format!("{field}[{i}]"),
            *id,
            "organisation",
        )
        .await?;
        if org.kind != db::OrganisationKind::Municipality {
            return Err(bad_input(
                format!("{field}[{i}]"),
                format!("{} is not a municipality", org.name_fi),
            ));
        }
    }
    Ok(ids)
}

async fn check_unique_codes(
    tx: &DatabaseTransaction,
    except: Option<Uuid>,
    business_id: Option<&str>,
    municipality_code: Option<&str>,
) -> ApiResult<()> {
    if let Some(bid) = business_id {
        let mut q = organisation::Entity::find().filter(organisation::Column::BusinessId.eq(bid));
        if let Some(id) = except {
            q = q.filter(organisation::Column::Id.ne(id));
        }
        if q.count(tx).await.map_err(internal)? > 0 {
            return Err(bad_input(
                "input.businessId",
                format!("business ID {bid} is already in use"),
            ));
        }
    }
    if let Some(code) = municipality_code {
        let mut q =
            organisation::Entity::find().filter(organisation::Column::MunicipalityCode.eq(code));
        if let Some(id) = except {
            q = q.filter(organisation::Column::Id.ne(id));
        }
        if q.count(tx).await.map_err(internal)? > 0 {
            return Err(bad_input(
                "input.municipalityCode",
                format!("municipality code {code} is already in use"),
            ));
        }
    }
    Ok(())
}

/// Writes to organisations, persons and representatives.
#[derive(Default)]
pub struct OrganisationMutations;

#[Object]
impl OrganisationMutations {
    /// Creates an organisation.
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> ApiResult<OrganisationPayload> {
        let who = caller(ctx)?;
        let name = input.name.check("input.name", NAME_MAX)?;
        let kind: db::OrganisationKind = input.kind.into();
        let business_id = opt(&input.business_id, |v| {
            input::business_id("input.businessId", v).map(Some)
        })?;
        let municipality_code = opt(&input.municipality_code, |v| {
            input::municipality_code("input.municipalityCode", v).map(Some)
        })?;
        if (kind == db::OrganisationKind::Municipality) != municipality_code.is_some() {
            return Err(bad_input(
                "input.municipalityCode",
                "a municipality needs a municipality code and nothing else has one",
            ));
        }
        let county_id = opt_id("input.countyId", &input.county_id)?;
        let parent_id = opt_id("input.parentId", &input.parent_id)?;
        let now = Utc::now();
        let mut model = organisation::Model {
            id: Uuid::new_v4(),
            kind,
            name_fi: name.fi,
            name_sv: name.sv,
            name_en: name.en,
            short_name: opt(&input.short_name, opt_text("input.shortName", NAME_MAX))?,
            business_id,
            municipality_code,
            county_code: None,
            county_id,
            parent_id,
            email: opt(&input.email, opt_email("input.email"))?,
            phone: opt(&input.phone, opt_phone("input.phone"))?,
            website: opt(&input.website, opt_url("input.website"))?,
            address: opt(&input.address, opt_text("input.address", SHORT_MAX))?,
            description: opt(&input.description, opt_text("input.description", LONG_MAX))?,
            search_text: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        model.refresh_search_text();
        let tx = begin(ctx).await?;
        if let Some(county) = county_id {
            let county = must_exist::<organisation::Entity, _>(
                &tx,
                "input.countyId",
                county,
                "organisation",
            )
            .await?;
            if county.kind != db::OrganisationKind::WellbeingCounty && county.county_code.is_none()
            {
                return Err(bad_input(
                    "input.countyId",
                    "countyId must be a wellbeing services county",
                ));
            }
        }
        match parent_id {
            Some(parent) => {
                must_exist::<organisation::Entity, _>(
                    &tx,
                    "input.parentId",
                    parent,
                    "organisation",
                )
                .await?;
                enforce(
                    policy::may_write(Some(who), &[owner(&tx, parent).await?]),
                    "units of that organisation",
                )?;
            }
            None => enforce(policy::admin_only(Some(who)), "top-level organisations")?,
        }
        check_unique_codes(
            &tx,
            None,
            model.business_id.as_deref(),
            model.municipality_code.as_deref(),
        )
        .await?;
        let created = model
            .into_active_model()
            .insert(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Organisation",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(OrganisationPayload {
            organisation: Organisation(created),
        })
    }

    /// Changes an organisation's own fields.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> ApiResult<OrganisationPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let name = input
            .name
            .as_ref()
            .map(|n| n.check("input.name", NAME_MAX))
            .transpose()?;
        let tx = begin(ctx).await?;
        let before = lock::<organisation::Entity>(&tx, "organisation", id, "organisation").await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, id).await?]),
            "this organisation",
        )?;
        check_version(before.version, input.version, "organisation")?;
        let mut after = before.clone();
        if let Some(name) = name {
            after.name_fi = name.fi;
            after.name_sv = name.sv;
            after.name_en = name.en;
        }
        after.short_name = update_text(
            after.short_name,
            &input.short_name,
            opt_text("input.shortName", NAME_MAX),
        )?;
        after.business_id = update_text(after.business_id, &input.business_id, |v| {
            input::business_id("input.businessId", v).map(Some)
        })?;
        after.email = update_text(after.email, &input.email, opt_email("input.email"))?;
        after.phone = update_text(after.phone, &input.phone, opt_phone("input.phone"))?;
        after.website = update_text(after.website, &input.website, opt_url("input.website"))?;
        after.address = update_text(
            after.address,
            &input.address,
            opt_text("input.address", SHORT_MAX),
        )?;
        after.description = update_text(
            after.description,
            &input.description,
            opt_text("input.description", LONG_MAX),
        )?;
        check_unique_codes(&tx, Some(id), after.business_id.as_deref(), None).await?;
        after.refresh_search_text();
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after = save::<organisation::ActiveModel>(
            tx,
            who,
            "Organisation",
            id,
            Operation::Update,
            &before,
            after,
        )
        .await?;
        Ok(OrganisationPayload {
            organisation: Organisation(after),
        })
    }

    /// Deletes an organisation. Refused while other rows refer to it, unless `cascade`
    /// removes its representatives, seats and links (units, persons, networks it convenes,
    /// areas and agreements always block).
    async fn delete_organisation(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<organisation::Entity>(&tx, "organisation", id, "organisation").await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, id).await?]),
            "this organisation",
        )?;
        check_version(before.version, input.version, "organisation")?;
        let blocking = [
            (
                "units",
                organisation::Entity::find()
                    .filter(organisation::Column::ParentId.eq(id))
                    .count(&tx)
                    .await,
            ),
            (
                "member organisations",
                organisation::Entity::find()
                    .filter(organisation::Column::CountyId.eq(id))
                    .filter(organisation::Column::Id.ne(id))
                    .count(&tx)
                    .await,
            ),
            (
                "persons",
                person::Entity::find()
                    .filter(person::Column::OrganisationId.eq(id))
                    .count(&tx)
                    .await,
            ),
            (
                "networks",
                network::Entity::find()
                    .filter(
                        network::Column::ConvenerId
                            .eq(id)
                            .or(network::Column::CountyId.eq(id)),
                    )
                    .count(&tx)
                    .await,
            ),
            (
                "areas",
                area::Entity::find()
                    .filter(area::Column::CountyId.eq(id))
                    .count(&tx)
                    .await,
            ),
            (
                "agreements",
                agreement::Entity::find()
                    .filter(agreement::Column::CountyId.eq(id))
                    .count(&tx)
                    .await,
            ),
        ];
        for (what, count) in blocking {
            let count = count.map_err(internal)?;
            if count > 0 {
                return Err(conflict(format!(
                    "the organisation still has {count} {what}; move or delete them first"
                )));
            }
        }
        // Ended representatives and seats are history: they go with the organisation.
        // Current ones and the structural links must be ended or removed first, or
        // removed here on request (`cascade`).
        let links = [
            representative::Entity::find()
                .filter(representative::Column::OrganisationId.eq(id))
                .filter(still_valid(representative::Column::ValidTo))
                .count(&tx)
                .await,
            representative_municipality::Entity::find()
                .filter(representative_municipality::Column::MunicipalityId.eq(id))
                .filter(
                    representative_municipality::Column::RepresentativeId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(representative::Column::Id)
                            .from(representative::Entity)
                            .cond_where(still_valid(representative::Column::ValidTo))
                            .to_owned(),
                    ),
                )
                .count(&tx)
                .await,
            membership::Entity::find()
                .filter(membership::Column::OrganisationId.eq(id))
                .filter(still_valid(membership::Column::ValidTo))
                .count(&tx)
                .await,
            area_municipality::Entity::find()
                .filter(area_municipality::Column::MunicipalityId.eq(id))
                .count(&tx)
                .await,
            agreement_party::Entity::find()
                .filter(agreement_party::Column::OrganisationId.eq(id))
                .count(&tx)
                .await,
            action_organisation::Entity::find()
                .filter(action_organisation::Column::OrganisationId.eq(id))
                .count(&tx)
                .await,
        ];
        let mut total = 0;
        for count in links {
            total += count.map_err(internal)?;
        }
        if total > 0 && !input.cascade.unwrap_or(false) {
            return Err(conflict(format!(
                "{total} current representatives, seats or links refer to the organisation; end or delete them first, or delete with cascade: true"
            )));
        }
        let mut removed = remove_roles(
            &tx,
            who,
            representative::Column::OrganisationId.eq(id),
            membership::Column::OrganisationId.eq(id),
        )
        .await?;
        {
            removed += representative_municipality::Entity::delete_many()
                .filter(representative_municipality::Column::MunicipalityId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
            removed += area_municipality::Entity::delete_many()
                .filter(area_municipality::Column::MunicipalityId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
            removed += agreement_party::Entity::delete_many()
                .filter(agreement_party::Column::OrganisationId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
            removed += action_organisation::Entity::delete_many()
                .filter(action_organisation::Column::OrganisationId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
        }
        organisation::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Organisation",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, removed))
    }

    /// Creates a person working for an organisation.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonInput,
    ) -> ApiResult<PersonPayload> {
        let who = caller(ctx)?;
        let name = checked(input::required("input.name", &input.name, NAME_MAX))?;
        let org = id("input.organisationId", &input.organisation_id)?;
        let now = Utc::now();
        let title = opt(&input.title, opt_text("input.title", SHORT_MAX))?;
        let mut model = person::Model {
            id: Uuid::new_v4(),
            search_text: String::new(),
            name,
            title,
            organisation_id: Some(org),
            email: opt(&input.email, opt_email("input.email"))?,
            phone: opt(&input.phone, opt_phone("input.phone"))?,
            visibility: input
                .visibility
                .map(Into::into)
                .unwrap_or(db::Visibility::Public),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        model.refresh_search_text();
        let tx = begin(ctx).await?;
        must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
            .await?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, org).await?]),
            "persons of that organisation",
        )?;
        let created = model
            .into_active_model()
            .insert(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Person",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(PersonPayload {
            person: Person(created),
        })
    }

    /// Changes a person.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonInput,
    ) -> ApiResult<PersonPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let name = input
            .name
            .as_deref()
            .map(|n| checked(input::required("input.name", n, NAME_MAX)))
            .transpose()?;
        let new_org = opt_id("input.organisationId", &input.organisation_id)?;
        let tx = begin(ctx).await?;
        let before = lock::<person::Entity>(&tx, "person", id, "person").await?;
        let mut owners = owned_by(&tx, before.organisation_id).await?;
        if let Some(org) = new_org {
            must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
                .await?;
            owners.push(owner(&tx, org).await?);
        }
        enforce(policy::may_write_all(Some(who), &owners), "this person")?;
        check_version(before.version, input.version, "person")?;
        let mut after = before.clone();
        if let Some(name) = name {
            after.name = name;
        }
        if let Some(org) = new_org {
            after.organisation_id = Some(org);
        }
        after.title = update_text(
            after.title,
            &input.title,
            opt_text("input.title", SHORT_MAX),
        )?;
        after.email = update_text(after.email, &input.email, opt_email("input.email"))?;
        after.phone = update_text(after.phone, &input.phone, opt_phone("input.phone"))?;
        if let Some(v) = input.visibility {
            after.visibility = v.into();
        }
        after.refresh_search_text();
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after =
            save::<person::ActiveModel>(tx, who, "Person", id, Operation::Update, &before, after)
                .await?;
        Ok(PersonPayload {
            person: Person(after),
        })
    }

    /// Deletes a person. Refused while the person is a representative, deputy, seat holder
    /// or responsible person, unless `cascade` removes those roles.
    async fn delete_person(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<person::Entity>(&tx, "person", id, "person").await?;
        enforce(
            policy::may_write(Some(who), &owned_by(&tx, before.organisation_id).await?),
            "this person",
        )?;
        check_version(before.version, input.version, "person")?;
        // Ended roles are history and go with the person; current ones must be ended
        // first, or removed here on request (`cascade`).
        let counts = [
            representative::Entity::find()
                .filter(
                    representative::Column::PersonId
                        .eq(id)
                        .or(representative::Column::DeputyId.eq(id)),
                )
                .filter(still_valid(representative::Column::ValidTo))
                .count(&tx)
                .await,
            membership::Entity::find()
                .filter(
                    membership::Column::PersonId
                        .eq(id)
                        .or(membership::Column::DeputyId.eq(id)),
                )
                .filter(still_valid(membership::Column::ValidTo))
                .count(&tx)
                .await,
            network::Entity::find()
                .filter(network::Column::ResponsiblePersonId.eq(id))
                .count(&tx)
                .await,
        ];
        let mut total = 0;
        for count in counts {
            total += count.map_err(internal)?;
        }
        if total > 0 && !input.cascade.unwrap_or(false) {
            return Err(conflict(format!(
                "the person holds {total} current representative roles, seats or responsibilities; end or delete them first, or delete with cascade: true"
            )));
        }
        let mut removed = remove_roles(
            &tx,
            who,
            representative::Column::PersonId.eq(id),
            membership::Column::PersonId.eq(id),
        )
        .await?;
        {
            removed += representative::Entity::update_many()
                .col_expr(
                    representative::Column::DeputyId,
                    sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
                )
                .filter(representative::Column::DeputyId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
            removed += membership::Entity::update_many()
                .col_expr(
                    membership::Column::DeputyId,
                    sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
                )
                .filter(membership::Column::DeputyId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
            removed += network::Entity::update_many()
                .col_expr(
                    network::Column::ResponsiblePersonId,
                    sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
                )
                .filter(network::Column::ResponsiblePersonId.eq(id))
                .exec(&tx)
                .await
                .map_err(internal)?
                .rows_affected;
        }
        person::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Person",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, removed))
    }

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
