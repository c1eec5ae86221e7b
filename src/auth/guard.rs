//! The checks a resolver starts with: who is calling, and the policy's answer as an error.

use async_graphql::Context;

use super::policy::{Decision, Principal};
use crate::error::{ApiResult, forbidden, unauthenticated};

/// Who is calling: a verified token's principal, or nobody.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<Principal>);

impl Viewer {
    /// Whether the request carries a verified token.
    pub fn authenticated(&self) -> bool {
        self.0.is_some()
    }

    /// The principal, if any.
    pub fn principal(&self) -> Option<&Principal> {
        self.0.as_ref()
    }
}

/// The caller of the request.
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    static ANONYMOUS: Viewer = Viewer(None);
    ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
}

/// The authenticated caller, or `UNAUTHENTICATED`: the guard of every mutation.
pub fn writer<'a>(ctx: &Context<'a>) -> ApiResult<&'a Principal> {
    viewer(ctx)
        .principal()
        .ok_or_else(|| unauthenticated("mutations need an Authorization: Bearer token"))
}

/// Turns a policy decision into an error.
pub fn enforce(decision: Decision, what: &str) -> ApiResult<()> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Unauthenticated => Err(unauthenticated(
            "mutations need an Authorization: Bearer token",
        )),
        Decision::Forbidden => Err(forbidden(format!(
            "your token does not allow writing {what}"
        ))),
    }
}
