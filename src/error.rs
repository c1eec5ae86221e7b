//! The one error type of the API, and how it reaches a caller.
//!
//! Which error belongs where:
//! - Input that does not parse into a domain value: [`FieldError`] (converted to `BAD_USER_INPUT` with `extensions.field`).
//! - A service's refusal: the [`ApiError`] variant that names it (`FORBIDDEN`, `NOT_FOUND`, `CONFLICT`, …).
//! - A database that cannot be reached (pool timeout, connection refused or lost, server shutting down, an SQLite file that cannot be opened): `?` on the `DbErr` gives [`ApiError::Unavailable`], `SERVICE_UNAVAILABLE`, which the HTTP layer answers with `503` and `Retry-After`.
//! - Anything unexpected (a database error, a bug): `?` on it gives [`ApiError::Internal`], logged with its cause, shown as `INTERNAL`.
//! - async-graphql's own parse and validation errors are the only ones coded after the fact ([`finish_errors`]).

use async_graphql::ErrorExtensions;
use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};

/// A rejected input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input path, such as `input.businessId`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// The error for `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Result of parsing one input field.
pub type Checked<T> = Result<T, FieldError>;

/// Every error a service or resolver returns; the variant decides `extensions.code`.
///
/// It deliberately has no `Display`: async-graphql converts anything displayable into an
/// error without a code, so the conversion below is the only way out.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// `UNAUTHENTICATED`: the request needs a valid token.
    Unauthenticated(String),
    /// `FORBIDDEN`: the caller may not do this.
    Forbidden(String),
    /// `FORBIDDEN` because of the value of one input field, which it names (a person of
    /// another organisation named as a representative).
    ForbiddenField(FieldError),
    /// `NOT_FOUND`: the thing asked for does not exist.
    NotFound(String),
    /// `CONFLICT`: the row changed since the client read it, or other rows still need it.
    Conflict(String),
    /// `BAD_USER_INPUT` naming the argument or input field at fault.
    BadInput(FieldError),
    /// `SERVICE_UNAVAILABLE`: the database cannot be reached now; the request may be retried.
    Unavailable,
    /// `INTERNAL`: logged with its details when made, shown without them.
    Internal,
}

/// Result of a service or a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// `BAD_USER_INPUT` for `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadInput(FieldError {
            field: field.into(),
            message: message.into(),
        })
    }

    /// `INTERNAL`, logging `cause`.
    pub fn internal(cause: impl std::fmt::Debug) -> Self {
        tracing::error!(error = ?cause, "internal error");
        ApiError::Internal
    }

    /// The `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) | ApiError::ForbiddenField(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::BadInput(_) => "BAD_USER_INPUT",
            ApiError::Unavailable => "SERVICE_UNAVAILABLE",
            ApiError::Internal => "INTERNAL",
        }
    }

    /// The message a caller sees.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m) => m,
            ApiError::BadInput(e) | ApiError::ForbiddenField(e) => &e.message,
            ApiError::Unavailable => "the database cannot be reached; try again shortly",
            ApiError::Internal => "internal error",
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        ApiError::BadInput(err)
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::RecordNotFound(what) => ApiError::NotFound(what),
            other => ApiError::from(&other),
        }
    }
}

/// A batch loader's shared error.
impl From<std::sync::Arc<DbErr>> for ApiError {
    fn from(err: std::sync::Arc<DbErr>) -> Self {
        ApiError::from(&*err)
    }
}

/// `SERVICE_UNAVAILABLE` when the database cannot be reached, else `INTERNAL` (logged).
impl From<&DbErr> for ApiError {
    fn from(err: &DbErr) -> Self {
        if is_unavailable(err) {
            tracing::warn!(error = %err, "the database cannot be reached");
            ApiError::Unavailable
        } else {
            ApiError::internal(err)
        }
    }
}

/// Whether `err` says the database cannot be reached now, rather than that a statement
/// failed: the pool timed out or is closed, the connection was refused or lost, the server
/// is shutting down or starting, or an SQLite file cannot be opened, read or written.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_unavailable(e),
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                unavailable_sqlstate(pg.code())
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                db.code()
                    .and_then(|code| code.parse().ok())
                    .is_some_and(unavailable_sqlite)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs of a lost or refused connection (class 08), a server shutting
/// down or starting (57P01–57P03) and exhausted resources (class 53: disk full, out of
/// memory, too many connections).
fn unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// SQLite result codes (extended; the primary code is the low byte) of an I/O error (10), a
/// full disk (13) and a file that cannot be opened (14).
fn unavailable_sqlite(code: u32) -> bool {
    matches!(code & 0xff, 10 | 13 | 14)
}

/// Errors from async-graphql inside a resolver (a loader, a context lookup) keep their
/// code when they have one; anything else is unexpected.
impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        match code_of(&err).as_deref() {
            Some("UNAUTHENTICATED") => ApiError::Unauthenticated(err.message),
            Some("FORBIDDEN") => match field_of(&err) {
                Some(field) => forbidden_field(field, err.message),
                None => ApiError::Forbidden(err.message),
            },
            Some("NOT_FOUND") => ApiError::NotFound(err.message),
            Some("CONFLICT") => ApiError::Conflict(err.message),
            Some("SERVICE_UNAVAILABLE") => ApiError::Unavailable,
            Some("BAD_USER_INPUT") => {
                ApiError::bad_input(field_of(&err).unwrap_or_default(), err.message)
            }
            _ => ApiError::internal(err.message),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let error = async_graphql::Error::new(err.message());
        match err {
            ApiError::BadInput(FieldError { field, .. })
            | ApiError::ForbiddenField(FieldError { field, .. }) => {
                error.extend_with(move |_, ext| {
                    ext.set("code", code);
                    ext.set("field", field.as_str());
                })
            }
            _ => error.extend_with(move |_, ext| ext.set("code", code)),
        }
    }
}

