//! Reference data: the wellbeing services counties and municipalities of Statistics
//! Finland's 2022 classification (embedded CSV files), the topics, and the named areas.

use std::collections::HashMap;

use anyhow::{Context, ensure};
use entity::enums::OrganisationKind;
use entity::{area, area_municipality, organisation, topic};
use serde::Deserialize;
use uuid::Uuid;

use super::{Builder, parse_enum, parse_toml};
use crate::domain::search::Searchable;
use crate::domain::values::MunicipalityCode;
use crate::seed::files::{AreasFile, TopicsFile};
use crate::seed::keys::{HELSINKI_COUNTY_CODE, HELSINKI_MUNICIPALITY, id_for};

const COUNTIES_CSV: &str = include_str!("../reference/counties_2022.csv");
const MUNICIPALITIES_CSV: &str = include_str!("../reference/municipalities_2022.csv");
const SWEDISH_NAMES_CSV: &str = include_str!("../reference/swedish_names.csv");
const TOPICS: &str = include_str!("../topics.toml");
const AREAS: &str = include_str!("../areas.toml");

/// Åland's code in the classification; Åland has no wellbeing services county.
const ALAND_CODE: &str = "91";

#[derive(Deserialize)]
struct CountyRow {
    county_code: String,
    county_name: String,
}

/// A Swedish name of a county (`kind` `county`, two-digit code) or a municipality
/// (`municipality`, three-digit code).
#[derive(Deserialize)]
struct SwedishNameRow {
    kind: String,
    code: String,
    name_fi: String,
    name_sv: String,
}

/// The Swedish names by (kind, code), checked against the Finnish names they go with.
fn swedish_names() -> anyhow::Result<HashMap<(String, String), SwedishNameRow>> {
    let mut names = HashMap::new();
    for row in csv::Reader::from_reader(SWEDISH_NAMES_CSV.as_bytes()).deserialize() {
        let row: SwedishNameRow = row.context("swedish_names.csv")?;
        ensure!(
            row.kind == "county" || row.kind == "municipality",
            "swedish_names.csv: unknown kind {}",
            row.kind
        );
        names.insert((row.kind.clone(), row.code.clone()), row);
    }
    Ok(names)
}

/// The Swedish name of `kind` `code`, whose Finnish name must be `name_fi`.
fn swedish_name(
    names: &HashMap<(String, String), SwedishNameRow>,
    kind: &str,
    code: &str,
    name_fi: &str,
) -> anyhow::Result<Option<String>> {
    let Some(row) = names.get(&(kind.to_owned(), code.to_owned())) else {
        return Ok(None);
    };
    ensure!(
        row.name_fi == name_fi,
        "swedish_names.csv: {kind} {code} is {name_fi}, not {}",
        row.name_fi
    );
    Ok(Some(row.name_sv.clone()))
}

#[derive(Deserialize)]
struct MunicipalityRow {
    municipality_code: String,
    municipality_name: String,
    county_code: String,
}

impl Builder {
    /// A county or municipality row with only its kind and Finnish name set.
    fn reference_organisation(
        &self,
        id: Uuid,
        kind: OrganisationKind,
        name_fi: String,
    ) -> organisation::Model {
        organisation::Model {
            id,
            kind,
            name_fi,
            name_sv: None,
            name_en: None,
            short_name: None,
            business_id: None,
            municipality_code: None,
            county_code: None,
            county_id: None,
            parent_id: None,
            email: None,
            phone: None,
            website: None,
            address: None,
            description: None,
            search_text: String::new(),
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            reviewed_at: None,
            reviewed_by: None,
            mission: None,
            priorities: None,
        }
    }

    /// Counties (except Åland's and Helsinki's codes) and then every municipality.
    /// `county:90` becomes a key of its own that resolves to the City of Helsinki.
    pub(super) fn counties_and_municipalities(&mut self) -> anyhow::Result<()> {
        self.counties()?;
        self.municipalities()?;
        self.keys
            .alias("organisation", &format!("county:{HELSINKI_COUNTY_CODE}"));
        Ok(())
    }

    fn counties(&mut self) -> anyhow::Result<()> {
        let swedish = swedish_names()?;
        for row in csv::Reader::from_reader(COUNTIES_CSV.as_bytes()).deserialize() {
            let row: CountyRow = row.context("counties_2022.csv")?;
            if row.county_code == ALAND_CODE || row.county_code == HELSINKI_COUNTY_CODE {
                continue;
            }
            let id = self
                .keys
                .add("organisation", &format!("county:{}", row.county_code))?;
            let name_sv = swedish_name(&swedish, "county", &row.county_code, &row.county_name)?;
            let mut county =
                self.reference_organisation(id, OrganisationKind::WellbeingCounty, row.county_name);
            county.name_sv = name_sv;
            county.county_code = Some(row.county_code);
            self.data.organisations.push(county.with_search_text());
        }
        Ok(())
    }

