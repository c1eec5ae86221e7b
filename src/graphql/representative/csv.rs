//! The GraphQL face of the representatives CSV: `importRepresentatives` with its per-row
//! report, and `representativesCsv`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::Representative;
use crate::domain::representative::csv::{self, Imported, Outcome, RowError};
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

/// What an import did, or in a dry run would do, with a row.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new appointment.
    Created,
    /// An existing appointment (same person, topic, level and `valid_from`) whose role,
    /// deputy, `valid_to` or served municipalities the row changes.
    Updated,
    /// An existing appointment exactly as the row says: nothing written.
    Unchanged,
}

/// What happened with one row of an import.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportRowResult {
    /// Line number in the CSV, the header being line 1.
    pub line: i32,
    /// Created, updated or unchanged.
    pub outcome: ImportOutcome,
    /// Id of the appointment matched or created; null for a creation in a dry run.
    pub representative_id: Option<ID>,
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
    /// Persons created (in a dry run: to be created) for names not yet known in the
    /// organisation.
    pub persons_created: i32,
    /// Rows that create an appointment.
    pub created: i32,
    /// Rows that update an existing appointment.
    pub updated: i32,
    /// Rows that match an existing appointment exactly.
    pub unchanged: i32,
    /// Every problem found; empty when the file is valid.
    pub errors: Vec<ImportRowError>,
    /// What each valid row did (or, in a dry run, would do), in order; empty when the file
    /// has errors.
    pub rows: Vec<ImportRowResult>,
    /// The representatives created or updated (empty unless applied).
    pub representatives: Vec<Representative>,
}

impl From<Imported> for ImportRepresentativesPayload {
    fn from(done: Imported) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let outcomes = |o: Outcome| count(done.rows.iter().filter(|r| r.outcome == o).count());
        ImportRepresentativesPayload {
            dry_run: done.dry_run,
            applied: done.applied,
            valid_rows: count(done.valid_rows),
            persons_created: count(done.persons_created),
            created: outcomes(Outcome::Created),
            updated: outcomes(Outcome::Updated),
            unchanged: outcomes(Outcome::Unchanged),
            rows: done
                .rows
                .iter()
                .map(|r| ImportRowResult {
                    line: r.line,
                    outcome: match r.outcome {
                        Outcome::Created => ImportOutcome::Created,
                        Outcome::Updated => ImportOutcome::Updated,
                        Outcome::Unchanged => ImportOutcome::Unchanged,
                    },
                    representative_id: r.representative.map(|id| ID(id.to_string())),
                })
                .collect(),
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
                .map(Representative::from)
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
    /// problem is reported. With `dryRun` nothing is written either way, and `rows` tells
    /// what would happen. Persons are matched by name within the organisation and created
    /// when missing. A row with the person, topic, level and `valid_from` of an existing
    /// appointment updates it (role, deputy, `valid_to`, served municipalities) or leaves it
    /// unchanged, so importing an export again changes nothing.
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
