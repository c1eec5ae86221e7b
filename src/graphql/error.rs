//! The errors the API returns. Every error carries `extensions.code`; input errors also
//! name the field at fault; internal errors keep their details in the logs only.

use async_graphql::{Error, ErrorExtensions};

/// Result of a resolver.
pub type ApiResult<T> = async_graphql::Result<T>;

fn coded(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

/// `UNAUTHENTICATED`: the request needs a valid token.
pub fn unauthenticated(message: impl Into<String>) -> Error {
    coded("UNAUTHENTICATED", message)
}

/// `FORBIDDEN`: the caller may not do this.
pub fn forbidden(message: impl Into<String>) -> Error {
    coded("FORBIDDEN", message)
}

/// `NOT_FOUND`: the thing asked for does not exist.
pub fn not_found(message: impl Into<String>) -> Error {
    coded("NOT_FOUND", message)
}

/// `CONFLICT`: the row changed since the client read it.
pub fn conflict(message: impl Into<String>) -> Error {
    coded("CONFLICT", message)
}

/// `BAD_USER_INPUT` naming the argument or input field at fault (`input.businessId`).
pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Error {
    let field = field.into();
    Error::new(message).extend_with(move |_, ext| {
        ext.set("code", "BAD_USER_INPUT");
        ext.set("field", field.as_str());
    })
}

/// `INTERNAL`: logged with its details, shown without them.
pub fn internal(err: impl std::fmt::Debug) -> Error {
    tracing::error!(error = ?err, "internal error in a resolver");
    coded("INTERNAL", "internal error")
}

/// The `extensions.code` of an error, if it has one.
pub fn code_of(error: &Error) -> Option<String> {
    let ext = error.extensions.as_ref()?;
    match ext.get("code")? {
        async_graphql::Value::String(code) => Some(code.clone()),
        _ => None,
    }
}

/// Gives every error of a finished response a code. Errors with a path that have none come
/// from somewhere unexpected (a database error passed up with `?`) and are masked as
/// `INTERNAL`; errors without a path are request errors (syntax, validation, limits) and
/// get `GRAPHQL_VALIDATION_FAILED`.
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
            // An argument that does not parse into its type (a date, an enum value).
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
        let err = bad_input("input.email", "not an e-mail address");
        assert_eq!(code_of(&err).as_deref(), Some("BAD_USER_INPUT"));
        let ext = err.extensions.unwrap();
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::String("input.email".into()))
        );
    }

    #[test]
    fn internal_errors_hide_details() {
        let err = internal("connection refused to 10.0.0.1");
        assert_eq!(err.message, "internal error");
        assert_eq!(code_of(&err).as_deref(), Some("INTERNAL"));
    }
}
