//! Organisations: counties, municipalities, their units and the other parties.

pub mod cascade;
pub mod service;

use entity::enums::OrganisationKind;
use uuid::Uuid;

use crate::domain::values::{BusinessId, Email, MunicipalityCode, Phone, Url};

crate::versioned!(organisation, "Organisation", "organisation", searchable);

/// Whether an organisation of `kind` is national reference data (the municipalities and
/// the wellbeing services counties, Helsinki among them): only an admin deletes or renames
/// one.
pub fn is_reference(kind: OrganisationKind) -> bool {
    matches!(
        kind,
        OrganisationKind::Municipality | OrganisationKind::WellbeingCounty
    )
}

/// An organisation to create, its fields checked.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub business_id: Option<BusinessId>,
    pub municipality_code: Option<MunicipalityCode>,
    pub county_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub website: Option<Url>,
    pub address: Option<String>,
    pub description: Option<String>,
}

/// Changes to an organisation's own fields at the version the caller read. `None` leaves a
/// field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub id: Uuid,
    pub version: i32,
    /// Finnish, Swedish and English names, replaced together.
    pub name: Option<(String, Option<String>, Option<String>)>,
    pub short_name: Option<Option<String>>,
    pub business_id: Option<Option<BusinessId>>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<Phone>>,
    pub website: Option<Option<Url>>,
    pub address: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub mission: Option<Option<String>>,
    /// The priority areas one a line; `Some(None)` clears them.
    pub priorities: Option<Option<String>>,
}

/// Which organisations to list; every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Only these kinds.
    pub kinds: Option<Vec<OrganisationKind>>,
    /// Only organisations in this county (the county itself excluded).
    pub county_id: Option<Uuid>,
    /// Only the organisation with this municipality code.
    pub municipality_code: Option<MunicipalityCode>,
    /// Only units of this organisation.
    pub parent_id: Option<Uuid>,
    /// Words that must all appear in a name.
    pub text: Option<String>,
    /// Only stale (never confirmed, or longer ago than the review period) rows when
    /// `stale` is true, only current ones when false.
    pub stale: Option<crate::domain::review::Staleness>,
}

/// The order of an organisation list; ties are broken by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrganisationOrder {
    #[default]
    Name,
    MunicipalityCode,
    Kind,
}

/// How one organisation is looked up.
#[derive(Debug, Clone)]
pub enum OrganisationKey {
    Id(Uuid),
    BusinessId(String),
    MunicipalityCode(MunicipalityCode),
}

/// A delete at the version the caller read; `cascade` also removes what refers to the row.
#[derive(Debug, Clone, Copy)]
pub struct Deletion {
    pub id: Uuid,
    pub version: i32,
    pub cascade: bool,
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
