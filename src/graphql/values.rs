//! How input text becomes the domain's value types: blank as none, and the three states of
//! a nullable update field (absent leaves, null clears, a value is parsed).

use async_graphql::MaybeUndefined;

use crate::error::{ApiResult, Checked};

/// A parser that reads blank text as no value.
pub fn blank_is_none<'a, T: 'a>(
    field: &'a str,
    parse: fn(&str, &str) -> Checked<T>,
) -> impl Fn(&str) -> Checked<Option<T>> + 'a {
    move |v| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            parse(field, v).map(Some)
        }
    }
}

/// A parser that requires a value, blank included.
pub fn present<'a, T: 'a>(
    field: &'a str,
    parse: fn(&str, &str) -> Checked<T>,
) -> impl Fn(&str) -> Checked<Option<T>> + 'a {
    move |v| parse(field, v).map(Some)
}

/// A nullable update field: `None` when absent, `Some(None)` when cleared.
pub fn change<T>(
    value: &MaybeUndefined<String>,
    check: impl Fn(&str) -> Checked<Option<T>>,
) -> ApiResult<Option<Option<T>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(check(v)?),
    })
}
