//! The GraphQL face of the representatives CSV: `importRepresentatives` with its per-row
//! report, and `representativesCsv`.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::Representative;
use crate::domain::representative::csv::{self, Imported, RowError};
use crate::error::ApiResult;
use crate::graphql::context::{active_date, db, parse_id, viewer, writer};
use crate::graphql::scalars::Date;

/// A problem with one cell or row of an import.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ImportRowError {
    /// Line number in the CSV, the header being line 1.
    pub line: i32,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The result of an import.
#[derive(SimpleObject)]
pub struct ImportRepresentativesPayload {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Whether the rows were written: only when every row is valid and it was not a dry run.
    pub applied: bool,
    /// Valid rows (all of them when `errors` is empty).
    pub valid_rows: i32,
    /// Persons created for names not yet known in the organisation.
    pub persons_created: i32,
    /// Every problem found; empty when the file is valid.
    pub errors: Vec<ImportRowError>,
    /// The representatives created (empty unless applied).
    pub representatives: Vec<Representative>,
}

impl From<Imported> for ImportRepresentativesPayload {
    fn from(done: Imported) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        ImportRepresentativesPayload {
            dry_run: done.dry_run,
            applied: done.applied,
            valid_rows: count(done.valid_rows),
            persons_created: count(done.persons_created),
            errors: done
                .errors
                .into_iter()
                .map(
                    |RowError {
                         line,
                         column,
                         message,
                     }| ImportRowError {
                        line,
                        column,
                        message,
                    },
                )
                .collect(),
            representatives: done
                .representatives
                .into_iter()
                .map(Representative)
                .collect(),
        }
    }
}

/// The CSV import.
#[derive(Default)]
pub struct RepresentativeCsvMutation;

#[Object]
impl RepresentativeCsvMutation {
    /// Imports an organisation's representatives from CSV (columns as in
    /// `representativesCsv`). All or nothing: any invalid row and nothing is written, every
    /// problem is reported. With `dryRun` nothing is written either way. Persons are matched
    /// by name within the organisation and created when missing.
    async fn import_representatives(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        csv: String,
        dry_run: Option<bool>,
    ) -> ApiResult<ImportRepresentativesPayload> {
        let who = writer(ctx)?;
        let org = parse_id("organisationId", &organisation_id)?;
        let dry_run = dry_run.unwrap_or(false);
        Ok(csv::import(db(ctx), who, org, &csv, dry_run).await?.into())
    }
}

/// The CSV export.
#[derive(Default)]
pub struct RepresentativeCsvQuery;

#[Object]
impl RepresentativeCsvQuery {
    /// An organisation's representatives as CSV, in the columns `importRepresentatives`
    /// reads. Internal contact details are left empty unless the caller is an admin or an
    /// editor of the person's organisation.
    async fn representatives_csv(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<String> {
        let org = parse_id("organisationId", &organisation_id)?;
        let on = active_date(active_on, include_inactive.unwrap_or(false));
        csv::export(db(ctx), org, on, viewer(ctx).principal()).await
    }
}
