//! Networks (forums, boards, working groups …) with their topics, their seats
//! (memberships) and their meetings.

use anyhow::ensure;
use chrono::Utc;
use entity::{meeting, membership, network, network_topic};
use uuid::Uuid;

use super::{Builder, check_dates, parse_enum, parse_enum_opt, parse_toml};
use crate::domain::search::Searchable;
use crate::seed::files::{NetworksFile, SeedMeeting, SeedMembership, SeedNetwork};
use crate::seed::keys::id_for;

const NETWORKS: &str = include_str!("../networks.toml");

impl Builder {
    /// Networks with their topics, seats and meetings; a parent network may come later in
    /// the file than its sub-networks.
    pub(super) fn networks(&mut self) -> anyhow::Result<()> {
        let file: NetworksFile = parse_toml("networks.toml", NETWORKS)?;
        for network in &file.network {
            self.keys.add("network", &network.key)?;
        }
        for network in file.network {
            let ctx = format!("network {}", network.key);
            let id = id_for(&network.key);
            check_dates(&ctx, network.valid_from, network.valid_to)?;
            for topic in &network.topics {
                self.data.network_topics.push(network_topic::Model {
                    network_id: id,
                    topic_id: self.keys.get("topic", topic, &ctx)?,
                });
            }
            for (n, seat) in network.membership.iter().enumerate() {
                let seat = self.membership(&network.key, id, n + 1, seat)?;
                self.data.memberships.push(seat);
            }
            for meeting in &network.meeting {
                let meeting = self.meeting(&ctx, id, meeting)?;
                self.data.meetings.push(meeting);
            }
            let row = self.network(&ctx, id, network)?;
            self.data.networks.push(row.with_search_text());
        }
        Ok(())
    }

    fn network(&self, ctx: &str, id: Uuid, network: SeedNetwork) -> anyhow::Result<network::Model> {
        let keys = &self.keys;
        Ok(network::Model {
            id,
            kind: parse_enum(ctx, &network.kind)?,
            name_fi: network.name_fi,
            name_sv: network.name_sv,
            name_en: network.name_en,
            description: network.description,
            level: parse_enum_opt(ctx, network.level.as_deref())?,
            county_id: keys.organisation_opt(network.county.as_deref(), ctx)?,
            convener_id: keys.organisation_opt(network.convener.as_deref(), ctx)?,
            convener_note: network.convener_note,
            responsible_person_id: keys.get_opt(
                "person",
                network.responsible_person.as_deref(),
                ctx,
            )?,
            responsible_role: network.responsible_role,
            parent_id: keys.get_opt("network", network.parent.as_deref(), ctx)?,
            area_id: keys.get_opt("area", network.area.as_deref(), ctx)?,
            cadence: network.cadence,
            meetings_per_year: network.meetings_per_year,
            legal_basis: network.legal_basis,
            valid_from: network.valid_from,
            valid_to: network.valid_to,
            search_text: String::new(),
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            reviewed_at: None,
            reviewed_by: None,
        })
    }

    /// The `n`th seat (from 1) of the network `network_key`; its id derives from that.
    fn membership(
        &self,
        network_key: &str,
        network_id: Uuid,
        n: usize,
        seat: &SeedMembership,
    ) -> anyhow::Result<membership::Model> {
        let ctx = format!("network {network_key} membership {n}");
        ensure!(
            seat.organisation.is_some() || seat.person.is_some(),
            "{ctx}: needs an organisation or a person"
        );
        check_dates(&ctx, seat.valid_from, seat.valid_to)?;
        Ok(membership::Model {
            id: id_for(&format!("{network_key}#membership:{n}")),
            network_id,
            organisation_id: self
                .keys
                .organisation_opt(seat.organisation.as_deref(), &ctx)?,
            person_id: self.keys.get_opt("person", seat.person.as_deref(), &ctx)?,
            deputy_id: self.keys.get_opt("person", seat.deputy.as_deref(), &ctx)?,
            role: parse_enum(&ctx, &seat.role)?,
            note: seat.note.clone(),
            valid_from: seat.valid_from,
            valid_to: seat.valid_to,
            created_at: self.now,
            updated_at: self.now,
            version: 1,
        })
    }

    /// A meeting of a network, its times in UTC.
    fn meeting(
        &mut self,
        network_ctx: &str,
        network_id: Uuid,
        meeting: &SeedMeeting,
    ) -> anyhow::Result<meeting::Model> {
        let ctx = format!("{network_ctx} meeting {}", meeting.key);
        let starts_at = meeting.starts_at.with_timezone(&Utc);
        let ends_at = meeting.ends_at.map(|t| t.with_timezone(&Utc));
        if let Some(end) = ends_at {
            ensure!(end >= starts_at, "{ctx}: ends before it starts");
        }
        Ok(meeting::Model {
            id: self.keys.add("meeting", &meeting.key)?,
            network_id,
            title: meeting.title.clone(),
            starts_at,
            ends_at,
            location: meeting.location.clone(),
            agenda_url: meeting.agenda_url.clone(),
            minutes_url: meeting.minutes_url.clone(),
            created_at: self.now,
            updated_at: self.now,
            version: 1,
        })
    }
}
