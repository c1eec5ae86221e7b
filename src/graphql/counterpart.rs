//! The GraphQL face of counterparts (vastinparit): the pair and coverage objects, the
//! `counterparts` and `coverage` queries, and the request's cache of county indexes that a
//! representative's `counterparts` field reads.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::context::{db, parse_id, today};
use super::enums::{Level, MissingSide};
use super::organisation::Organisation;
use super::reference::Topic;
use super::representative::Representative;
use super::scalars::Date;
use crate::domain::counterpart::cache::IndexCache;
use crate::domain::counterpart::{CountyIndex, Coverage, Missing, Pair, service};
use crate::domain::values::MunicipalityCode;
use crate::error::{ApiResult, not_found};

/// CounterpartPair: for one municipality, topic and level, the municipality's own
/// representatives and the county's (and regional council's) representatives serving it.
#[derive(SimpleObject, Clone)]
pub struct CounterpartPair {
    /// The municipality.
    pub municipality: Organisation,
    /// The interface topic.
    pub topic: Topic,
    /// The level.
    pub level: Level,
    /// Representatives the municipality has named.
    pub municipality_representatives: Vec<Representative>,
    /// Representatives of the county or the regional council who serve the municipality.
    pub county_representatives: Vec<Representative>,
    /// Whether both sides have named someone.
    pub complete: bool,
}

impl From<Pair> for CounterpartPair {
    fn from(pair: Pair) -> Self {
        let complete = pair.missing().is_none();
        CounterpartPair {
            municipality: Organisation(pair.municipality.into()),
            topic: Topic(pair.topic.into()),
            level: pair.level.into(),
            municipality_representatives: pair.own.into_iter().map(Representative::from).collect(),
            county_representatives: pair.county.into_iter().map(Representative::from).collect(),
            complete,
        }
    }
}

/// CoverageGap: a municipality, topic and level where a side has named nobody.
#[derive(SimpleObject, Clone)]
pub struct CoverageGap {
    /// The municipality.
    pub municipality: Organisation,
    /// The interface topic.
    pub topic: Topic,
    /// The level.
    pub level: Level,
    /// Which side has named nobody.
    pub missing: MissingSide,
}

/// CoverageReport: the agreement's promise of a counterpart for every municipality,
/// interface topic and level, checked.
#[derive(SimpleObject, Clone)]
pub struct CoverageReport {
    /// The county.
    pub county: Organisation,
    /// The day checked.
    pub active_on: Date,
    /// Municipalities × interface topics × levels.
    pub expected: i32,
    /// Combinations where both sides have named someone.
    pub covered: i32,
    /// `covered / expected`, 0 when nothing is expected.
    pub ratio: f64,
    /// The combinations not covered, by municipality code, topic order and level.
    pub gaps: Vec<CoverageGap>,
}

impl From<Missing> for MissingSide {
    fn from(missing: Missing) -> Self {
        match missing {
            Missing::Municipality => MissingSide::Municipality,
            Missing::County => MissingSide::County,
            Missing::Both => MissingSide::Both,
        }
    }
}

impl From<Coverage> for CoverageReport {
    fn from(report: Coverage) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        CoverageReport {
            active_on: report.date.into(),
            expected: count(report.expected),
            covered: count(report.covered()),
            ratio: report.ratio(),
            gaps: report
                .gaps
                .into_iter()
                .map(|(pair, missing)| CoverageGap {
                    municipality: Organisation(pair.municipality.into()),
                    topic: Topic(pair.topic.into()),
                    level: pair.level.into(),
                    missing: missing.into(),
                })
                .collect(),
            county: Organisation(report.county.into()),
        }
    }
}

/// The counterpart lookups.
#[derive(Default)]
pub struct CounterpartQuery;

#[Object]
impl CounterpartQuery {
    /// The counterpart lookup: for a municipality, each interface topic (or the one given,
    /// with its sub-topics) × level (or the one given), its own representatives and the
    /// county's and regional council's representatives who serve it, valid on `activeOn`
    /// (default today).
    async fn counterparts(
        &self,
        ctx: &Context<'_>,
        municipality_code: String,
        topic: Option<String>,
        level: Option<Level>,
        active_on: Option<Date>,
    ) -> ApiResult<Vec<CounterpartPair>> {
        let code = MunicipalityCode::parse("municipalityCode", &municipality_code)?;
        let date = active_on.map(|d| d.0).unwrap_or_else(today);
        let pairs = service::counterparts(
            db(ctx),
            ctx.data_unchecked::<IndexCache>(),
            &code,
            topic.as_deref(),
            level.map(Into::into),
            date,
        )
        .await?;
        Ok(pairs.into_iter().map(CounterpartPair::from).collect())
    }

    /// The agreement's promise made checkable for a county (or Helsinki): every
    /// municipality × interface topic × level, whether both sides have named someone on
    /// `activeOn` (default today), with the gaps listed.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        county_id: ID,
        active_on: Option<Date>,
    ) -> ApiResult<CoverageReport> {
        let county = parse_id("countyId", &county_id)?;
        let date = active_on.map(|d| d.0).unwrap_or_else(today);
        let cache = ctx.data_unchecked::<IndexCache>();
        Ok(service::coverage(db(ctx), cache, county, date)
            .await?
            .into())
    }
}

/// The index of a county for a day, from the process's cache of county indexes (read
/// once while the data stays the same).
pub async fn county_index(
    ctx: &Context<'_>,
    county: Uuid,
    date: NaiveDate,
) -> ApiResult<Arc<CountyIndex>> {
    ctx.data_unchecked::<IndexCache>()
        .index(county, date, || {
            service::county_index(db(ctx), county, date)
        })
        .await?
        .ok_or_else(|| not_found(format!("no county or municipality with id {county}")))
}
