//! The shape of the seed files under `src/seed/`. Enum-like fields hold the GraphQL enum
//! value names (`WELLBEING_COUNTY`, `INTERFACE`, …); the loader parses them into domain enums.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

/// Dates and times written either as TOML dates (`2023-11-01`) or as strings.
mod when {
    use chrono::{DateTime, FixedOffset, NaiveDate};
    use serde::{Deserialize, Deserializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Toml(toml::value::Datetime),
        Text(String),
    }

    fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Toml(t) => t.to_string(),
            Repr::Text(s) => s,
        })
    }

    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = text(d)?;
        s.parse()
            .map_err(|_| D::Error::custom(format!("{s:?} is not a date (YYYY-MM-DD)")))
    }

    pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        date(d).map(Some)
    }

    pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = text(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map_err(|_| D::Error::custom(format!("{s:?} is not an RFC 3339 time with an offset")))
    }

    pub fn opt_time<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        time(d).map(Some)
    }
}

/// `organisations.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationsFile {
    #[serde(default)]
    pub organisation: Vec<SeedOrganisation>,
    #[serde(default)]
    pub strategy: Vec<SeedStrategy>,
}

/// What an organisation's strategy says of it: its mission and priority areas. A table of
/// its own, because counties and municipalities come from the CSV files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedStrategy {
    /// key of the organisation (`county:13`)
    pub organisation: String,
    pub mission: Option<String>,
    /// priority areas in the strategy's order
    #[serde(default)]
    pub priorities: Vec<String>,
    pub source: Option<String>,
}

/// An organisation that is not a county or a municipality (those come from the CSV files).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOrganisation {
    pub key: String,
    /// `REGIONAL_COUNCIL`, `STATE_AGENCY`, `NGO`, `EDUCATIONAL_INSTITUTION`, `JOINT_AUTHORITY`,
    /// `UNIT`, `OTHER`
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub business_id: Option<String>,
    /// key of the county this organisation belongs to or works in (`county:13`)
    pub county: Option<String>,
    /// key of the organisation this one is a unit of
    pub parent: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
}

/// `topics.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicsFile {
    #[serde(default)]
    pub topic: Vec<SeedTopic>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTopic {
    /// URL-safe English slug, also the key (`health-promotion`)
    pub slug: String,
    /// `INTERFACE` or `COMMON_THEME`
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    /// slug of the parent topic
    pub parent: Option<String>,
    /// the letter a–e the document gives an interface topic
    pub code: Option<String>,
    pub sort_order: i32,
    pub source: Option<String>,
}

/// `persons.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonsFile {
    #[serde(default)]
    pub person: Vec<SeedPerson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPerson {
    pub key: String,
    pub name: String,
    pub title: Option<String>,
    /// key of the organisation the person works for
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `PUBLIC` or `INTERNAL`
    pub visibility: String,
    pub source: Option<String>,
}

/// `representatives.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepresentativesFile {
    #[serde(default)]
    pub representative: Vec<SeedRepresentative>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRepresentative {
    pub key: String,
    pub person: String,
    pub organisation: String,
    /// topic slug
    pub topic: String,
    /// `LEADERSHIP`, `INTERFACE`, `EVERYDAY`, `PARTICIPATION`
    pub level: String,
    pub role: Option<String>,
    /// person key of the deputy (varahenkilö)
    pub deputy: Option<String>,
    /// municipality keys this representative serves; empty = every municipality of the
    /// organisation's county
    #[serde(default)]
    pub serves: Vec<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_to: Option<NaiveDate>,
    pub source: Option<String>,
}

