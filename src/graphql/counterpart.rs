//! The GraphQL face of counterparts (vastinparit): the pair and coverage objects, the
//! `counterparts` and `coverage` queries, and the request's cache of county indexes that a
//! representative's `counterparts` field reads.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::context::{db, parse_id, today};
use super::enums::{Level, MissingSide};
use super::organisation::Organisation;
use super::reference::Topic;
use super::representative::Representative;
use super::review;
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
    /// Whether the pair rests on a stale row: some representative in it, or its person,
    /// was never confirmed or longer ago than the review period (judged at the time of
    /// the request). False when nobody is named.
    pub stale: bool,
}

impl CounterpartPair {
    /// The pair, its staleness judged at `cutoff`.
    fn new(pair: Pair, cutoff: DateTime<Utc>) -> Self {
        let complete = pair.missing().is_none();
        let stale = pair.is_stale(cutoff);
        CounterpartPair {
            municipality: Organisation(pair.municipality.into()),
            topic: Topic(pair.topic.into()),
            level: pair.level.into(),
            municipality_representatives: pair.own.into_iter().map(Representative::from).collect(),
            county_representatives: pair.county.into_iter().map(Representative::from).collect(),
            complete,
            stale,
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
    /// How many combinations rest on stale rows: someone is named, and a representative
    /// or its person was never confirmed or longer ago than the review period.
    pub stale_pairs: i32,
    /// Those combinations, in the same order, with the representatives that are stale.
    pub stale: Vec<StalePair>,
}

/// StalePair: a municipality, topic and level whose named representatives include some that
/// are stale (the representative or its person never confirmed, or longer ago than the
/// review period).
#[derive(SimpleObject, Clone)]
pub struct StalePair {
    /// The municipality.
    pub municipality: Organisation,
    /// The interface topic.
    pub topic: Topic,
    /// The level.
    pub level: Level,
    /// The representatives that are stale themselves or whose person is.
    pub stale_representatives: Vec<Representative>,
}

impl StalePair {
    fn new(pair: Pair, cutoff: DateTime<Utc>) -> Self {
        let stale_representatives = pair
            .stale_rows(cutoff)
            .into_iter()
            .map(|r| Representative::from(r.clone()))
            .collect();
        StalePair {
            municipality: Organisation(pair.municipality.into()),
            topic: Topic(pair.topic.into()),
            level: pair.level.into(),
            stale_representatives,
        }
    }
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

impl CoverageReport {
    /// The report, with the stale pairs judged at `cutoff`.
    fn new(report: Coverage, cutoff: DateTime<Utc>) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let covered = count(report.covered());
        let ratio = report.ratio();
        CoverageReport {
            stale_pairs: count(report.stale.len()),
            stale: report
                .stale
                .into_iter()
                .map(|pair| StalePair::new(pair, cutoff))
                .collect(),
            active_on: report.date.into(),
            expected: count(report.expected),
            covered,
            ratio,
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
        let cutoff = review::period(ctx).cutoff(Utc::now());
        Ok(pairs
            .into_iter()
            .map(|pair| CounterpartPair::new(pair, cutoff))
            .collect())
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
        let cutoff = review::period(ctx).cutoff(Utc::now());
        let report = service::coverage(db(ctx), cache, county, date, cutoff).await?;
        Ok(CoverageReport::new(report, cutoff))
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
