//! Who may write what: the whole access model in one place.
//!
//! - Anonymous callers may read public data and write nothing (`UNAUTHENTICATED`).
//! - An editor may write rows owned by the organisations its token names, units of those
//!   organisations included: an organisation's own fields, its persons, its
//!   representatives; for a county, the networks it convenes with their memberships and
//!   meetings, and the actions it is responsible for (with their progress reports).
//! - An admin may write everything and read the audit log.
//!
//! Four rules narrow what an editor may do with rows it may otherwise write:
//! - **Shared actions.** An editor of one of an action's responsible organisations may
//!   change the action and report its progress, but may change the list of responsible
//!   organisations only among those it writes for: every organisation it adds or removes
//!   must be its own (or a unit of its own), and the list may not become empty. So it may add
//!   itself and withdraw itself, never remove or add anyone else; an action it creates names
//!   only its own organisations. Sharing with others is the admin's ([`may_change_responsible`]).
//! - **Reference data.** Municipalities and wellbeing services counties are national
//!   reference data: only an admin deletes one (with or without `cascade`) or renames one
//!   ([`may_change_reference`]).
//! - **Naming persons.** An editor names as a representative, a deputy or a network seat's
//!   person or deputy only persons of organisations it writes for; another organisation's
//!   person (internal or public) or a person of no organisation is `FORBIDDEN`, naming the
//!   field ([`may_name_person`]).
//! - **Internal contact details.** The e-mail and phone of an `INTERNAL` person are shown to
//!   an admin, and to an editor only for persons of organisations it writes for; never to
//!   an anonymous caller ([`may_read_internal`]).
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

/// Whether `caller` may change an action's responsible organisations by adding `added` and
/// removing `removed` so that `remaining` are left: an admin always; an editor only when
/// each added and removed organisation is its own and some organisation remains.
pub fn may_change_responsible(
    caller: Option<&Principal>,
    added: &[Owner],
    removed: &[Owner],
    remaining: usize,
) -> Decision {
    let Some(who) = caller else {
        return Decision::Unauthenticated;
    };
    if who.role == Role::Admin {
        return Decision::Allow;
    }
    let changed = added.iter().chain(removed);
    let own = changed
        .clone()
        .all(|owner| may_write(caller, std::slice::from_ref(owner)) == Decision::Allow);
    if own && remaining > 0 {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// Whether `caller` may delete or rename an organisation, `reference` saying whether it is
/// national reference data (a municipality or a wellbeing services county): then only an
/// admin may; otherwise whoever may write it.
pub fn may_change_reference(
    caller: Option<&Principal>,
    owner: &Owner,
    reference: bool,
) -> Decision {
    if reference {
        admin_only(caller)
    } else {
        may_write(caller, std::slice::from_ref(owner))
    }
}

/// Whether `caller` may name a person of the organisations `person_owners` (empty: a person
/// of no organisation) as a representative, a deputy or a seat's holder.
pub fn may_name_person(caller: Option<&Principal>, person_owners: &[Owner]) -> Decision {
    may_write(caller, person_owners)
}

/// Whether `caller` may read the internal contact details of a person of the organisations
/// `person_owners`.
pub fn may_read_internal(caller: Option<&Principal>, person_owners: &[Owner]) -> bool {
    caller.is_some() && may_write(caller, person_owners) == Decision::Allow
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
    fn co_responsible_editors_change_only_their_own_responsibility() {
        let kuopio = Owner { chain: vec![id(1)] };
        let unit = Owner {
            chain: vec![id(2), id(1)],
        };
        let tervo = Owner { chain: vec![id(3)] };
        let me = editor(&[id(1)]);
        let may = |added: &[Owner], removed: &[Owner], left| {
            may_change_responsible(Some(&me), added, removed, left)
        };
        assert_eq!(may(&[], &[], 2), Decision::Allow, "keeping the list");
        assert_eq!(
            may(std::slice::from_ref(&unit), &[], 3),
            Decision::Allow,
            "adding its unit"
        );
        assert_eq!(
            may(&[], std::slice::from_ref(&kuopio), 1),
            Decision::Allow,
            "withdrawing"
        );
        assert_eq!(
            may(&[], std::slice::from_ref(&tervo), 1),
            Decision::Forbidden,
            "removing Tervo"
        );
        assert_eq!(
            may(std::slice::from_ref(&tervo), &[], 3),
            Decision::Forbidden,
            "adding Tervo"
        );
        assert_eq!(
            may(&[], std::slice::from_ref(&kuopio), 0),
            Decision::Forbidden,
            "leaving none"
        );
        let admin = Principal {
            role: Role::Admin,
            ..me.clone()
        };
        assert_eq!(
            may_change_responsible(
                Some(&admin),
                std::slice::from_ref(&tervo),
                std::slice::from_ref(&kuopio),
                0
            ),
            Decision::Allow
        );
        assert_eq!(
            may_change_responsible(None, &[], &[], 1),
            Decision::Unauthenticated
        );
    }

    #[test]
    fn reference_data_is_the_admins() {
        let kuopio = Owner { chain: vec![id(1)] };
        let me = editor(&[id(1)]);
        assert_eq!(
            may_change_reference(Some(&me), &kuopio, true),
            Decision::Forbidden
        );
        assert_eq!(
            may_change_reference(Some(&me), &kuopio, false),
            Decision::Allow
        );
        let admin = Principal {
            role: Role::Admin,
            ..me
        };
        assert_eq!(
            may_change_reference(Some(&admin), &kuopio, true),
            Decision::Allow
        );
        assert_eq!(
            may_change_reference(None, &kuopio, true),
            Decision::Unauthenticated
        );
    }

    #[test]
    fn persons_and_their_internal_details_are_their_organisations() {
        let kuopio = [Owner {
            chain: vec![id(2), id(1)],
        }];
        let tervo = [Owner { chain: vec![id(3)] }];
        let me = editor(&[id(1)]);
        assert_eq!(may_name_person(Some(&me), &kuopio), Decision::Allow);
        assert_eq!(may_name_person(Some(&me), &tervo), Decision::Forbidden);
        assert_eq!(may_name_person(Some(&me), &[]), Decision::Forbidden);
        assert!(may_read_internal(Some(&me), &kuopio));
        assert!(!may_read_internal(Some(&me), &tervo));
        assert!(!may_read_internal(None, &kuopio));
        let admin = Principal {
            role: Role::Admin,
            ..me
        };
        assert!(may_read_internal(Some(&admin), &tervo));
        assert!(may_read_internal(Some(&admin), &[]));
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
