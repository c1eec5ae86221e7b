//! Who may write what: the whole access model in one place.
//!
//! - Anonymous callers may read public data and write nothing (`UNAUTHENTICATED`).
//! - An editor may write rows owned by the organisations its token names, units of those
//!   organisations included: an organisation's own fields, its persons, its
//!   representatives; for a county, the networks it convenes with their memberships and
//!   meetings, and the actions it is responsible for (with their progress reports).
//! - An admin may write everything and read the audit log.
//!
//! Resolvers describe what a write touches as the owning organisations, each with its chain
//! of parents ([`Owner`]); this module decides.

use uuid::Uuid;

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes its own organisations' data.
    Editor,
    /// Writes everything and reads the audit log.
    Admin,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Subject of the token: who is writing (kept in the audit log).
    pub sub: String,
    /// Display name, when the token has one.
    pub name: Option<String>,
    /// What the caller may do.
    pub role: Role,
    /// Organisations an editor may write for.
    pub orgs: Vec<Uuid>,
}

/// An organisation owning a row, with its parents up to the top (`[unit, …, organisation]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub chain: Vec<Uuid>,
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// No token: sign in first.
    Unauthenticated,
    /// Valid token, not allowed.
    Forbidden,
}

/// Whether `caller` may write a row owned by any of `owners`. A row without owners (an
/// organisation-less person, a network nobody convenes) is the admin's.
pub fn may_write(caller: Option<&Principal>, owners: &[Owner]) -> Decision {
    let Some(caller) = caller else {
        return Decision::Unauthenticated;
    };
    match caller.role {
        Role::Admin => Decision::Allow,
        Role::Editor => {
            let owns = owners
                .iter()
                .any(|owner| owner.chain.iter().any(|org| caller.orgs.contains(org)));
            if owns {
                Decision::Allow
            } else {
                Decision::Forbidden
            }
        }
    }
}

/// Whether `caller` may write a row that must be owned by all of `owners` at once, e.g. an
/// update that moves a representative from one organisation to another.
pub fn may_write_all(caller: Option<&Principal>, owners: &[Owner]) -> Decision {
    for owner in owners {
        let decision = may_write(caller, std::slice::from_ref(owner));
        if decision != Decision::Allow {
            return decision;
        }
    }
    may_write(caller, owners)
}

/// Whether `caller` may do what only admins may: create top-level organisations, read the
/// audit log.
pub fn admin_only(caller: Option<&Principal>) -> Decision {
    match caller {
        None => Decision::Unauthenticated,
        Some(p) if p.role == Role::Admin => Decision::Allow,
        Some(_) => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn editor(orgs: &[Uuid]) -> Principal {
        Principal {
            sub: "integrator".into(),
            name: None,
            role: Role::Editor,
            orgs: orgs.to_vec(),
        }
    }

    #[test]
    fn anonymous_writes_nothing() {
        let owner = Owner { chain: vec![id(1)] };
        assert_eq!(may_write(None, &[owner]), Decision::Unauthenticated);
        assert_eq!(admin_only(None), Decision::Unauthenticated);
    }

    #[test]
    fn editors_write_their_own_and_their_units() {
        let kuopio = id(1);
        let unit = id(2);
        let tervo = id(3);
        let me = editor(&[kuopio]);
        assert_eq!(
            may_write(
                Some(&me),
                &[Owner {
                    chain: vec![kuopio]
                }]
            ),
            Decision::Allow
        );
        assert_eq!(
            may_write(
                Some(&me),
                &[Owner {
                    chain: vec![unit, kuopio]
                }]
            ),
            Decision::Allow
        );
        assert_eq!(
            may_write(Some(&me), &[Owner { chain: vec![tervo] }]),
            Decision::Forbidden
        );
        assert_eq!(may_write(Some(&me), &[]), Decision::Forbidden);
        // Shared responsibility: any owner will do; a move needs both.
        let both = [
            Owner { chain: vec![tervo] },
            Owner {
                chain: vec![kuopio],
            },
        ];
        assert_eq!(may_write(Some(&me), &both), Decision::Allow);
        assert_eq!(may_write_all(Some(&me), &both), Decision::Forbidden);
        assert_eq!(admin_only(Some(&me)), Decision::Forbidden);
    }

    #[test]
    fn admins_write_everything() {
        let admin = Principal {
            role: Role::Admin,
            ..editor(&[])
        };
        assert_eq!(may_write(Some(&admin), &[]), Decision::Allow);
        assert_eq!(
            may_write_all(Some(&admin), &[Owner { chain: vec![id(9)] }]),
            Decision::Allow
        );
        assert_eq!(admin_only(Some(&admin)), Decision::Allow);
    }
}
