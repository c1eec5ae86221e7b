//! Rows with a validity period (representatives, seats): ending one keeps its history.

use chrono::NaiveDate;
use entity::{membership, representative};
use sea_orm::DatabaseTransaction;

use crate::auth::policy::Principal;
use crate::clock::today;
use crate::db::audit::Operation;
use crate::db::tx::{self, Record};
use crate::domain::values::date_range;
use crate::error::ApiResult;

/// A row valid from a first day to an optional last day.
pub trait Validity: Record {
    /// The first day, if any.
    fn valid_from(&self) -> Option<NaiveDate>;
    /// Sets the last day.
    fn set_valid_to(&mut self, day: NaiveDate);
}

impl Validity for representative::Model {
    fn valid_from(&self) -> Option<NaiveDate> {
        self.valid_from
    }
    fn set_valid_to(&mut self, day: NaiveDate) {
        self.valid_to = Some(day);
    }
}

impl Validity for membership::Model {
    fn valid_from(&self) -> Option<NaiveDate> {
        self.valid_from
    }
    fn set_valid_to(&mut self, day: NaiveDate) {
        self.valid_to = Some(day);
    }
}

/// Ends a locked row on `valid_to` (default today), not before its first day, and saves it
/// as an `END` in the audit log: the last step of every end.
pub async fn end<M: Validity>(
    tx: DatabaseTransaction,
    who: &Principal,
    before: M,
    valid_to: Option<NaiveDate>,
) -> ApiResult<M> {
    let valid_to = valid_to.unwrap_or_else(today);
    date_range("input.validTo", before.valid_from(), Some(valid_to))?;
    let mut after = before.clone();
    after.set_valid_to(valid_to);
    tx::save(tx, who, Operation::End, &before, after).await
}
