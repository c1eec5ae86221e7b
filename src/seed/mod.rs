//! The data the server ships with: national reference data (counties and municipalities)
//! and the programme facts of the source documents, embedded in the binary.
//!
//! [`Dataset::build`] turns the files into database rows, resolving every key reference
//! and rejecting unknown ones; [`load`] inserts the rows that are missing, in one
//! transaction, so loading twice changes nothing.

pub mod files;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::*;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::search::text::search_column;
use files::*;

/// Namespace of the UUID v5 ids derived from seed keys.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b0e_9d4a_4c61_a3f5_1e2d_7b8c_9a01);

/// The id a seed row with `key` gets in every database.
pub fn id_for(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

const COUNTIES_CSV: &str = include_str!("reference/counties_2022.csv");
const MUNICIPALITIES_CSV: &str = include_str!("reference/municipalities_2022.csv");
const ORGANISATIONS: &str = include_str!("organisations.toml");
const TOPICS: &str = include_str!("topics.toml");
const PERSONS: &str = include_str!("persons.toml");
const REPRESENTATIVES: &str = include_str!("representatives.toml");
const NETWORKS: &str = include_str!("networks.toml");
const AREAS: &str = include_str!("areas.toml");
const AGREEMENTS: &str = include_str!("agreements.toml");
const ACTIONS: &str = include_str!("actions.toml");

/// Statistics Finland's code of the City of Helsinki, which organises the services a
/// wellbeing services county would, under the county code 90.
const HELSINKI_COUNTY_CODE: &str = "90";
const HELSINKI_MUNICIPALITY: &str = "municipality:091";
/// Åland's code in the classification; Åland has no wellbeing services county.
const ALAND_CODE: &str = "91";

#[derive(Deserialize)]
struct CountyRow {
    county_code: String,
    county_name: String,
}

#[derive(Deserialize)]
struct MunicipalityRow {
    municipality_code: String,
    municipality_name: String,
    county_code: String,
}

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

/// Parses an enumeration value written in a seed file (`WELLBEING_COUNTY`).
fn parse_enum<T: sea_orm::ActiveEnum<Value = String>>(
    what: &str,
    value: &str,
) -> anyhow::Result<T> {
    T::try_from_value(&value.to_owned())
        .map_err(|_| anyhow::anyhow!("{what}: unknown value {value:?}"))
}

/// Resolves keys to ids, remembering which keys exist per kind.
#[derive(Default)]
struct Keys {
    known: HashMap<&'static str, HashSet<String>>,
}

impl Keys {
    fn add(&mut self, kind: &'static str, key: &str) -> anyhow::Result<Uuid> {
        ensure!(
            key.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-:_".contains(c)),
            "{kind} key {key:?} must be lowercase ASCII"
        );
        ensure!(
            self.known.entry(kind).or_default().insert(key.to_owned()),
            "duplicate {kind} key {key:?}"
        );
        Ok(id_for(key))
    }

    fn get(&self, kind: &'static str, key: &str, context: &str) -> anyhow::Result<Uuid> {
        match self.known.get(kind) {
            Some(keys) if keys.contains(key) => Ok(id_for(key)),
            _ => bail!("{context}: unknown {kind} {key:?}"),
        }
    }

    fn get_opt(
        &self,
        kind: &'static str,
        key: Option<&str>,
        context: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        key.map(|k| self.get(kind, k, context)).transpose()
    }
}

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

impl Dataset {
    /// Builds the dataset from the embedded files, stamping rows with `now`.
    pub fn build(now: DateTime<Utc>) -> anyhow::Result<Self> {
        let mut data = Dataset::default();
        let mut keys = Keys::default();

        // Reference data: counties, then municipalities.
        let mut county_ids: HashMap<String, Uuid> = HashMap::new();
        for row in csv::Reader::from_reader(COUNTIES_CSV.as_bytes()).deserialize() {
            let row: CountyRow = row.context("counties_2022.csv")?;
            if row.county_code == ALAND_CODE || row.county_code == HELSINKI_COUNTY_CODE {
                continue;
            }
            let key = format!("county:{}", row.county_code);
            let id = keys.add("organisation", &key)?;
            county_ids.insert(row.county_code.clone(), id);
            data.organisations.push(organisation::Model {
                id,
                kind: OrganisationKind::WellbeingCounty,
                search_text: search_column([Some(row.county_name.as_str())]),
                name_fi: row.county_name,
                name_sv: None,
                name_en: None,
                short_name: None,
                business_id: None,
                municipality_code: None,
                county_code: Some(row.county_code),
                county_id: None,
                parent_id: None,
                email: None,
                phone: None,
                website: None,
                address: None,
                description: None,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }
        // Helsinki organises the services itself: `county:90` is the city.
        county_ids.insert(HELSINKI_COUNTY_CODE.into(), id_for(HELSINKI_MUNICIPALITY));
        for row in csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes()).deserialize() {
            let row: MunicipalityRow = row.context("municipalities_2022.csv")?;
            ensure!(
                row.municipality_code.len() == 3
                    && row.municipality_code.bytes().all(|b| b.is_ascii_digit()),
                "bad municipality code {:?}",
                row.municipality_code
            );
            let key = format!("municipality:{}", row.municipality_code);
            let id = keys.add("organisation", &key)?;
            let county_id = if row.county_code == ALAND_CODE {
                None
            } else {
                Some(
                    *county_ids
                        .get(&row.county_code)
                        .with_context(|| format!("{key}: unknown county {}", row.county_code))?,
                )
            };
            let is_helsinki = key == HELSINKI_MUNICIPALITY;
            data.organisations.push(organisation::Model {
                id,
                kind: OrganisationKind::Municipality,
                search_text: search_column([
                    Some(row.municipality_name.as_str()),
                    Some(row.municipality_code.as_str()),
                ]),
                name_fi: row.municipality_name,
                name_sv: None,
                name_en: None,
                short_name: None,
                business_id: None,
                municipality_code: Some(row.municipality_code),
                county_code: is_helsinki.then(|| HELSINKI_COUNTY_CODE.to_owned()),
                county_id,
                parent_id: None,
                email: None,
                phone: None,
                website: None,
                address: None,
                description: None,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }
        // `county:90` refers to Helsinki.
        keys.known
            .entry("organisation")
            .or_default()
            .insert(format!("county:{HELSINKI_COUNTY_CODE}"));
        let county_key_id = |key: &str| -> Uuid {
            if key == "county:90" {
                id_for(HELSINKI_MUNICIPALITY)
            } else {
                id_for(key)
            }
        };

        // Other organisations; units may refer to organisations listed before or after them.
        let file: OrganisationsFile =
            toml::from_str(ORGANISATIONS).context("organisations.toml")?;
        for org in &file.organisation {
            keys.add("organisation", &org.key)?;
        }
        for org in file.organisation {
            let ctx = format!("organisation {}", org.key);
            let kind: OrganisationKind = parse_enum(&ctx, &org.kind)?;
            ensure!(
                !matches!(
                    kind,
                    OrganisationKind::WellbeingCounty | OrganisationKind::Municipality
                ),
                "{ctx}: counties and municipalities come from the reference CSV files"
            );
            let county_id = org
                .county
                .as_deref()
                .map(|k| keys.get("organisation", k, &ctx).map(|_| county_key_id(k)))
                .transpose()?;
            data.organisations.push(organisation::Model {
                id: id_for(&org.key),
                kind,
                search_text: search_column([
                    Some(org.name_fi.as_str()),
                    org.name_sv.as_deref(),
                    org.name_en.as_deref(),
                    org.short_name.as_deref(),
                ]),
                name_fi: org.name_fi,
                name_sv: org.name_sv,
                name_en: org.name_en,
                short_name: org.short_name,
                business_id: org.business_id,
                municipality_code: None,
                county_code: None,
                county_id,
                parent_id: keys.get_opt("organisation", org.parent.as_deref(), &ctx)?,
                email: org.email,
                phone: org.phone,
                website: org.website,
                address: org.address,
                description: org.description,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }
        let org = |keys: &Keys, key: &str, ctx: &str| -> anyhow::Result<Uuid> {
            keys.get("organisation", key, ctx)
                .map(|_| county_key_id(key))
        };

        // Topics (parents may come later in the file).
        let file: TopicsFile = toml::from_str(TOPICS).context("topics.toml")?;
        for topic in &file.topic {
            keys.add("topic", &topic.slug)?;
        }
        for topic in file.topic {
            let ctx = format!("topic {}", topic.slug);
            data.topics.push(topic::Model {
                id: id_for(&topic.slug),
                kind: parse_enum(&ctx, &topic.kind)?,
                parent_id: keys.get_opt("topic", topic.parent.as_deref(), &ctx)?,
                slug: topic.slug,
                code: topic.code,
                name_fi: topic.name_fi,
                name_sv: topic.name_sv,
                name_en: topic.name_en,
                description: topic.description,
                sort_order: topic.sort_order,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Persons.
        let file: PersonsFile = toml::from_str(PERSONS).context("persons.toml")?;
        for person in file.person {
            let ctx = format!("person {}", person.key);
            let id = keys.add("person", &person.key)?;
            data.persons.push(person::Model {
                id,
                search_text: search_column([Some(person.name.as_str()), person.title.as_deref()]),
                organisation_id: person
                    .organisation
                    .as_deref()
                    .map(|k| org(&keys, k, &ctx))
                    .transpose()?,
                name: person.name,
                title: person.title,
                email: person.email,
                phone: person.phone,
                visibility: parse_enum(&ctx, &person.visibility)?,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Representatives.
        let file: RepresentativesFile =
            toml::from_str(REPRESENTATIVES).context("representatives.toml")?;
        for rep in file.representative {
            let ctx = format!("representative {}", rep.key);
            let id = keys.add("representative", &rep.key)?;
            check_dates(&ctx, rep.valid_from, rep.valid_to)?;
            for muni in &rep.serves {
                ensure!(
                    muni.starts_with("municipality:"),
                    "{ctx}: serves {muni:?} is not a municipality"
                );
                data.representative_municipalities
                    .push(representative_municipality::Model {
                        representative_id: id,
                        municipality_id: org(&keys, muni, &ctx)?,
                    });
            }
            data.representatives.push(representative::Model {
                id,
                person_id: keys.get("person", &rep.person, &ctx)?,
                organisation_id: org(&keys, &rep.organisation, &ctx)?,
                topic_id: keys.get("topic", &rep.topic, &ctx)?,
                level: parse_enum(&ctx, &rep.level)?,
                role: rep.role,
                deputy_id: keys.get_opt("person", rep.deputy.as_deref(), &ctx)?,
                valid_from: rep.valid_from,
                valid_to: rep.valid_to,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Areas.
        let file: AreasFile = toml::from_str(AREAS).context("areas.toml")?;
        for area in file.area {
            let ctx = format!("area {}", area.key);
            let id = keys.add("area", &area.key)?;
            for muni in &area.municipalities {
                ensure!(
                    muni.starts_with("municipality:"),
                    "{ctx}: {muni:?} is not a municipality"
                );
                data.area_municipalities.push(area_municipality::Model {
                    area_id: id,
                    municipality_id: org(&keys, muni, &ctx)?,
                });
            }
            data.areas.push(area::Model {
                id,
                kind: parse_enum(&ctx, &area.kind)?,
                county_id: org(&keys, &area.county, &ctx)?,
                name_fi: area.name_fi,
                name_sv: area.name_sv,
                name_en: area.name_en,
                description: area.description,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Networks with their memberships and meetings.
        let file: NetworksFile = toml::from_str(NETWORKS).context("networks.toml")?;
        for network in &file.network {
            keys.add("network", &network.key)?;
        }
        for network in file.network {
            let ctx = format!("network {}", network.key);
            let id = id_for(&network.key);
            check_dates(&ctx, network.valid_from, network.valid_to)?;
            for topic in &network.topics {
                data.network_topics.push(network_topic::Model {
                    network_id: id,
                    topic_id: keys.get("topic", topic, &ctx)?,
                });
            }
            for (n, seat) in network.membership.iter().enumerate() {
                let seat_ctx = format!("{ctx} membership {}", n + 1);
                ensure!(
                    seat.organisation.is_some() || seat.person.is_some(),
                    "{seat_ctx}: needs an organisation or a person"
                );
                check_dates(&seat_ctx, seat.valid_from, seat.valid_to)?;
                data.memberships.push(membership::Model {
                    id: id_for(&format!("{}#membership:{}", network.key, n + 1)),
                    network_id: id,
                    organisation_id: seat
                        .organisation
                        .as_deref()
                        .map(|k| org(&keys, k, &seat_ctx))
                        .transpose()?,
                    person_id: keys.get_opt("person", seat.person.as_deref(), &seat_ctx)?,
                    deputy_id: keys.get_opt("person", seat.deputy.as_deref(), &seat_ctx)?,
                    role: parse_enum(&seat_ctx, &seat.role)?,
                    note: seat.note.clone(),
                    valid_from: seat.valid_from,
                    valid_to: seat.valid_to,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
            }
            for meeting in &network.meeting {
                let meeting_ctx = format!("{ctx} meeting {}", meeting.key);
                let starts_at = meeting.starts_at.with_timezone(&Utc);
                let ends_at = meeting.ends_at.map(|t| t.with_timezone(&Utc));
                if let Some(end) = ends_at {
                    ensure!(end >= starts_at, "{meeting_ctx}: ends before it starts");
                }
                data.meetings.push(meeting::Model {
                    id: keys.add("meeting", &meeting.key)?,
                    network_id: id,
                    title: meeting.title.clone(),
                    starts_at,
                    ends_at,
                    location: meeting.location.clone(),
                    agenda_url: meeting.agenda_url.clone(),
                    minutes_url: meeting.minutes_url.clone(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
            }
            data.networks.push(network::Model {
                id,
                kind: parse_enum(&ctx, &network.kind)?,
                search_text: search_column([
                    Some(network.name_fi.as_str()),
                    network.name_sv.as_deref(),
                    network.name_en.as_deref(),
                ]),
                name_fi: network.name_fi,
                name_sv: network.name_sv,
                name_en: network.name_en,
                description: network.description,
                level: network
                    .level
                    .as_deref()
                    .map(|l| parse_enum(&ctx, l))
                    .transpose()?,
                county_id: network
                    .county
                    .as_deref()
                    .map(|k| org(&keys, k, &ctx))
                    .transpose()?,
                convener_id: network
                    .convener
                    .as_deref()
                    .map(|k| org(&keys, k, &ctx))
                    .transpose()?,
                convener_note: network.convener_note,
                responsible_person_id: keys.get_opt(
                    "person",
                    network.responsible_person.as_deref(),
                    &ctx,
                )?,
                responsible_role: network.responsible_role,
                parent_id: keys.get_opt("network", network.parent.as_deref(), &ctx)?,
                area_id: keys.get_opt("area", network.area.as_deref(), &ctx)?,
                cadence: network.cadence,
                meetings_per_year: network.meetings_per_year,
                legal_basis: network.legal_basis,
                valid_from: network.valid_from,
                valid_to: network.valid_to,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Agreements with their goals.
        let file: AgreementsFile = toml::from_str(AGREEMENTS).context("agreements.toml")?;
        for agreement in file.agreement {
            let ctx = format!("agreement {}", agreement.key);
            let id = keys.add("agreement", &agreement.key)?;
            check_dates(&ctx, Some(agreement.valid_from), agreement.valid_to)?;
            for party in &agreement.parties {
                data.agreement_parties.push(agreement_party::Model {
                    agreement_id: id,
                    organisation_id: org(&keys, party, &ctx)?,
                });
            }
            for goal in agreement.goal {
                data.goals.push(goal::Model {
                    id: keys.add("goal", &goal.key)?,
                    agreement_id: id,
                    title_fi: goal.title_fi,
                    title_sv: goal.title_sv,
                    title_en: goal.title_en,
                    description: goal.description,
                    sort_order: goal.sort_order,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
            }
            data.agreements.push(agreement::Model {
                id,
                county_id: org(&keys, &agreement.county, &ctx)?,
                title_fi: agreement.title_fi,
                title_sv: agreement.title_sv,
                title_en: agreement.title_en,
                description: agreement.description,
                valid_from: agreement.valid_from,
                valid_to: agreement.valid_to,
                legal_basis: agreement.legal_basis,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Actions with their metrics.
        let file: ActionsFile = toml::from_str(ACTIONS).context("actions.toml")?;
        for action in file.action {
            let ctx = format!("action {}", action.key);
            let id = keys.add("action", &action.key)?;
            ensure!(
                action.period_end >= action.period_start,
                "{ctx}: period ends before it starts"
            );
            for party in &action.responsible {
                data.action_organisations.push(action_organisation::Model {
                    action_id: id,
                    organisation_id: org(&keys, party, &ctx)?,
                });
            }
            for (n, metric) in action.metric.iter().enumerate() {
                let order = i32::try_from(n + 1).context("too many metrics")?;
                data.metrics.push(metric::Model {
                    id: id_for(&format!("{}#metric:{}", action.key, n + 1)),
                    action_id: id,
                    description: metric.description.clone(),
                    kind: parse_enum(&ctx, &metric.kind)?,
                    sort_order: order,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
            }
            data.actions.push(action::Model {
                id,
                goal_id: keys.get("goal", &action.goal, &ctx)?,
                topic_id: keys.get_opt("topic", action.topic.as_deref(), &ctx)?,
                search_text: search_column([
                    Some(action.title.as_str()),
                    action.description.as_deref(),
                ]),
                title: action.title,
                description: action.description,
                responsibility: action.responsibility,
                period_start: action.period_start,
                period_end: action.period_end,
                status: parse_enum(&ctx, &action.status)?,
                sort_order: action.sort_order,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        // Rows that refer to others of their own table go after them.
        data.organisations = parents_first(
            data.organisations,
            |o| o.id,
            |o| {
                o.parent_id
                    .into_iter()
                    .chain(o.county_id.filter(|c| *c != o.id))
                    .collect()
            },
        )?;
        data.topics = parents_first(data.topics, |t| t.id, |t| t.parent_id.into_iter().collect())?;
        data.networks = parents_first(
            data.networks,
            |n| n.id,
            |n| n.parent_id.into_iter().collect(),
        )?;
        Ok(data)
    }
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

/// What [`load`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Rows inserted per table; tables with nothing new are absent.
    pub inserted: BTreeMap<&'static str, usize>,
}

impl LoadReport {
    /// Rows inserted in all tables.
    pub fn total(&self) -> usize {
        self.inserted.values().sum()
    }
}

/// Inserts the rows of `rows` whose primary key is not in the table yet.
async fn insert_missing<E, C>(
    db: &C,
    report: &mut LoadReport,
    table: &'static str,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> (Uuid, Uuid),
    existing: Vec<(Uuid, Uuid)>,
) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    let existing: HashSet<(Uuid, Uuid)> = existing.into_iter().collect();
    let missing: Vec<E::ActiveModel> = rows
        .into_iter()
        .filter(|row| !existing.contains(&key(row)))
        .map(IntoActiveModel::into_active_model)
        .collect();
    let count = missing.len();
    let mut rows = missing.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(200).collect();
        E::insert_many(chunk)
            .exec_without_returning(db)
            .await
            .with_context(|| format!("inserting seed rows into {table}"))?;
    }
    if count > 0 {
        report.inserted.insert(table, count);
    }
    Ok(())
}

/// Ids already present in a table with a single `id` key.
async fn ids<E, C>(db: &C, column: E::Column) -> anyhow::Result<Vec<(Uuid, Uuid)>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let ids: Vec<Uuid> = E::find()
        .select_only()
        .column(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(|id| (id, Uuid::nil())).collect())
}

/// Key pairs already present in a join table.
async fn pairs<E, C>(db: &C, a: E::Column, b: E::Column) -> anyhow::Result<Vec<(Uuid, Uuid)>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(E::find()
        .select_only()
        .column(a)
        .column(b)
        .into_tuple()
        .all(db)
        .await?)
}

/// Loads every seed row that is missing, in one transaction.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<LoadReport> {
    let data = Dataset::build(Utc::now())?;
    let tx = db.begin().await?;
    let mut r = LoadReport::default();
    let single = |id: Uuid| (id, Uuid::nil());

    macro_rules! single {
        ($module:ident, $rows:expr) => {{
            let existing = ids::<$module::Entity, _>(&tx, $module::Column::Id).await?;
            insert_missing::<$module::Entity, _>(
                &tx,
                &mut r,
                stringify!($module),
                $rows,
                |m| single(m.id),
                existing,
            )
            .await?;
        }};
    }
    macro_rules! pair {
        ($module:ident, $a:ident, $b:ident, $rows:expr) => {{
            let existing = pairs::<$module::Entity, _>(
                &tx,
                <$module::Column as FromStr>::from_str(stringify!($a))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
                <$module::Column as FromStr>::from_str(stringify!($b))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            )
            .await?;
            insert_missing::<$module::Entity, _>(
                &tx,
                &mut r,
                stringify!($module),
                $rows,
                |m| (m.$a, m.$b),
                existing,
            )
            .await?;
        }};
    }

    single!(organisation, data.organisations);
    single!(topic, data.topics);
    single!(person, data.persons);
    single!(representative, data.representatives);
    pair!(
        representative_municipality,
        representative_id,
        municipality_id,
        data.representative_municipalities
    );
    single!(area, data.areas);
    pair!(
        area_municipality,
        area_id,
        municipality_id,
        data.area_municipalities
    );
    single!(network, data.networks);
    pair!(network_topic, network_id, topic_id, data.network_topics);
    single!(membership, data.memberships);
    single!(meeting, data.meetings);
    single!(agreement, data.agreements);
    pair!(
        agreement_party,
        agreement_id,
        organisation_id,
        data.agreement_parties
    );
    single!(goal, data.goals);
    single!(action, data.actions);
    pair!(
        action_organisation,
        action_id,
        organisation_id,
        data.action_organisations
    );
    single!(metric, data.metrics);

    tx.commit().await?;
    Ok(r)
}

/// Whether the database holds no organisations yet, so a first start should seed it.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_not_null())
        .count(db)
        .await?
        == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ids_are_stable() {
        assert_eq!(id_for("municipality:297"), id_for("municipality:297"));
        assert_ne!(id_for("municipality:297"), id_for("municipality:298"));
    }

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
}
