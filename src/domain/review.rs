//! Review dates: when someone last confirmed that an organisation, person, representative,
//! network or action is still true, and whether that was longer ago than the review period.
//!
//! A row is *stale* when it was never confirmed or its last confirmation is older than the
//! period (`--review-period`, default 12 months). Staleness is computed against the time of
//! the request, never stored, so a cached answer cannot keep an old verdict.
//!
//! Only a confirmation (`confirmOrganisation`, …) stamps `reviewed_at` and `reviewed_by`: an
//! edit changes some fields, and says nothing of the others. A confirmation changes nothing
//! else; it is a write like an update (the same policy, the version the client saw, the
//! version rises), audited with the operation `CONFIRM`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Months, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction};

use crate::auth::policy::Principal;
use crate::db::audit::Operation;
use crate::db::tx::{self, Record};
use crate::error::ApiResult;

/// How long a confirmation keeps a row current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewPeriod {
    /// Calendar months (a confirmation on 31 January is current until the last of July
    /// with six months).
    Months(u32),
    /// Days of 24 hours.
    Days(u32),
}

impl Default for ReviewPeriod {
    fn default() -> Self {
        ReviewPeriod::Months(12)
    }
}

impl ReviewPeriod {
    /// The oldest confirmation still current at `now`.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let earlier = match self {
            ReviewPeriod::Months(n) => now.checked_sub_months(Months::new(n)),
            ReviewPeriod::Days(n) => now.checked_sub_signed(Duration::days(i64::from(n))),
        };
        earlier.unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Whether a row confirmed at `reviewed_at` (never: `None`) is stale at `now`.
    pub fn is_stale(self, reviewed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        is_stale_at(reviewed_at, self.cutoff(now))
    }
}

/// Whether a row confirmed at `reviewed_at` is older than `cutoff` (or never confirmed).
pub fn is_stale_at(reviewed_at: Option<DateTime<Utc>>, cutoff: DateTime<Utc>) -> bool {
    reviewed_at.is_none_or(|at| at < cutoff)
}

impl FromStr for ReviewPeriod {
    type Err = String;

    /// `12 months`, `12mo`, `12m`, `1 year`, `2y`, `90 days`, `90d`; at least one day.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim().to_lowercase();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let bad = || {
            format!(
                "{text:?} is not a review period: give a number of months or days, e.g. `12 months` or `90 days`"
            )
        };
        let n: u32 = number.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(format!(
                "{text:?}: the review period must be at least one day"
            ));
        }
        match unit.trim() {
            "m" | "mo" | "month" | "months" => Ok(ReviewPeriod::Months(n)),
            "y" | "year" | "years" => n.checked_mul(12).map(ReviewPeriod::Months).ok_or_else(bad),
            "d" | "day" | "days" => Ok(ReviewPeriod::Days(n)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for ReviewPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewPeriod::Months(n) => write!(f, "{n} months"),
            ReviewPeriod::Days(n) => write!(f, "{n} days"),
        }
    }
}

/// A list filter on staleness: only stale rows (`stale`), or only current ones, at `cutoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staleness {
    pub stale: bool,
    pub cutoff: DateTime<Utc>,
}

impl Staleness {
    /// The SQL condition on a `reviewed_at` column.
    pub fn condition(self, reviewed_at: impl ColumnTrait) -> Condition {
        if self.stale {
            Condition::any()
                .add(reviewed_at.is_null())
                .add(reviewed_at.lt(self.cutoff))
        } else {
            Condition::all().add(reviewed_at.gte(self.cutoff))
        }
    }
}

/// A row with review columns.
pub trait Reviewed: Record {
    /// When it was last confirmed.
    fn reviewed_at(&self) -> Option<DateTime<Utc>>;
    /// Stamps a confirmation by `by` at `at`.
    fn stamp_review(&mut self, at: DateTime<Utc>, by: &str);
}

macro_rules! reviewed {
    ($($entity:ident),*) => {$(
        impl Reviewed for entity::$entity::Model {
            fn reviewed_at(&self) -> Option<DateTime<Utc>> {
                self.reviewed_at
            }
            fn stamp_review(&mut self, at: DateTime<Utc>, by: &str) {
                self.reviewed_at = Some(at);
                self.reviewed_by = Some(by.to_owned());
            }
        }
    )*};
}

reviewed!(organisation, person, representative, network, action);

/// Confirms a locked row whose policy and version the caller has checked: stamps the
/// review, saves (the version rises), audits it as `CONFIRM` with the row before and
/// after, and commits, which marks the data changed for the caches.
pub async fn confirm<M: Reviewed>(
    tx: DatabaseTransaction,
    who: &Principal,
    before: M,
) -> ApiResult<M> {
    let mut after = before.clone();
    after.stamp_review(Utc::now(), &who.sub);
    tx::save(tx, who, Operation::Confirm, &before, after).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_parsed_in_months_years_or_days() {
        assert_eq!("12 months".parse(), Ok(ReviewPeriod::Months(12)));
        assert_eq!("6m".parse(), Ok(ReviewPeriod::Months(6)));
        assert_eq!("18mo".parse(), Ok(ReviewPeriod::Months(18)));
        assert_eq!("1 year".parse(), Ok(ReviewPeriod::Months(12)));
        assert_eq!("90 Days".parse(), Ok(ReviewPeriod::Days(90)));
        assert_eq!("30d".parse(), Ok(ReviewPeriod::Days(30)));
    }

    #[test]
    fn a_zero_or_unitless_period_is_rejected() {
        assert!("0 days".parse::<ReviewPeriod>().is_err());
        assert!("12".parse::<ReviewPeriod>().is_err());
        assert!("months".parse::<ReviewPeriod>().is_err());
        assert!("12 weeks".parse::<ReviewPeriod>().is_err());
    }

    #[test]
    fn a_row_never_confirmed_is_stale() {
        assert!(ReviewPeriod::default().is_stale(None, Utc::now()));
    }

    #[test]
    fn a_confirmation_is_current_for_the_period_and_stale_after() {
        let now = utc("2026-11-25T12:00:00Z");
        let year = ReviewPeriod::default();
        assert!(!year.is_stale(Some(utc("2025-11-25T12:00:00Z")), now));
        assert!(year.is_stale(Some(utc("2025-11-25T11:59:59Z")), now));
        let days = ReviewPeriod::Days(30);
        assert!(!days.is_stale(Some(utc("2026-10-26T12:00:00Z")), now));
        assert!(days.is_stale(Some(utc("2026-10-26T11:59:59Z")), now));
    }

    #[test]
    fn months_are_calendar_months() {
        let cutoff = ReviewPeriod::Months(1).cutoff(utc("2026-03-31T00:00:00Z"));
        assert_eq!(cutoff, utc("2026-02-28T00:00:00Z"));
    }

    #[test]
    fn the_period_prints_as_it_is_written() {
        assert_eq!(ReviewPeriod::default().to_string(), "12 months");
        assert_eq!(ReviewPeriod::Days(90).to_string(), "90 days");
    }
}
