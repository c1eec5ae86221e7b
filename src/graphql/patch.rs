//! How an input's nullable fields become the domain's changes: absent leaves a field, null
//! clears it, a value sets it (checked, naming the field).

use async_graphql::{ID, MaybeUndefined};
use uuid::Uuid;

use super::inputs::{checked, id};
use crate::domain::network::Change;
use crate::domain::values::Checked;
use crate::error::ApiResult;

/// A nullable value as a change.
pub fn change<T, U: Clone + Into<T>>(value: &MaybeUndefined<U>) -> Change<T> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v.clone().into())),
    }
}

/// A nullable text as a change, checked by `check` (which may turn blank into none).
pub fn change_text(
    value: &MaybeUndefined<String>,
    check: impl Fn(&str) -> Checked<Option<String>>,
) -> ApiResult<Change<String>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(checked(check(v))?)),
    }
}

/// A nullable id as a change.
pub fn change_id(field: &str, value: &MaybeUndefined<ID>) -> ApiResult<Change<Uuid>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(Some(id(field, v)?))),
    }
}
