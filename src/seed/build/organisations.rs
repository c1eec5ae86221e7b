//! The organisations of `organisations.toml`: regional councils, state agencies, NGOs,
//! joint authorities and units — every organisation other than a county or a municipality.

use anyhow::ensure;
use entity::enums::OrganisationKind;
use entity::organisation;

use super::{Builder, parse_enum, parse_toml};
use crate::domain::search::Searchable;
use crate::seed::files::{OrganisationsFile, SeedOrganisation, SeedStrategy};
use crate::seed::keys::id_for;

const ORGANISATIONS: &str = include_str!("../organisations.toml");

impl Builder {
    /// The organisations of the TOML file; a unit may refer to an organisation listed
    /// before or after it.
    pub(super) fn organisations(&mut self) -> anyhow::Result<()> {
        let file: OrganisationsFile = parse_toml("organisations.toml", ORGANISATIONS)?;
        for org in &file.organisation {
            self.keys.add("organisation", &org.key)?;
        }
        for org in file.organisation {
            let row = self.organisation(org)?;
            self.data.organisations.push(row.with_search_text());
        }
        for strategy in file.strategy {
            self.strategy(strategy)?;
        }
        Ok(())
    }

    /// Gives an organisation registered before (a county from the CSV files, or one of
    /// the TOML file) the mission and priority areas its strategy names.
    fn strategy(&mut self, strategy: SeedStrategy) -> anyhow::Result<()> {
        let ctx = format!("strategy of {}", strategy.organisation);
        let id = self.keys.organisation(&strategy.organisation, &ctx)?;
        let row = self
            .data
            .organisations
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or_else(|| anyhow::anyhow!("{ctx}: no such organisation"))?;
        ensure!(
            strategy.priorities.iter().all(|p| !p.contains('\n')),
            "{ctx}: a priority area is one line"
        );
        row.mission = strategy.mission;
        row.priorities = (!strategy.priorities.is_empty()).then(|| strategy.priorities.join("\n"));
        Ok(())
    }

    fn organisation(&self, org: SeedOrganisation) -> anyhow::Result<organisation::Model> {
        let ctx = format!("organisation {}", org.key);
        let kind: OrganisationKind = parse_enum(&ctx, &org.kind)?;
        ensure!(
            !matches!(
                kind,
                OrganisationKind::WellbeingCounty | OrganisationKind::Municipality
            ),
            "{ctx}: counties and municipalities come from the reference CSV files"
        );
        Ok(organisation::Model {
            id: id_for(&org.key),
            kind,
            name_fi: org.name_fi,
            name_sv: org.name_sv,
            name_en: org.name_en,
            short_name: org.short_name,
            business_id: org.business_id,
            municipality_code: None,
            county_code: None,
            county_id: self.keys.organisation_opt(org.county.as_deref(), &ctx)?,
            parent_id: self
                .keys
                .get_opt("organisation", org.parent.as_deref(), &ctx)?,
            email: org.email,
            phone: org.phone,
            website: org.website,
            address: org.address,
            description: org.description,
            search_text: String::new(),
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            reviewed_at: None,
            reviewed_by: None,
            mission: None,
            priorities: None,
        })
    }
}
