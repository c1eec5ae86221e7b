//! Mutations of networks, seats, meetings, actions and progress reports: the county
//! coordinator's side. A network belongs to its convener; an action to its responsible
//! organisations.

use async_graphql::{Context, MaybeUndefined, Object};
use chrono::Utc;
use entity::enums as db;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::inputs::*;
use super::mutation::*;
use super::types::*;
use super::write::*;
use crate::auth::policy;
use crate::domain::search::Searchable;
use crate::error::*;
use crate::input;

async fn set_network_topics(
    tx: &DatabaseTransaction,
    network: Uuid,
    slugs: &[String],
) -> ApiResult<()> {
    let mut ids = Vec::new();
    for (i, slug) in slugs.iter().enumerate() {
        let id = topic_id(tx, &format!("input.topics[{i}]"), slug).await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    network_topic::Entity::delete_many()
        .filter(network_topic::Column::NetworkId.eq(network))
        .exec(tx)
        .await
        .map_err(internal)?;
    for topic_id in ids {
        network_topic::Model {
            network_id: network,
            topic_id,
        }
        .into_active_model()
        .insert(tx)
        .await
        .map_err(internal)?;
    }
    Ok(())
}

async fn set_responsible(tx: &DatabaseTransaction, action: Uuid, orgs: &[Uuid]) -> ApiResult<()> {
    action_organisation::Entity::delete_many()
        .filter(action_organisation::Column::ActionId.eq(action))
        .exec(tx)
        .await
        .map_err(internal)?;
    for org in orgs {
        action_organisation::Model {
            action_id: action,
            organisation_id: *org,
        }
        .into_active_model()
        .insert(tx)
        .await
        .map_err(internal)?;
    }
    Ok(())
}

async fn network_for_write(
    tx: &DatabaseTransaction,
    who: &policy::Principal,
    field: &str,
    id: Uuid,
) -> ApiResult<network::Model> {
    let network = must_exist::<network::Entity, _>(tx, field, id, "network").await?;
    enforce(
        policy::may_write(Some(who), &network_owners(tx, &network).await?),
        "that network",
    )?;
    Ok(network)
}

fn meetings_per_year(field: &str, value: Option<i32>) -> ApiResult<Option<i32>> {
    match value {
        Some(n) if !(0..=366).contains(&n) => Err(bad_input(
            field,
            "meetingsPerYear must be between 0 and 366",
        )),
        other => Ok(other),
    }
}

/// Writes to networks, seats, meetings, actions and progress reports.
#[derive(Default)]
pub struct ProgrammeMutations;

#[Object]
impl ProgrammeMutations {
    /// Creates a network convened by one of the caller's organisations.
    async fn create_network(
        &self,
        ctx: &Context<'_>,
        input: CreateNetworkInput,
    ) -> ApiResult<NetworkPayload> {
        let who = caller(ctx)?;
        let name = input.name.check("input.name", NAME_MAX)?;
        checked(input::date_range(
            "input.validTo",
            input.valid_from.map(|d| d.0),
            input.valid_to.map(|d| d.0),
        ))?;
        let convener = opt_id("input.convenerId", &input.convener_id)?;
        let county = opt_id("input.countyId", &input.county_id)?;
        let responsible = opt_id("input.responsiblePersonId", &input.responsible_person_id)?;
        let parent = opt_id("input.parentId", &input.parent_id)?;
        let area = opt_id("input.areaId", &input.area_id)?;
        let now = Utc::now();
        let mut model = network::Model {
            id: Uuid::new_v4(),
            kind: input.kind.into(),
            name_fi: name.fi,
            name_sv: name.sv,
            name_en: name.en,
            description: opt(&input.description, opt_text("input.description", LONG_MAX))?,
            level: input.level.map(Into::into),
            county_id: county,
            convener_id: convener,
            convener_note: opt(
                &input.convener_note,
                opt_text("input.convenerNote", SHORT_MAX),
            )?,
            responsible_person_id: responsible,
            responsible_role: opt(
                &input.responsible_role,
                opt_text("input.responsibleRole", SHORT_MAX),
            )?,
            parent_id: parent,
            area_id: area,
            cadence: opt(&input.cadence, opt_text("input.cadence", SHORT_MAX))?,
            meetings_per_year: meetings_per_year("input.meetingsPerYear", input.meetings_per_year)?,
            legal_basis: opt(&input.legal_basis, opt_text("input.legalBasis", LONG_MAX))?,
            valid_from: input.valid_from.map(|d| d.0),
            valid_to: input.valid_to.map(|d| d.0),
            search_text: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        model.refresh_search_text();
        let tx = begin(ctx).await?;
        match convener {
            Some(c) => {
                must_exist::<organisation::Entity, _>(&tx, "input.convenerId", c, "organisation")
                    .await?;
                enforce(
                    policy::may_write(Some(who), &[owner(&tx, c).await?]),
                    "networks of that convener",
                )?;
            }
            None => enforce(policy::admin_only(Some(who)), "networks without a convener")?,
        }
        if let Some(c) = county {
            must_exist::<organisation::Entity, _>(&tx, "input.countyId", c, "organisation").await?;
        }
        if let Some(p) = responsible {
            must_exist::<person::Entity, _>(&tx, "input.responsiblePersonId", p, "person").await?;
        }
        if let Some(p) = parent {
            must_exist::<network::Entity, _>(&tx, "input.parentId", p, "network").await?;
        }
        if let Some(a) = area {
            must_exist::<area::Entity, _>(&tx, "input.areaId", a, "area").await?;
        }
        let created = model
            .into_active_model()
            .insert(&tx)
            .await
            .map_err(internal)?;
        set_network_topics(&tx, created.id, &input.topics).await?;
        audit(
            &tx,
            who,
            "Network",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(NetworkPayload {
            network: Network(created),
        })
    }

    /// Changes a network.
    async fn update_network(
        &self,
        ctx: &Context<'_>,
        input: UpdateNetworkInput,
    ) -> ApiResult<NetworkPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let name = input
            .name
            .as_ref()
            .map(|n| n.check("input.name", NAME_MAX))
            .transpose()?;
        let convener = maybe_id("input.convenerId", &input.convener_id)?;
        let responsible = maybe_id("input.responsiblePersonId", &input.responsible_person_id)?;
        let tx = begin(ctx).await?;
        let before = lock::<network::Entity>(&tx, "network", id, "network").await?;
        let mut owners = network_owners(&tx, &before).await?;
        if let MaybeUndefined::Value(c) = convener {
            must_exist::<organisation::Entity, _>(&tx, "input.convenerId", c, "organisation")
                .await?;
            owners.push(owner(&tx, c).await?);
        }
        enforce(policy::may_write_all(Some(who), &owners), "this network")?;
        check_version(before.version, input.version, "network")?;
        let mut after = before.clone();
        if let Some(kind) = input.kind {
            after.kind = kind.into();
        }
        if let Some(name) = name {
            after.name_fi = name.fi;
            after.name_sv = name.sv;
            after.name_en = name.en;
        }
        after.description = update_text(
            after.description,
            &input.description,
            opt_text("input.description", LONG_MAX),
        )?;
        after.level = match &input.level {
            MaybeUndefined::Undefined => after.level,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(l) => Some((*l).into()),
        };
        after.convener_id = update_value(after.convener_id, &convener);
        if after.convener_id.is_none() {
            enforce(policy::admin_only(Some(who)), "networks without a convener")?;
        }
        after.convener_note = update_text(
            after.convener_note,
            &input.convener_note,
            opt_text("input.convenerNote", SHORT_MAX),
        )?;
        if let MaybeUndefined::Value(p) = responsible {
            must_exist::<person::Entity, _>(&tx, "input.responsiblePersonId", p, "person").await?;
        }
        after.responsible_person_id = update_value(after.responsible_person_id, &responsible);
        after.responsible_role = update_text(
            after.responsible_role,
            &input.responsible_role,
            opt_text("input.responsibleRole", SHORT_MAX),
        )?;
        after.cadence = update_text(
            after.cadence,
            &input.cadence,
            opt_text("input.cadence", SHORT_MAX),
        )?;
        after.meetings_per_year = meetings_per_year(
            "input.meetingsPerYear",
            update_value(after.meetings_per_year, &input.meetings_per_year),
        )?;
        after.legal_basis = update_text(
            after.legal_basis,
            &input.legal_basis,
            opt_text("input.legalBasis", LONG_MAX),
        )?;
        after.valid_from = update_value(after.valid_from, &input.valid_from);
        after.valid_to = update_value(after.valid_to, &input.valid_to);
        checked(input::date_range(
            "input.validTo",
            after.valid_from,
            after.valid_to,
        ))?;
        if let Some(topics) = &input.topics {
            set_network_topics(&tx, id, topics).await?;
        }
        after.refresh_search_text();
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after =
            save::<network::ActiveModel>(tx, who, "Network", id, Operation::Update, &before, after)
                .await?;
        Ok(NetworkPayload {
            network: Network(after),
        })
    }

    /// Deletes a network with its seats and meetings. Refused while it has sub-networks.
    async fn delete_network(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<network::Entity>(&tx, "network", id, "network").await?;
        enforce(
            policy::may_write(Some(who), &network_owners(&tx, &before).await?),
            "this network",
        )?;
        check_version(before.version, input.version, "network")?;
        let subs = network::Entity::find()
            .filter(network::Column::ParentId.eq(id))
            .count(&tx)
            .await
            .map_err(internal)?;
        if subs > 0 {
            return Err(conflict(format!(
                "the network has {subs} sub-networks; move or delete them first"
            )));
        }
        let seats = membership::Entity::find()
            .filter(membership::Column::NetworkId.eq(id))
            .count(&tx)
            .await
            .map_err(internal)?;
        let meetings = meeting::Entity::find()
            .filter(meeting::Column::NetworkId.eq(id))
            .count(&tx)
            .await
            .map_err(internal)?;
        if seats + meetings > 0 && !input.cascade.unwrap_or(false) {
            return Err(conflict(format!(
                "the network has {seats} seats and {meetings} meetings; delete with cascade: true to remove them too"
            )));
        }
        membership::Entity::delete_many()
            .filter(membership::Column::NetworkId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        meeting::Entity::delete_many()
            .filter(meeting::Column::NetworkId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        network_topic::Entity::delete_many()
            .filter(network_topic::Column::NetworkId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        network::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Network",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, seats + meetings))
    }

    /// Adds a seat to a network.
    async fn create_membership(
        &self,
        ctx: &Context<'_>,
        input: CreateMembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let who = caller(ctx)?;
        let network_id = id("input.networkId", &input.network_id)?;
        let org = opt_id("input.organisationId", &input.organisation_id)?;
        let person = opt_id("input.personId", &input.person_id)?;
        let deputy = opt_id("input.deputyId", &input.deputy_id)?;
        if org.is_none() && person.is_none() {
            return Err(bad_input(
                "input.organisationId",
                "a seat needs an organisation, a person, or both",
            ));
        }
        checked(input::date_range(
            "input.validTo",
            input.valid_from.map(|d| d.0),
            input.valid_to.map(|d| d.0),
        ))?;
        let note = opt(&input.note, opt_text("input.note", SHORT_MAX))?;
        let tx = begin(ctx).await?;
        network_for_write(&tx, who, "input.networkId", network_id).await?;
        if let Some(o) = org {
            must_exist::<organisation::Entity, _>(&tx, "input.organisationId", o, "organisation")
                .await?;
        }
        if let Some(p) = person {
            must_exist::<person::Entity, _>(&tx, "input.personId", p, "person").await?;
        }
        if let Some(d) = deputy {
            must_exist::<person::Entity, _>(&tx, "input.deputyId", d, "person").await?;
        }
        let now = Utc::now();
        let created = membership::Model {
            id: Uuid::new_v4(),
            network_id,
            organisation_id: org,
            person_id: person,
            deputy_id: deputy,
            role: input.role.into(),
            note,
            valid_from: input.valid_from.map(|d| d.0),
            valid_to: input.valid_to.map(|d| d.0),
            created_at: now,
            updated_at: now,
            version: 1,
        }
        .into_active_model()
        .insert(&tx)
        .await
        .map_err(internal)?;
        audit(
            &tx,
            who,
            "NetworkMembership",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(created),
        })
    }

    /// Changes a seat.
    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        input: UpdateMembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let person = maybe_id("input.personId", &input.person_id)?;
        let deputy = maybe_id("input.deputyId", &input.deputy_id)?;
        let tx = begin(ctx).await?;
        let before = lock::<membership::Entity>(&tx, "membership", id, "seat").await?;
        network_for_write(&tx, who, "input.id", before.network_id).await?;
        check_version(before.version, input.version, "seat")?;
        let mut after = before.clone();
        for (field, value) in [("input.personId", &person), ("input.deputyId", &deputy)] {
            if let MaybeUndefined::Value(p) = value {
                must_exist::<person::Entity, _>(&tx, field, *p, "person").await?;
            }
        }
        after.person_id = update_value(after.person_id, &person);
        after.deputy_id = update_value(after.deputy_id, &deputy);
        if after.person_id.is_none() && after.organisation_id.is_none() {
            return Err(bad_input(
                "input.personId",
                "a seat needs an organisation, a person, or both",
            ));
        }
        if let Some(role) = input.role {
            after.role = role.into();
        }
        after.note = update_text(after.note, &input.note, opt_text("input.note", SHORT_MAX))?;
        after.valid_from = update_value(after.valid_from, &input.valid_from);
        after.valid_to = update_value(after.valid_to, &input.valid_to);
        checked(input::date_range(
            "input.validTo",
            after.valid_from,
            after.valid_to,
        ))?;
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after = save::<membership::ActiveModel>(
            tx,
            who,
            "NetworkMembership",
            id,
            Operation::Update,
            &before,
            after,
        )
        .await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(after),
        })
    }

    /// Ends a seat: sets `validTo` (default today); the history stays queryable.
    async fn end_membership(
        &self,
        ctx: &Context<'_>,
        input: EndInput,
    ) -> ApiResult<MembershipPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<membership::Entity>(&tx, "membership", id, "seat").await?;
        network_for_write(&tx, who, "input.id", before.network_id).await?;
        check_version(before.version, input.version, "seat")?;
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
        let after = save::<membership::ActiveModel>(
            tx,
            who,
            "NetworkMembership",
            id,
            Operation::End,
            &before,
            after,
        )
        .await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(after),
        })
    }

    /// Deletes a seat and its history; prefer `endMembership`.
    async fn delete_membership(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<membership::Entity>(&tx, "membership", id, "seat").await?;
        network_for_write(&tx, who, "input.id", before.network_id).await?;
        check_version(before.version, input.version, "seat")?;
        membership::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "NetworkMembership",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, 0))
    }

    /// Schedules a meeting of a network.
    async fn create_meeting(
        &self,
        ctx: &Context<'_>,
        input: CreateMeetingInput,
    ) -> ApiResult<MeetingPayload> {
        let who = caller(ctx)?;
        let network_id = id("input.networkId", &input.network_id)?;
        if let Some(end) = input.ends_at
            && end < input.starts_at
        {
            return Err(bad_input(
                "input.endsAt",
                "the meeting ends before it starts",
            ));
        }
        let now = Utc::now();
        let model = meeting::Model {
            id: Uuid::new_v4(),
            network_id,
            title: opt(&input.title, opt_text("input.title", SHORT_MAX))?,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            location: opt(&input.location, opt_text("input.location", SHORT_MAX))?,
            agenda_url: opt(&input.agenda_url, opt_url("input.agendaUrl"))?,
            minutes_url: opt(&input.minutes_url, opt_url("input.minutesUrl"))?,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let tx = begin(ctx).await?;
        network_for_write(&tx, who, "input.networkId", network_id).await?;
        let created = model
            .into_active_model()
            .insert(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Meeting",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(MeetingPayload {
            meeting: Meeting(created),
        })
    }

    /// Changes a meeting.
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        input: UpdateMeetingInput,
    ) -> ApiResult<MeetingPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<meeting::Entity>(&tx, "meeting", id, "meeting").await?;
        network_for_write(&tx, who, "input.id", before.network_id).await?;
        check_version(before.version, input.version, "meeting")?;
        let mut after = before.clone();
        after.title = update_text(
            after.title,
            &input.title,
            opt_text("input.title", SHORT_MAX),
        )?;
        if let Some(start) = input.starts_at {
            after.starts_at = start;
        }
        after.ends_at = update_value(after.ends_at, &input.ends_at);
        if let Some(end) = after.ends_at
            && end < after.starts_at
        {
            return Err(bad_input(
                "input.endsAt",
                "the meeting ends before it starts",
            ));
        }
        after.location = update_text(
            after.location,
            &input.location,
            opt_text("input.location", SHORT_MAX),
        )?;
        after.agenda_url = update_text(
            after.agenda_url,
            &input.agenda_url,
            opt_url("input.agendaUrl"),
        )?;
        after.minutes_url = update_text(
            after.minutes_url,
            &input.minutes_url,
            opt_url("input.minutesUrl"),
        )?;
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after =
            save::<meeting::ActiveModel>(tx, who, "Meeting", id, Operation::Update, &before, after)
                .await?;
        Ok(MeetingPayload {
            meeting: Meeting(after),
        })
    }

    /// Deletes a meeting.
    async fn delete_meeting(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<meeting::Entity>(&tx, "meeting", id, "meeting").await?;
        network_for_write(&tx, who, "input.id", before.network_id).await?;
        check_version(before.version, input.version, "meeting")?;
        meeting::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Meeting",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, 0))
    }

    /// Adds an action; an editor must be among the responsible organisations.
    async fn create_action(
        &self,
        ctx: &Context<'_>,
        input: CreateActionInput,
    ) -> ApiResult<ActionPayload> {
        let who = caller(ctx)?;
        let goal = id("input.goalId", &input.goal_id)?;
        let title = checked(input::required("input.title", &input.title, LONG_MAX))?;
        let responsibility = checked(input::required(
            "input.responsibility",
            &input.responsibility,
            SHORT_MAX,
        ))?;
        let description = opt(&input.description, opt_text("input.description", LONG_MAX))?;
        if input.period_end < input.period_start {
            return Err(bad_input(
                "input.periodEnd",
                "the period ends before it starts",
            ));
        }
        let responsible = ids(
            "input.responsibleOrganisationIds",
            &input.responsible_organisation_ids,
        )?;
        let tx = begin(ctx).await?;
        must_exist::<goal::Entity, _>(&tx, "input.goalId", goal, "goal").await?;
        for (i, org) in responsible.iter().enumerate() {
            must_exist::<organisation::Entity, _>(
                &tx,
                &format!("input.responsibleOrganisationIds[{i}]"),
                *org,
                "organisation",
            )
            .await?;
        }
        enforce(
            policy::may_write(Some(who), &owners(&tx, responsible.iter().copied()).await?),
            "actions of those organisations",
        )?;
        let topic = match &input.topic {
            Some(slug) => Some(topic_id(&tx, "input.topic", slug).await?),
            None => None,
        };
        let sort_order = action::Entity::find()
            .filter(action::Column::GoalId.eq(goal))
            .count(&tx)
            .await
            .map_err(internal)?;
        let now = Utc::now();
        let mut created = action::Model {
            id: Uuid::new_v4(),
            goal_id: goal,
            topic_id: topic,
            search_text: String::new(),
            title,
            description,
            responsibility,
            period_start: input.period_start.0,
            period_end: input.period_end.0,
            status: input
                .status
                .map(Into::into)
                .unwrap_or(db::ActionStatus::Planned),
            sort_order: i32::try_from(sort_order + 1).unwrap_or(i32::MAX),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        created.refresh_search_text();
        let created = created
            .into_active_model()
            .insert(&tx)
            .await
            .map_err(internal)?;
        set_responsible(&tx, created.id, &responsible).await?;
        audit(
            &tx,
            who,
            "Action",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(ActionPayload {
            action: Action(created),
        })
    }

    /// Changes an action.
    async fn update_action(
        &self,
        ctx: &Context<'_>,
        input: UpdateActionInput,
    ) -> ApiResult<ActionPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let new_responsible = input
            .responsible_organisation_ids
            .as_ref()
            .map(|v| ids("input.responsibleOrganisationIds", v))
            .transpose()?;
        let tx = begin(ctx).await?;
        let before = lock::<action::Entity>(&tx, "action", id, "action").await?;
        enforce(
            policy::may_write(Some(who), &action_owners(&tx, id).await?),
            "this action",
        )?;
        if let Some(orgs) = &new_responsible {
            for (i, org) in orgs.iter().enumerate() {
                must_exist::<organisation::Entity, _>(
                    &tx,
                    &format!("input.responsibleOrganisationIds[{i}]"),
                    *org,
                    "organisation",
                )
                .await?;
            }
            enforce(
                policy::may_write(Some(who), &owners(&tx, orgs.iter().copied()).await?),
                "actions of those organisations",
            )?;
        }
        check_version(before.version, input.version, "action")?;
        let mut after = before.clone();
        after.topic_id = match &input.topic {
            MaybeUndefined::Undefined => after.topic_id,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(slug) => Some(topic_id(&tx, "input.topic", slug).await?),
        };
        if let Some(title) = &input.title {
            after.title = checked(input::required("input.title", title, LONG_MAX))?;
        }
        after.description = update_text(
            after.description,
            &input.description,
            opt_text("input.description", LONG_MAX),
        )?;
        if let Some(r) = &input.responsibility {
            after.responsibility = checked(input::required("input.responsibility", r, SHORT_MAX))?;
        }
        if let Some(start) = input.period_start {
            after.period_start = start.0;
        }
        if let Some(end) = input.period_end {
            after.period_end = end.0;
        }
        if after.period_end < after.period_start {
            return Err(bad_input(
                "input.periodEnd",
                "the period ends before it starts",
            ));
        }
        if let Some(status) = input.status {
            after.status = status.into();
        }
        if let Some(orgs) = &new_responsible {
            set_responsible(&tx, id, orgs).await?;
        }
        after.refresh_search_text();
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after =
            save::<action::ActiveModel>(tx, who, "Action", id, Operation::Update, &before, after)
                .await?;
        Ok(ActionPayload {
            action: Action(after),
        })
    }

    /// Deletes an action with its metrics and progress reports.
    async fn delete_action(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before = lock::<action::Entity>(&tx, "action", id, "action").await?;
        enforce(
            policy::may_write(Some(who), &action_owners(&tx, id).await?),
            "this action",
        )?;
        check_version(before.version, input.version, "action")?;
        let reports = progress_report::Entity::find()
            .filter(progress_report::Column::ActionId.eq(id))
            .count(&tx)
            .await
            .map_err(internal)?;
        if reports > 0 && !input.cascade.unwrap_or(false) {
            return Err(conflict(format!(
                "the action has {reports} progress reports; delete with cascade: true to remove them too"
            )));
        }
        progress_report::Entity::delete_many()
            .filter(progress_report::Column::ActionId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        metric::Entity::delete_many()
            .filter(metric::Column::ActionId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        action_organisation::Entity::delete_many()
            .filter(action_organisation::Column::ActionId.eq(id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        action::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "Action",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, reports))
    }

    /// Reports progress on an action.
    async fn create_progress_report(
        &self,
        ctx: &Context<'_>,
        input: CreateProgressReportInput,
    ) -> ApiResult<ProgressReportPayload> {
        let who = caller(ctx)?;
        let action_id = id("input.actionId", &input.action_id)?;
        let summary = checked(input::required("input.summary", &input.summary, LONG_MAX))?;
        let author = opt(&input.author_name, opt_text("input.authorName", NAME_MAX))?;
        let tx = begin(ctx).await?;
        must_exist::<action::Entity, _>(&tx, "input.actionId", action_id, "action").await?;
        enforce(
            policy::may_write(Some(who), &action_owners(&tx, action_id).await?),
            "reports of this action",
        )?;
        let now = Utc::now();
        let created = progress_report::Model {
            id: Uuid::new_v4(),
            action_id,
            reported_on: input.reported_on.0,
            status: input.status.into(),
            summary,
            author_name: author,
            created_at: now,
            updated_at: now,
            version: 1,
        }
        .into_active_model()
        .insert(&tx)
        .await
        .map_err(internal)?;
        audit(
            &tx,
            who,
            "ProgressReport",
            created.id,
            Operation::Create,
            None,
            Some(&created),
        )
        .await?;
        commit(tx).await?;
        Ok(ProgressReportPayload {
            progress_report: ProgressReport(created),
        })
    }

    /// Changes a progress report.
    async fn update_progress_report(
        &self,
        ctx: &Context<'_>,
        input: UpdateProgressReportInput,
    ) -> ApiResult<ProgressReportPayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before =
            lock::<progress_report::Entity>(&tx, "progress_report", id, "progress report").await?;
        enforce(
            policy::may_write(Some(who), &action_owners(&tx, before.action_id).await?),
            "reports of this action",
        )?;
        check_version(before.version, input.version, "progress report")?;
        let mut after = before.clone();
        if let Some(day) = input.reported_on {
            after.reported_on = day.0;
        }
        if let Some(status) = input.status {
            after.status = status.into();
        }
        if let Some(summary) = &input.summary {
            after.summary = checked(input::required("input.summary", summary, LONG_MAX))?;
        }
        after.author_name = update_text(
            after.author_name,
            &input.author_name,
            opt_text("input.authorName", NAME_MAX),
        )?;
        after.version = before.version + 1;
        after.updated_at = Utc::now();
        let after = save::<progress_report::ActiveModel>(
            tx,
            who,
            "ProgressReport",
            id,
            Operation::Update,
            &before,
            after,
        )
        .await?;
        Ok(ProgressReportPayload {
            progress_report: ProgressReport(after),
        })
    }

    /// Deletes a progress report.
    async fn delete_progress_report(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = caller(ctx)?;
        let id = id("input.id", &input.id)?;
        let tx = begin(ctx).await?;
        let before =
            lock::<progress_report::Entity>(&tx, "progress_report", id, "progress report").await?;
        enforce(
            policy::may_write(Some(who), &action_owners(&tx, before.action_id).await?),
            "reports of this action",
        )?;
        check_version(before.version, input.version, "progress report")?;
        progress_report::Entity::delete_by_id(id)
            .exec(&tx)
            .await
            .map_err(internal)?;
        audit(
            &tx,
            who,
            "ProgressReport",
            id,
            Operation::Delete,
            Some(&before),
            None,
        )
        .await?;
        commit(tx).await?;
        Ok(deleted(id, 0))
    }
}
