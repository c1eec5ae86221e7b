//! The GraphQL face of review dates: the `confirm…` mutations, and what the `stale` fields
//! and filters read (the configured review period, applied at the time of the request).

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::action::{Action, ActionPayload};
use super::context::{db, writer};
use super::inputs::id;
use super::network::{Network, NetworkPayload};
use super::organisation::{Organisation, OrganisationPayload};
use super::person::{Person, PersonPayload};
use super::representative::{Representative, RepresentativePayload};
use crate::domain::network::Target;
use crate::domain::review::{ReviewPeriod, Staleness};
use crate::domain::{network, organisation, person, programme, representative};
use crate::error::{ApiError, ApiResult};

/// The review period the schema was built with (the default when none was given).
pub fn period(ctx: &Context<'_>) -> ReviewPeriod {
    ctx.data_opt::<ReviewPeriod>().copied().unwrap_or_default()
}

/// Whether a row confirmed at `reviewed_at` is stale now.
pub fn stale(ctx: &Context<'_>, reviewed_at: Option<DateTime<Utc>>) -> bool {
    period(ctx).is_stale(reviewed_at, Utc::now())
}

/// The domain's staleness filter for a list's `stale` argument, at the time of the request.
pub fn staleness(ctx: &Context<'_>, stale: Option<bool>) -> Option<Staleness> {
    stale.map(|stale| Staleness {
        stale,
        cutoff: period(ctx).cutoff(Utc::now()),
    })
}

/// Confirms that a row is still true as recorded, changing nothing else.
#[derive(InputObject, Clone, Debug)]
pub struct ConfirmInput {
    /// The row.
    pub id: ID,
    /// The version the client last read; a newer one fails with `CONFLICT`.
    pub version: i32,
}

impl TryFrom<&ConfirmInput> for Target {
    type Error = ApiError;

    fn try_from(i: &ConfirmInput) -> ApiResult<Target> {
        Ok(Target {
            id: id("input.id", &i.id)?,
            version: i.version,
        })
    }
}

/// The confirmations of the root mutation. Each stamps `reviewedAt` (now) and `reviewedBy`
/// (the token's subject), raises the version and is audited with the operation `CONFIRM`;
/// who may confirm a row is who may update it.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Confirms that an organisation is still as recorded.
    async fn confirm_organisation(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInput,
    ) -> ApiResult<OrganisationPayload> {
        let who = writer(ctx)?;
        let row = organisation::service::confirm(db(ctx), who, Target::try_from(&input)?).await?;
        Ok(OrganisationPayload {
            organisation: Organisation(row.into()),
        })
    }

    /// Confirms that a person (name, title, contacts) is still as recorded.
    async fn confirm_person(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInput,
    ) -> ApiResult<PersonPayload> {
        let who = writer(ctx)?;
        let row = person::service::confirm(db(ctx), who, Target::try_from(&input)?).await?;
        Ok(PersonPayload {
            person: Person::from(row),
        })
    }

    /// Confirms that a representative is still named as recorded.
    async fn confirm_representative(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInput,
    ) -> ApiResult<RepresentativePayload> {
        let who = writer(ctx)?;
        let target = Target::try_from(&input)?;
        let row = representative::service::confirm(db(ctx), who, target).await?;
        Ok(RepresentativePayload {
            representative: Representative::from(row),
        })
    }

    /// Confirms that a network is still as recorded.
    async fn confirm_network(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInput,
    ) -> ApiResult<NetworkPayload> {
        let who = writer(ctx)?;
        let row = network::service::confirm(db(ctx), who, Target::try_from(&input)?).await?;
        Ok(NetworkPayload {
            network: Network(row.into()),
        })
    }

    /// Confirms that an action is still as recorded.
    async fn confirm_action(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInput,
    ) -> ApiResult<ActionPayload> {
        let who = writer(ctx)?;
        let target = Target::try_from(&input)?;
        let row = programme::service::confirm_action(db(ctx), who, target).await?;
        Ok(ActionPayload {
            action: Action(row.into()),
        })
    }
}
