//! The seats face: the NetworkMembership object, its inputs, and the seat writes of the
//! root mutation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::membership;

use super::context::load_opt;
use super::context::{db, loaders, writer};
use super::enums::MembershipRole;
use super::inputs::deleted;
use super::inputs::{DeleteInput, DeletePayload, EndInput, SHORT_MAX, id, opt, opt_id, opt_text};
use super::network::Network;
use super::organisation::Organisation;
use super::patch::{change, change_id, change_text};
use super::person::Person;
use super::scalars::Date;
use crate::db::loaders::{NetworkById, OrganisationById, PersonById};
use crate::domain::network::{EndSeat, NewSeat, SeatPatch, Target, seats};
use crate::error::{ApiError, ApiResult, internal};

row_object!(
    /// See the `#[Object]` impl.
    NetworkMembership, membership
);

/// NetworkMembership: a seat in a network held by an organisation, a person, or a person
/// for an organisation.
#[Object]
impl NetworkMembership {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The network.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Network> {
        loaders(ctx)
            .load_one(NetworkById(self.0.network_id))
            .await?
            .map(Network)
            .ok_or_else(|| internal("membership without network"))
    }
    /// The organisation holding the seat.
    async fn organisation(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.organisation_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// The person in the seat.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.person_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The deputy (varajäsen).
    async fn deputy(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Ok(load_opt(ctx, self.0.deputy_id.map(PersonById))
            .await?
            .map(Person))
    }
    /// The role of the seat.
    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }
    /// The seat as the source describes it ("kuntajohtajat").
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// First day of the seat.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }
    /// Last day of the seat; null while it lasts.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Adds a seat to a network.
#[derive(InputObject, Clone, Debug)]
pub struct CreateMembershipInput {
    /// The network.
    pub network_id: ID,
    /// The organisation holding the seat (give it, a person, or both).
    pub organisation_id: Option<ID>,
    /// The person.
    pub person_id: Option<ID>,
    /// Person id of the deputy.
    pub deputy_id: Option<ID>,
    /// Role.
    pub role: MembershipRole,
    /// The seat as described.
    pub note: Option<String>,
    /// First day.
    pub valid_from: Option<Date>,
    /// Last day; must not be before the first.
    pub valid_to: Option<Date>,
}

impl TryFrom<CreateMembershipInput> for NewSeat {
    type Error = ApiError;

    fn try_from(i: CreateMembershipInput) -> ApiResult<NewSeat> {
        Ok(NewSeat {
            network_id: id("input.networkId", &i.network_id)?,
            organisation_id: opt_id("input.organisationId", &i.organisation_id)?,
            person_id: opt_id("input.personId", &i.person_id)?,
            deputy_id: opt_id("input.deputyId", &i.deputy_id)?,
            role: i.role.into(),
            note: opt(&i.note, opt_text("input.note", SHORT_MAX))?,
            valid_from: i.valid_from.map(|d| d.0),
            valid_to: i.valid_to.map(|d| d.0),
        })
    }
}

/// Changes a seat; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateMembershipInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The person.
    pub person_id: MaybeUndefined<ID>,
    /// Person id of the deputy.
    pub deputy_id: MaybeUndefined<ID>,
    /// Role.
    pub role: Option<MembershipRole>,
    /// The seat as described.
    pub note: MaybeUndefined<String>,
    /// First day.
    pub valid_from: MaybeUndefined<Date>,
    /// Last day; must not be before the first.
    pub valid_to: MaybeUndefined<Date>,
}

impl TryFrom<UpdateMembershipInput> for SeatPatch {
    type Error = ApiError;

    fn try_from(i: UpdateMembershipInput) -> ApiResult<SeatPatch> {
        Ok(SeatPatch {
            id: id("input.id", &i.id)?,
            version: i.version,
            person_id: change_id("input.personId", &i.person_id)?,
            deputy_id: change_id("input.deputyId", &i.deputy_id)?,
            role: i.role.map(Into::into),
            note: change_text(&i.note, opt_text("input.note", SHORT_MAX))?,
            valid_from: change(&i.valid_from),
            valid_to: change(&i.valid_to),
        })
    }
}

impl TryFrom<&EndInput> for EndSeat {
    type Error = ApiError;

    fn try_from(i: &EndInput) -> ApiResult<EndSeat> {
        Ok(EndSeat {
            target: Target {
                id: id("input.id", &i.id)?,
                version: i.version,
            },
            valid_to: i.valid_to.map(|d| d.0),
        })
    }
}

/// The seat after a write.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The row as written.
    pub membership: NetworkMembership,
}

/// The seat writes of the root mutation.
#[derive(Default)]
pub struct SeatMutation;

#[Object]
impl SeatMutation {
    /// Adds a seat to a network.
    async fn create_membership(
        &self,
        ctx: &Context<'_>,
        input: CreateMembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let who = writer(ctx)?;
        let new = NewSeat::try_from(input)?;
        let seat = seats::create(db(ctx), who, new).await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(seat.into()),
        })
    }

    /// Changes a seat.
    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        input: UpdateMembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let who = writer(ctx)?;
        let patch = SeatPatch::try_from(input)?;
        let seat = seats::update(db(ctx), who, patch).await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(seat.into()),
        })
    }

    /// Ends a seat: sets `validTo` (default today); the history stays queryable.
    async fn end_membership(
        &self,
        ctx: &Context<'_>,
        input: EndInput,
    ) -> ApiResult<MembershipPayload> {
        let who = writer(ctx)?;
        let end = EndSeat::try_from(&input)?;
        let seat = seats::end(db(ctx), who, end).await?;
        Ok(MembershipPayload {
            membership: NetworkMembership(seat.into()),
        })
    }

    /// Deletes a seat and its history; prefer `endMembership`.
    async fn delete_membership(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let target = Target::try_from(&input)?;
        let removed = seats::delete(db(ctx), who, target).await?;
        Ok(deleted(removed.id, removed.references))
    }
}
