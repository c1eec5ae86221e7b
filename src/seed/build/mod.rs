//! [`Dataset::build`]: the embedded seed files turned into database rows, every key
//! reference resolved and unknown ones rejected.
//!
//! Each domain has its own file: [`reference`] (counties, municipalities, topics, areas),
//! [`organisations`] (the other organisations), [`people`] (persons and representatives),
//! [`networks`] (networks with their seats and meetings) and [`programme`] (agreements with
//! their parties and goals, actions with their responsible organisations and metrics). They
//! run in that order, because later files refer to the keys of earlier ones.

mod networks;
mod organisations;
mod people;
mod programme;
mod reference;

use std::collections::HashSet;

use anyhow::{Context, ensure};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    action, action_organisation, agreement, agreement_party, area, area_municipality, goal,
    meeting, membership, metric, network, network_topic, organisation, person, representative,
    representative_municipality, topic,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::keys::Keys;

/// Every row the seed files describe, ready to insert.
#[derive(Default)]
pub struct Dataset {
    pub organisations: Vec<organisation::Model>,
    pub topics: Vec<topic::Model>,
    pub persons: Vec<person::Model>,
    pub representatives: Vec<representative::Model>,
    pub representative_municipalities: Vec<representative_municipality::Model>,
    pub areas: Vec<area::Model>,
    pub area_municipalities: Vec<area_municipality::Model>,
    pub networks: Vec<network::Model>,
    pub network_topics: Vec<network_topic::Model>,
    pub memberships: Vec<membership::Model>,
    pub meetings: Vec<meeting::Model>,
    pub agreements: Vec<agreement::Model>,
    pub agreement_parties: Vec<agreement_party::Model>,
    pub goals: Vec<goal::Model>,
    pub actions: Vec<action::Model>,
    pub action_organisations: Vec<action_organisation::Model>,
    pub metrics: Vec<metric::Model>,
}

/// The dataset being built, the keys registered so far and the timestamp every row gets.
struct Builder {
    data: Dataset,
    keys: Keys,
    now: DateTime<Utc>,
}

impl Dataset {
    /// Builds the dataset from the embedded files, stamping rows with `now`.
    pub fn build(now: DateTime<Utc>) -> anyhow::Result<Self> {
        let mut b = Builder {
            data: Dataset::default(),
            keys: Keys::default(),
            now,
        };
        b.counties_and_municipalities()?;
        b.organisations()?;
        b.topics()?;
        b.persons()?;
        b.representatives()?;
        b.areas()?;
        b.networks()?;
        b.agreements()?;
        b.actions()?;
        b.data.parents_first()?;
        Ok(b.data)
    }

    /// Orders the tables whose rows refer to rows of the same table so that every row comes
    /// after the rows it refers to.
    fn parents_first(&mut self) -> anyhow::Result<()> {
        self.organisations = parents_first(
            std::mem::take(&mut self.organisations),
            |o| o.id,
            |o| {
                o.parent_id
                    .into_iter()
                    .chain(o.county_id.filter(|c| *c != o.id))
                    .collect()
            },
        )?;
        self.topics = parents_first(
            std::mem::take(&mut self.topics),
            |t| t.id,
            |t| t.parent_id.into_iter().collect(),
        )?;
        self.networks = parents_first(
            std::mem::take(&mut self.networks),
            |n| n.id,
            |n| n.parent_id.into_iter().collect(),
        )?;
        Ok(())
    }
}

/// Parses an embedded TOML seed file; `name` names it in the error.
fn parse_toml<T: DeserializeOwned>(name: &str, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).context(name.to_owned())
}

/// Parses an enumeration value written in a seed file (`WELLBEING_COUNTY`).
fn parse_enum<T: sea_orm::ActiveEnum<Value = String>>(
    what: &str,
    value: &str,
) -> anyhow::Result<T> {
    T::try_from_value(&value.to_owned())
        .map_err(|_| anyhow::anyhow!("{what}: unknown value {value:?}"))
}

/// [`parse_enum`] for an optional value.
fn parse_enum_opt<T: sea_orm::ActiveEnum<Value = String>>(
    what: &str,
    value: Option<&str>,
) -> anyhow::Result<Option<T>> {
    value.map(|v| parse_enum(what, v)).transpose()
}

/// Fails when a validity period ends before it starts.
fn check_dates(
    context: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> anyhow::Result<()> {
    if let (Some(from), Some(to)) = (from, to) {
        ensure!(
            to >= from,
            "{context}: valid_to {to} is before valid_from {from}"
        );
    }
    Ok(())
}

/// Orders rows so that every row comes after the rows it refers to; fails on a cycle.
fn parents_first<T>(
    rows: Vec<T>,
    id: impl Fn(&T) -> Uuid,
    refs: impl Fn(&T) -> Vec<Uuid>,
) -> anyhow::Result<Vec<T>> {
    let ids: HashSet<Uuid> = rows.iter().map(&id).collect();
    let mut placed: HashSet<Uuid> = HashSet::new();
    let mut pending = rows;
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<T>, Vec<T>) = pending.into_iter().partition(|row| {
            refs(row)
                .iter()
                .all(|r| placed.contains(r) || !ids.contains(r))
        });
        placed.extend(ready.iter().map(&id));
        out.extend(ready);
        pending = rest;
        ensure!(
            pending.len() < before,
            "seed rows refer to each other in a cycle"
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::Utc;
    use uuid::Uuid;

    use super::{Dataset, parents_first};

    #[test]
    fn parents_come_first() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let rows = vec![(b, Some(a)), (a, None)];
        let sorted = parents_first(rows, |r| r.0, |r| r.1.into_iter().collect()).unwrap();
        assert_eq!(sorted[0].0, a);
        let cycle = vec![(a, Some(b)), (b, Some(a))];
        assert!(parents_first(cycle, |r| r.0, |r| r.1.into_iter().collect()).is_err());
    }

    #[test]
    fn every_seat_meeting_and_network_topic_belongs_to_a_built_network() {
        let data = Dataset::build(Utc::now()).expect("seed files are valid");
        let networks: HashSet<Uuid> = data.networks.iter().map(|n| n.id).collect();
        assert!(!data.memberships.is_empty() && !data.meetings.is_empty());
        assert!(
            data.memberships
                .iter()
                .all(|m| networks.contains(&m.network_id))
        );
        assert!(
            data.meetings
                .iter()
                .all(|m| networks.contains(&m.network_id))
        );
        assert!(
            data.network_topics
                .iter()
                .all(|t| networks.contains(&t.network_id))
        );
    }

    #[test]
    fn every_organisation_reference_is_a_built_organisation() {
        let data = Dataset::build(Utc::now()).expect("seed files are valid");
        let orgs: HashSet<Uuid> = data.organisations.iter().map(|o| o.id).collect();
        let references = data
            .organisations
            .iter()
            .flat_map(|o| [o.county_id, o.parent_id])
            .chain(data.persons.iter().map(|p| p.organisation_id))
            .chain(
                data.networks
                    .iter()
                    .flat_map(|n| [n.county_id, n.convener_id]),
            )
            .chain(data.memberships.iter().map(|m| m.organisation_id))
            .flatten()
            .chain(data.representatives.iter().map(|r| r.organisation_id))
            .chain(data.areas.iter().map(|a| a.county_id))
            .chain(data.agreements.iter().map(|a| a.county_id))
            .chain(data.agreement_parties.iter().map(|p| p.organisation_id))
            .chain(data.action_organisations.iter().map(|a| a.organisation_id));
        for id in references {
            assert!(orgs.contains(&id), "{id} is not a built organisation");
        }
    }
}