    /// Municipalities; each belongs to the county of its code (Helsinki's county is the
    /// city itself, Åland's municipalities have none).
    fn municipalities(&mut self) -> anyhow::Result<()> {
        let swedish = swedish_names()?;
        for row in csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes()).deserialize() {
            let row: MunicipalityRow = row.context("municipalities_2022.csv")?;
            let code = MunicipalityCode::parse("municipality_code", &row.municipality_code)
                .map_err(|e| anyhow::anyhow!("municipalities_2022.csv: {}", e.message))?;
            let key = format!("municipality:{}", row.municipality_code);
            let id = self.keys.add("organisation", &key)?;
            let county_id = match row.county_code.as_str() {
                ALAND_CODE => None,
                HELSINKI_COUNTY_CODE => Some(id_for(HELSINKI_MUNICIPALITY)),
                code => Some(
                    self.keys
                        .get("organisation", &format!("county:{code}"), &key)
                        .with_context(|| format!("{key}: unknown county {code}"))?,
                ),
            };
            let is_helsinki = key == HELSINKI_MUNICIPALITY;
            let name_sv = swedish_name(
                &swedish,
                "municipality",
                &row.municipality_code,
                &row.municipality_name,
            )?;
            let mut municipality = self.reference_organisation(
                id,
                OrganisationKind::Municipality,
                row.municipality_name,
            );
            municipality.name_sv = name_sv;
            municipality.municipality_code = Some(code.into_inner());
            municipality.county_code = is_helsinki.then(|| HELSINKI_COUNTY_CODE.to_owned());
            municipality.county_id = county_id;
            self.data
                .organisations
                .push(municipality.with_search_text());
        }
        Ok(())
    }

    /// Topics; a parent may come later in the file than its sub-topics.
    pub(super) fn topics(&mut self) -> anyhow::Result<()> {
        let file: TopicsFile = parse_toml("topics.toml", TOPICS)?;
        for topic in &file.topic {
            self.keys.add("topic", &topic.slug)?;
        }
        for topic in file.topic {
            let ctx = format!("topic {}", topic.slug);
            self.data.topics.push(topic::Model {
                id: id_for(&topic.slug),
                kind: parse_enum(&ctx, &topic.kind)?,
                parent_id: self.keys.get_opt("topic", topic.parent.as_deref(), &ctx)?,
                slug: topic.slug,
                code: topic.code,
                name_fi: topic.name_fi,
                name_sv: topic.name_sv,
                name_en: topic.name_en,
                description: topic.description,
                sort_order: topic.sort_order,
                created_at: self.now,
                updated_at: self.now,
                version: 1,
            });
        }
        Ok(())
    }

    /// Named groups of municipalities within a county.
    pub(super) fn areas(&mut self) -> anyhow::Result<()> {
        let file: AreasFile = parse_toml("areas.toml", AREAS)?;
        for area in file.area {
            let ctx = format!("area {}", area.key);
            let id = self.keys.add("area", &area.key)?;
            for muni in &area.municipalities {
                ensure!(
                    muni.starts_with("municipality:"),
                    "{ctx}: {muni:?} is not a municipality"
                );
                self.data
                    .area_municipalities
                    .push(area_municipality::Model {
                        area_id: id,
                        municipality_id: self.keys.organisation(muni, &ctx)?,
                    });
            }
            self.data.areas.push(area::Model {
                id,
                kind: parse_enum(&ctx, &area.kind)?,
                county_id: self.keys.organisation(&area.county, &ctx)?,
                name_fi: area.name_fi,
                name_sv: area.name_sv,
                name_en: area.name_en,
                description: area.description,
                created_at: self.now,
                updated_at: self.now,
                version: 1,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::enums::OrganisationKind;

    use super::super::Dataset;
    use crate::seed::keys::id_for;

    #[test]
    fn reference_data_has_every_county_and_municipality() {
        let data = Dataset::build(Utc::now()).expect("seed files are valid");
        let counties = data
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::WellbeingCounty)
            .count();
        let municipalities: Vec<_> = data
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Municipality)
            .collect();
        assert_eq!(counties, 21);
        assert_eq!(municipalities.len(), 309);
        let helsinki = municipalities
            .iter()
            .find(|m| m.municipality_code.as_deref() == Some("091"))
            .expect("Helsinki");
        assert_eq!(helsinki.county_id, Some(helsinki.id));
        assert_eq!(helsinki.county_code.as_deref(), Some("90"));
        let mariehamn = municipalities
            .iter()
            .find(|m| m.municipality_code.as_deref() == Some("478"))
            .expect("Maarianhamina");
        assert_eq!(mariehamn.county_id, None);
        let kuopio = municipalities
            .iter()
            .find(|m| m.municipality_code.as_deref() == Some("297"))
            .expect("Kuopio");
        assert_eq!(kuopio.county_id, Some(id_for("county:13")));
    }
}
