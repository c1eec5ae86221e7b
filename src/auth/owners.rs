//! Owner chains: which organisations own a row, as the policy reads them. An organisation
//! is owned by itself and its parents; a network by its convener; an action by its
//! responsible organisations.

use entity::{action_organisation, network, organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::policy::Owner;
use crate::error::ApiResult;

/// The owner chain of an organisation: itself and its parents.
pub async fn owner<C: ConnectionTrait>(db: &C, org: Uuid) -> ApiResult<Owner> {
    let mut chain = vec![org];
    let mut current = org;
    for _ in 0..8 {
        let parent = organisation::Entity::find_by_id(current)
            .one(db)
            .await?
            .and_then(|o| o.parent_id);
        match parent {
            Some(parent) if !chain.contains(&parent) => {
                chain.push(parent);
                current = parent;
            }
            _ => break,
        }
    }
    Ok(Owner { chain })
}

/// Owner chains of several organisations.
pub async fn owners<C: ConnectionTrait>(
    db: &C,
    orgs: impl IntoIterator<Item = Uuid>,
) -> ApiResult<Vec<Owner>> {
    let mut out = Vec::new();
    for org in orgs {
        out.push(owner(db, org).await?);
    }
    Ok(out)
}

/// The owner of a row that belongs to one organisation (none: the admin's).
pub async fn owned_by<C: ConnectionTrait>(db: &C, org: Option<Uuid>) -> ApiResult<Vec<Owner>> {
    match org {
        Some(org) => Ok(vec![owner(db, org).await?]),
        None => Ok(Vec::new()),
    }
}

/// The owners of a network: its convener.
pub async fn network_owners<C: ConnectionTrait>(
    db: &C,
    network: &network::Model,
) -> ApiResult<Vec<Owner>> {
    owned_by(db, network.convener_id).await
}

/// The owners of an action: its responsible organisations.
pub async fn action_owners<C: ConnectionTrait>(db: &C, action: Uuid) -> ApiResult<Vec<Owner>> {
    let orgs: Vec<Uuid> = action_organisation::Entity::find()
        .filter(action_organisation::Column::ActionId.eq(action))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.organisation_id)
        .collect();
    owners(db, orgs).await
}