/// `UNAUTHENTICATED`.
pub fn unauthenticated(message: impl Into<String>) -> ApiError {
    ApiError::Unauthenticated(message.into())
}

/// `FORBIDDEN`.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::Forbidden(message.into())
}

/// `FORBIDDEN` naming the input field whose value the caller may not use.
pub fn forbidden_field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::ForbiddenField(FieldError {
        field: field.into(),
        message: message.into(),
    })
}

/// `NOT_FOUND`.
pub fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::NotFound(message.into())
}

/// `CONFLICT`.
pub fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::Conflict(message.into())
}

/// `BAD_USER_INPUT` naming the field (`input.businessId`).
pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::bad_input(field, message)
}

/// `INTERNAL`, logging the cause.
pub fn internal(cause: impl std::fmt::Debug) -> ApiError {
    ApiError::internal(cause)
}

/// The `extensions.field` of a GraphQL error, if it has one.
fn field_of(error: &async_graphql::Error) -> Option<String> {
    match error.extensions.as_ref()?.get("field")? {
        async_graphql::Value::String(field) => Some(field.clone()),
        _ => None,
    }
}

/// The `extensions.code` of a GraphQL error, if it has one.
pub fn code_of(error: &async_graphql::Error) -> Option<String> {
    let ext = error.extensions.as_ref()?;
    match ext.get("code")? {
        async_graphql::Value::String(code) => Some(code.clone()),
        _ => None,
    }
}

/// Codes async-graphql's own errors. Errors without a path are validation errors
/// (`GRAPHQL_VALIDATION_FAILED`; syntax and limits are refused earlier, by the cost model). Errors with a path and no code are
/// arguments that did not coerce to their type (`BAD_USER_INPUT`) — async-graphql reports
/// those only as text — or something unexpected, masked as `INTERNAL`.
pub fn finish_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let ext = error.extensions.get_or_insert_with(Default::default);
        if error.path.is_empty() {
            ext.set("code", "GRAPHQL_VALIDATION_FAILED");
        } else if error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value for argument")
            || error.message.starts_with("Expected input type")
            || error.message.contains("(occurred while parsing")
        {
            ext.set("code", "BAD_USER_INPUT");
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "unexpected resolver error");
            error.message = "internal error".into();
            ext.set("code", "INTERNAL");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_name_the_field() {
        let err: async_graphql::Error = bad_input("input.email", "not an e-mail address").into();
        assert_eq!(code_of(&err).as_deref(), Some("BAD_USER_INPUT"));
        let ext = err.extensions.unwrap();
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::String("input.email".into()))
        );
    }

    #[test]
    fn internal_errors_hide_details() {
        let err: async_graphql::Error = internal("connection refused to 10.0.0.1").into();
        assert_eq!(err.message, "internal error");
        assert_eq!(code_of(&err).as_deref(), Some("INTERNAL"));
    }

    #[test]
    fn a_missing_record_is_not_found() {
        let err = ApiError::from(DbErr::RecordNotFound("no such row".into()));
        assert_eq!(err.code(), "NOT_FOUND");
    }

    #[test]
    fn an_unreachable_database_is_unavailable() {
        use sea_orm::ConnAcquireErr;
        use std::sync::Arc;
        let timeout = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert_eq!(ApiError::from(timeout).code(), "SERVICE_UNAVAILABLE");
        let refused = sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        let refused = DbErr::Conn(RuntimeErr::SqlxError(Arc::new(refused)));
        assert_eq!(ApiError::from(refused).code(), "SERVICE_UNAVAILABLE");
        let shared = Arc::new(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed));
        assert_eq!(ApiError::from(shared).code(), "SERVICE_UNAVAILABLE");
        let decode = sqlx::Error::ColumnNotFound("name".into());
        let decode = DbErr::Query(RuntimeErr::SqlxError(Arc::new(decode)));
        assert_eq!(ApiError::from(decode).code(), "INTERNAL");
        let err: async_graphql::Error = ApiError::Unavailable.into();
        assert_eq!(ApiError::from(err).code(), "SERVICE_UNAVAILABLE");
    }

    #[test]
    fn unavailable_codes() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "40001", "57014", "42P01"] {
            assert!(!unavailable_sqlstate(code), "{code}");
        }
        // SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_IOERR_FSYNC, SQLITE_FULL
        for code in [14, 10, 1034, 13] {
            assert!(unavailable_sqlite(code), "{code}");
        }
        // SQLITE_BUSY, SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_UNIQUE
        for code in [5, 19, 2067] {
            assert!(!unavailable_sqlite(code), "{code}");
        }
    }

    #[tokio::test]
    async fn an_sqlite_file_that_cannot_be_opened_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/missing/x.db?mode=ro", dir.path().display());
        let err = sea_orm::Database::connect(url).await.unwrap_err();
        assert!(is_unavailable(&err), "{err:?}");
    }

    #[test]
    fn a_forbidden_field_is_named() {
        let err: async_graphql::Error = forbidden_field("input.personId", "not yours").into();
        assert_eq!(code_of(&err).as_deref(), Some("FORBIDDEN"));
        assert_eq!(field_of(&err).as_deref(), Some("input.personId"));
        let back = ApiError::from(err);
        assert!(matches!(&back, ApiError::ForbiddenField(e) if e.field == "input.personId"));
    }

    #[test]
    fn a_coded_graphql_error_keeps_its_code() {
        let err: async_graphql::Error = forbidden("no").into();
        assert_eq!(ApiError::from(err).code(), "FORBIDDEN");
    }
}
