//! People: the persons named in the documents and the representatives they are, each for
//! a topic and level, with the municipalities a representative serves.

use anyhow::ensure;
use entity::{person, representative, representative_municipality};

use super::{Builder, check_dates, parse_enum, parse_toml};
use crate::domain::search::Searchable;
use crate::seed::files::{PersonsFile, RepresentativesFile, SeedRepresentative};

const PERSONS: &str = include_str!("../persons.toml");
const REPRESENTATIVES: &str = include_str!("../representatives.toml");

impl Builder {
    /// Persons, with the organisation they work for.
    pub(super) fn persons(&mut self) -> anyhow::Result<()> {
        let file: PersonsFile = parse_toml("persons.toml", PERSONS)?;
        for person in file.person {
            let ctx = format!("person {}", person.key);
            let id = self.keys.add("person", &person.key)?;
            let row = person::Model {
                id,
                organisation_id: self
                    .keys
                    .organisation_opt(person.organisation.as_deref(), &ctx)?,
                name: person.name,
                title: person.title,
                email: person.email,
                phone: person.phone,
                visibility: parse_enum(&ctx, &person.visibility)?,
                search_text: String::new(),
                created_at: self.now,
                updated_at: self.now,
                version: 1,
                reviewed_at: None,
                reviewed_by: None,
            };
            self.data.persons.push(row.with_search_text());
        }
        Ok(())
    }

    /// Representatives and the municipalities each serves.
    pub(super) fn representatives(&mut self) -> anyhow::Result<()> {
        let file: RepresentativesFile = parse_toml("representatives.toml", REPRESENTATIVES)?;
        for rep in file.representative {
            self.representative(rep)?;
        }
        Ok(())
    }

    fn representative(&mut self, rep: SeedRepresentative) -> anyhow::Result<()> {
        let ctx = format!("representative {}", rep.key);
        let id = self.keys.add("representative", &rep.key)?;
        check_dates(&ctx, rep.valid_from, rep.valid_to)?;
        for muni in &rep.serves {
            ensure!(
                muni.starts_with("municipality:"),
                "{ctx}: serves {muni:?} is not a municipality"
            );
            self.data
                .representative_municipalities
                .push(representative_municipality::Model {
                    representative_id: id,
                    municipality_id: self.keys.organisation(muni, &ctx)?,
                });
        }
        self.data.representatives.push(representative::Model {
            id,
            person_id: self.keys.get("person", &rep.person, &ctx)?,
            organisation_id: self.keys.organisation(&rep.organisation, &ctx)?,
            topic_id: self.keys.get("topic", &rep.topic, &ctx)?,
            level: parse_enum(&ctx, &rep.level)?,
            role: rep.role,
            deputy_id: self.keys.get_opt("person", rep.deputy.as_deref(), &ctx)?,
            valid_from: rep.valid_from,
            valid_to: rep.valid_to,
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            reviewed_at: None,
            reviewed_by: None,
        });
        Ok(())
    }
}
