//! Seed keys and the ids derived from them.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, ensure};
use uuid::Uuid;

/// Namespace of the UUID v5 ids derived from seed keys.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b0e_9d4a_4c61_a3f5_1e2d_7b8c_9a01);

/// Statistics Finland's code of the City of Helsinki, which organises the services a
/// wellbeing services county would, under the county code 90.
pub(super) const HELSINKI_COUNTY_CODE: &str = "90";
pub(super) const HELSINKI_MUNICIPALITY: &str = "municipality:091";

/// The id a seed row with `key` gets in every database.
pub fn id_for(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

/// Resolves keys to ids, remembering which keys exist per kind.
#[derive(Default)]
pub(super) struct Keys {
    known: HashMap<&'static str, HashSet<String>>,
}

impl Keys {
    /// Registers a new key of `kind` and returns its id; fails on a malformed or duplicate key.
    pub(super) fn add(&mut self, kind: &'static str, key: &str) -> anyhow::Result<Uuid> {
        ensure!(
            key.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-:_".contains(c)),
            "{kind} key {key:?} must be lowercase ASCII"
        );
        ensure!(
            self.known.entry(kind).or_default().insert(key.to_owned()),
            "duplicate {kind} key {key:?}"
        );
        Ok(id_for(key))
    }

    /// Makes `key` resolvable as a `kind` without giving it a row of its own (an alias).
    pub(super) fn alias(&mut self, kind: &'static str, key: &str) {
        self.known.entry(kind).or_default().insert(key.to_owned());
    }

    /// The id of an existing key of `kind`; `context` names the referring row in the error.
    pub(super) fn get(&self, kind: &'static str, key: &str, context: &str) -> anyhow::Result<Uuid> {
        match self.known.get(kind) {
            Some(keys) if keys.contains(key) => Ok(id_for(key)),
            _ => bail!("{context}: unknown {kind} {key:?}"),
        }
    }

    /// [`Keys::get`] for an optional reference.
    pub(super) fn get_opt(
        &self,
        kind: &'static str,
        key: Option<&str>,
        context: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        key.map(|k| self.get(kind, k, context)).transpose()
    }

    /// The id of an existing organisation, with `county:90` resolving to the City of Helsinki,
    /// which organises the services of that county itself.
    pub(super) fn organisation(&self, key: &str, context: &str) -> anyhow::Result<Uuid> {
        self.get("organisation", key, context)?;
        Ok(if key == format!("county:{HELSINKI_COUNTY_CODE}") {
            id_for(HELSINKI_MUNICIPALITY)
        } else {
            id_for(key)
        })
    }

    /// [`Keys::organisation`] for an optional reference.
    pub(super) fn organisation_opt(
        &self,
        key: Option<&str>,
        context: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        key.map(|k| self.organisation(k, context)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::{HELSINKI_MUNICIPALITY, Keys, id_for};

    #[test]
    fn ids_are_stable() {
        assert_eq!(id_for("municipality:297"), id_for("municipality:297"));
        assert_ne!(id_for("municipality:297"), id_for("municipality:298"));
    }

    #[test]
    fn county_90_resolves_to_the_city_of_helsinki() {
        let mut keys = Keys::default();
        keys.add("organisation", HELSINKI_MUNICIPALITY).unwrap();
        keys.alias("organisation", "county:90");
        assert_eq!(
            keys.organisation("county:90", "test").unwrap(),
            id_for(HELSINKI_MUNICIPALITY)
        );
        assert!(keys.organisation("county:99", "test").is_err());
    }
}
