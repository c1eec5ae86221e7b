//! Writing an organisation's representatives as CSV.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::{Level, Visibility};
use entity::{organisation, person, representative, representative_municipality, topic};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::CSV_COLUMNS;
use crate::auth::owners::owned_by;
use crate::auth::policy::{self, Principal};
use crate::db::loaders::valid_on;
use crate::error::{ApiResult, internal};

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Leadership => "LEADERSHIP",
        Level::Interface => "INTERFACE",
        Level::Everyday => "EVERYDAY",
        Level::Participation => "PARTICIPATION",
    }
}

/// What an export reads besides the representatives.
struct Related {
    persons: HashMap<Uuid, person::Model>,
    topics: HashMap<Uuid, String>,
    links: Vec<representative_municipality::Model>,
    codes: HashMap<Uuid, String>,
}

/// An organisation's representatives as CSV in the columns [`import`](super::import) reads, valid on
/// `valid_on` (none: all of them). Internal contact details are left empty unless `who` may
/// read them ([`policy::may_read_internal`]: an admin, or an editor of the person's
/// organisation).
pub async fn export<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    valid_on_day: Option<NaiveDate>,
    who: Option<&Principal>,
) -> ApiResult<String> {
    let mut query =
        representative::Entity::find().filter(representative::Column::OrganisationId.eq(org));
    if let Some(date) = valid_on_day {
        query = query.filter(valid_on(
            representative::Column::ValidFrom,
            representative::Column::ValidTo,
            date,
        ));
    }
    let reps = query
        .order_by_asc(representative::Column::TopicId)
        .order_by_asc(representative::Column::Level)
        .order_by_asc(representative::Column::Id)
        .all(db)
        .await?;
    let related = related(db, &reps).await?;
    let readable = readable_internal(db, who, &related).await?;
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_COLUMNS).map_err(internal)?;
    for rep in &reps {
        let authorised = readable.contains(&rep.person_id);
        if let Some(record) = record_of(rep, &related, authorised) {
            out.write_record(record).map_err(internal)?;
        }
    }
    let bytes = out.into_inner().map_err(internal)?;
    String::from_utf8(bytes).map_err(internal)
}

/// The internal persons among `related` whose contact details `who` may read.
async fn readable_internal<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
    related: &Related,
) -> ApiResult<HashSet<Uuid>> {
    let mut by_org: HashMap<Option<Uuid>, bool> = HashMap::new();
    let mut readable = HashSet::new();
    let Some(caller) = who else {
        return Ok(readable);
    };
    for person in related.persons.values() {
        if person.visibility != Visibility::Internal {
            continue;
        }
        let org = person.organisation_id;
        let may = match by_org.get(&org) {
            Some(may) => *may,
            None => {
                let owners = owned_by(db, org).await?;
                let may = policy::may_read_internal(Some(caller), &owners);
                by_org.insert(org, may);
                may
            }
        };
        if may {
            readable.insert(person.id);
        }
    }
    Ok(readable)
}

/// The persons, topics, served municipalities and their codes of `reps`.
async fn related<C: ConnectionTrait>(db: &C, reps: &[representative::Model]) -> ApiResult<Related> {
    let person_ids = reps.iter().flat_map(|r| [Some(r.person_id), r.deputy_id]);
    let persons = person::Entity::find()
        .filter(person::Column::Id.is_in(person_ids.flatten()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let topics = topic::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let links = representative_municipality::Entity::find()
        .filter(
            representative_municipality::Column::RepresentativeId.is_in(reps.iter().map(|r| r.id)),
        )
        .all(db)
        .await?;
    let codes = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(links.iter().map(|l| l.municipality_id)))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| o.municipality_code.map(|c| (o.id, c)))
        .collect();
    Ok(Related {
        persons,
        topics,
        links,
        codes,
    })
}

/// One representative's CSV record; none when its person is gone.
fn record_of(
    rep: &representative::Model,
    related: &Related,
    authenticated: bool,
) -> Option<[String; 12]> {
    let person = related.persons.get(&rep.person_id)?;
    let public = person.visibility == Visibility::Public;
    let contact = |value: &Option<String>| match authenticated || public {
        true => value.clone().unwrap_or_default(),
        false => String::new(),
    };
    let mut served: Vec<&str> = related
        .links
        .iter()
        .filter(|l| l.representative_id == rep.id)
        .filter_map(|l| related.codes.get(&l.municipality_id).map(String::as_str))
        .collect();
    served.sort_unstable();
    let deputy = rep.deputy_id.and_then(|d| related.persons.get(&d));
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Some([
        person.name.clone(),
        person.title.clone().unwrap_or_default(),
        contact(&person.email),
        contact(&person.phone),
        if public { "PUBLIC" } else { "INTERNAL" }.to_owned(),
        related
            .topics
            .get(&rep.topic_id)
            .cloned()
            .unwrap_or_default(),
        level_name(rep.level).to_owned(),
        rep.role.clone().unwrap_or_default(),
        deputy.map(|p| p.name.clone()).unwrap_or_default(),
        served.join(";"),
        day(rep.valid_from),
        day(rep.valid_to),
    ])
}
