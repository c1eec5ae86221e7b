//! The network list's filter and how it becomes the domain's.

use async_graphql::{ID, InputObject};

use crate::domain::network::{Member, NetworkFilter as Filter};
use crate::domain::values::MunicipalityCode;
use crate::error::{ApiResult, bad_input};
use crate::graphql::context::active_date;
use crate::graphql::enums::{Level, NetworkKind};
use crate::graphql::inputs::{id, opt_id};
use crate::graphql::scalars::Date;

/// Which networks to list.
#[derive(InputObject, Default)]
pub struct NetworkFilter {
    /// Only these kinds.
    pub kind: Option<Vec<NetworkKind>>,
    /// Networks of this county.
    pub county_id: Option<ID>,
    /// Working on this topic (slug), its sub-topics included.
    pub topic: Option<String>,
    /// At this level.
    pub level: Option<Level>,
    /// Convened by this organisation.
    pub convener_id: Option<ID>,
    /// Where this organisation holds a seat or whose area it belongs to.
    pub member_id: Option<ID>,
    /// Where the municipality with this code holds a seat or whose area it belongs to.
    pub municipality_code: Option<String>,
    /// Working under this network.
    pub parent_id: Option<ID>,
    /// Only networks not under another network.
    pub top_level_only: Option<bool>,
    /// Existing on this day; default today.
    pub active_on: Option<Date>,
    /// List ended networks too, ignoring `activeOn`.
    pub include_inactive: Option<bool>,
    /// Words that must all appear in a name, matched as `search` matches them (case,
    /// accents, Finnish endings and typos forgiven).
    pub text: Option<String>,
    /// Only rows never confirmed or confirmed longer ago than the review period when true,
    /// only rows confirmed within it when false.
    pub stale: Option<bool>,
}

impl TryFrom<NetworkFilter> for Filter {
    type Error = crate::error::ApiError;

    fn try_from(f: NetworkFilter) -> ApiResult<Filter> {
        let member = match (&f.member_id, &f.municipality_code) {
            (Some(_), Some(_)) => {
                return Err(bad_input(
                    "filter.municipalityCode",
                    "give memberId or municipalityCode, not both",
                ));
            }
            (Some(org), None) => Some(Member::Organisation(id("filter.memberId", org)?)),
            (None, Some(code)) => Some(Member::MunicipalityCode(MunicipalityCode::parse(
                "filter.municipalityCode",
                code,
            )?)),
            (None, None) => None,
        };
        Ok(Filter {
            kinds: f.kind.map(|k| k.into_iter().map(Into::into).collect()),
            county_id: opt_id("filter.countyId", &f.county_id)?,
            topic: f.topic,
            level: f.level.map(Into::into),
            convener_id: opt_id("filter.convenerId", &f.convener_id)?,
            member,
            parent_id: opt_id("filter.parentId", &f.parent_id)?,
            top_level_only: f.top_level_only.unwrap_or(false),
            active_on: active_date(f.active_on, f.include_inactive.unwrap_or(false)),
            text: f.text,
            stale: None,
        })
    }
}