/// `networks.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworksFile {
    #[serde(default)]
    pub network: Vec<SeedNetwork>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNetwork {
    pub key: String,
    /// `FORUM`, `ADVISORY_BOARD`, `COMMITTEE`, `STEERING_GROUP`, `WORKING_GROUP`, `NETWORK`,
    /// `SERVICE_DISCUSSION`, `SERVICE_POINT`, `PREPARATORY_BODY`
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    /// topic slugs
    #[serde(default)]
    pub topics: Vec<String>,
    pub level: Option<String>,
    pub county: Option<String>,
    /// organisation key of the convener (kokoonkutsuja)
    pub convener: Option<String>,
    /// how convening works when it is not one organisation ("vuorotellen alueen kunnat")
    pub convener_note: Option<String>,
    /// person key of the responsible person
    pub responsible_person: Option<String>,
    /// the responsible role as written when no person is named ("hyvinvointialuejohtaja")
    pub responsible_role: Option<String>,
    /// key of the parent network
    pub parent: Option<String>,
    /// area key when the network works for one area
    pub area: Option<String>,
    pub cadence: Option<String>,
    /// meetings a year, when the document gives a number
    pub meetings_per_year: Option<i32>,
    pub legal_basis: Option<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_to: Option<NaiveDate>,
    pub source: Option<String>,
    #[serde(default)]
    pub membership: Vec<SeedMembership>,
    #[serde(default)]
    pub meeting: Vec<SeedMeeting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMembership {
    /// organisation key (at least one of organisation and person)
    pub organisation: Option<String>,
    pub person: Option<String>,
    pub deputy: Option<String>,
    /// `MEMBER`, `CHAIR`, `VICE_CHAIR`, `SECRETARY`, `EXPERT`, `OBSERVER`, `CONVENER`
    pub role: String,
    /// the seat as written ("kuntajohtajat", "läsnäolo- ja puheoikeus")
    pub note: Option<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMeeting {
    pub key: String,
    pub title: Option<String>,
    #[serde(deserialize_with = "when::time")]
    pub starts_at: DateTime<FixedOffset>,
    #[serde(default, deserialize_with = "when::opt_time")]
    pub ends_at: Option<DateTime<FixedOffset>>,
    pub location: Option<String>,
    pub agenda_url: Option<String>,
    pub minutes_url: Option<String>,
}

/// `areas.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreasFile {
    #[serde(default)]
    pub area: Vec<SeedArea>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedArea {
    pub key: String,
    /// `SERVICE_DISCUSSION`, `FAMILY_CENTRE`, `EMPLOYMENT`, `COOPERATION`, `OTHER`
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub county: String,
    /// municipality keys
    pub municipalities: Vec<String>,
    pub source: Option<String>,
}

/// `agreements.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementsFile {
    #[serde(default)]
    pub agreement: Vec<SeedAgreement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAgreement {
    pub key: String,
    pub title_fi: String,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub description: Option<String>,
    pub county: String,
    /// organisation keys
    pub parties: Vec<String>,
    #[serde(deserialize_with = "when::date")]
    pub valid_from: NaiveDate,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub valid_to: Option<NaiveDate>,
    /// the legal basis as the document lists it, one statute a line
    pub legal_basis: Option<String>,
    /// how many signatures the signed document carries
    pub signatures: Option<i32>,
    /// day of the first and of the last signature
    #[serde(default, deserialize_with = "when::opt_date")]
    pub signed_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    pub signed_to: Option<NaiveDate>,
    /// who pays for meetings, as the agreement words it
    pub cost_rule: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub goal: Vec<SeedGoal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGoal {
    pub key: String,
    pub title_fi: String,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub description: Option<String>,
    pub sort_order: i32,
}

/// `actions.toml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsFile {
    #[serde(default)]
    pub action: Vec<SeedAction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAction {
    pub key: String,
    /// goal key
    pub goal: String,
    /// topic slug; none for the leadership-level actions of section 3
    pub topic: Option<String>,
    pub title: String,
    pub description: Option<String>,
    /// the responsible party exactly as the document wrote it
    pub responsibility: String,
    /// organisation keys the responsibility names (empty when "Vastuu määrittelemättä")
    #[serde(default)]
    pub responsible: Vec<String>,
    #[serde(deserialize_with = "when::date")]
    pub period_start: NaiveDate,
    #[serde(deserialize_with = "when::date")]
    pub period_end: NaiveDate,
    /// `PLANNED`, `IN_PROGRESS`, `COMPLETED`, `CANCELLED`; none (not reported) when the
    /// source gives no status, as the programme tables do not
    pub status: Option<String>,
    pub sort_order: i32,
    pub source: Option<String>,
    #[serde(default)]
    pub metric: Vec<SeedMetric>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMetric {
    pub description: String,
    /// `YES_NO`, `NUMBER`, `TEXT`
    pub kind: String,
}
