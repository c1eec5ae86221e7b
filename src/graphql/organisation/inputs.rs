//! The inputs and payload of the organisation mutations, and their conversion into the
//! domain's values.

use super::*;

/// Creates an organisation. Counties, municipalities and other top-level organisations are
/// created by admins; editors create units under their own organisations.
#[derive(InputObject, Clone, Debug)]
pub struct CreateOrganisationInput {
    /// What kind it is.
    pub kind: OrganisationKind,
    /// The name; Finnish is required.
    pub name: LocalizedTextInput,
    /// Short name or abbreviation.
    pub short_name: Option<String>,
    /// Y-tunnus, `1234567-8`.
    pub business_id: Option<String>,
    /// Kuntanumero of a municipality.
    pub municipality_code: Option<String>,
    /// The county the organisation belongs to.
    pub county_id: Option<ID>,
    /// The organisation this is a unit of.
    pub parent_id: Option<ID>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number, Finnish (`044 123 4567`) or international (`+358 …`); stored in E.164.
    pub phone: Option<String>,
    /// Web site, an http(s) URL.
    pub website: Option<String>,
    /// Postal or visiting address.
    pub address: Option<String>,
    /// Free description.
    pub description: Option<String>,
}

impl TryFrom<CreateOrganisationInput> for NewOrganisation {
    type Error = ApiError;

    fn try_from(input: CreateOrganisationInput) -> ApiResult<Self> {
        let name = input.name.check("input.name", NAME_MAX)?;
        Ok(NewOrganisation {
            kind: input.kind.into(),
            name_fi: name.fi,
            name_sv: name.sv,
            name_en: name.en,
            business_id: opt(
                &input.business_id,
                present("input.businessId", BusinessId::parse),
            )?,
            municipality_code: opt(
                &input.municipality_code,
                present("input.municipalityCode", MunicipalityCode::parse),
            )?,
            county_id: parse_opt_id("input.countyId", &input.county_id)?,
            parent_id: parse_opt_id("input.parentId", &input.parent_id)?,
            short_name: opt(&input.short_name, opt_text("input.shortName", NAME_MAX))?,
            email: opt(&input.email, blank_is_none("input.email", Email::parse))?,
            phone: opt(&input.phone, blank_is_none("input.phone", Phone::parse))?,
            website: opt(&input.website, blank_is_none("input.website", Url::parse))?,
            address: opt(&input.address, opt_text("input.address", SHORT_MAX))?,
            description: opt(&input.description, opt_text("input.description", LONG_MAX))?,
        })
    }
}

/// Changes an organisation's own fields; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateOrganisationInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The name; Finnish is required.
    pub name: Option<LocalizedTextInput>,
    /// Short name or abbreviation.
    pub short_name: MaybeUndefined<String>,
    /// Business ID (Y-tunnus), `1234567-8`.
    pub business_id: MaybeUndefined<String>,
    /// E-mail address.
    pub email: MaybeUndefined<String>,
    /// Phone number, Finnish (`044 123 4567`) or international (`+358 …`); stored in E.164.
    pub phone: MaybeUndefined<String>,
    /// Web site, an http(s) URL.
    pub website: MaybeUndefined<String>,
    /// Postal or visiting address.
    pub address: MaybeUndefined<String>,
    /// Free description.
    pub description: MaybeUndefined<String>,
    /// The mission its strategy states; null clears.
    pub mission: MaybeUndefined<String>,
    /// The priority areas of its strategy, in order, each one line; an empty list clears.
    pub priorities: Option<Vec<String>>,
}

impl TryFrom<UpdateOrganisationInput> for OrganisationPatch {
    type Error = ApiError;

    fn try_from(input: UpdateOrganisationInput) -> ApiResult<Self> {
        let name = input
            .name
            .as_ref()
            .map(|n| n.check("input.name", NAME_MAX))
            .transpose()?;
        Ok(OrganisationPatch {
            id: parse_id("input.id", &input.id)?,
            version: input.version,
            name: name.map(|n| (n.fi, n.sv, n.en)),
            short_name: change(&input.short_name, opt_text("input.shortName", NAME_MAX))?,
            business_id: change(
                &input.business_id,
                present("input.businessId", BusinessId::parse),
            )?,
            email: change(&input.email, blank_is_none("input.email", Email::parse))?,
            phone: change(&input.phone, blank_is_none("input.phone", Phone::parse))?,
            website: change(&input.website, blank_is_none("input.website", Url::parse))?,
            address: change(&input.address, opt_text("input.address", SHORT_MAX))?,
            description: change(&input.description, opt_text("input.description", LONG_MAX))?,
            mission: change(&input.mission, opt_text("input.mission", LONG_MAX))?,
            priorities: input
                .priorities
                .as_deref()
                .map(|p| {
                    crate::graphql::inputs::checked(crate::domain::values::priorities(
                        "input.priorities",
                        p,
                        NAME_MAX,
                    ))
                })
                .transpose()?,
        })
    }
}

impl TryFrom<DeleteInput> for Deletion {
    type Error = ApiError;

    fn try_from(input: DeleteInput) -> ApiResult<Self> {
        Ok(Deletion {
            id: parse_id("input.id", &input.id)?,
            version: input.version,
            cascade: input.cascade.unwrap_or(false),
        })
    }
}

/// The organisation after a write.
#[derive(SimpleObject)]
pub struct OrganisationPayload {
    /// The row as written.
    pub organisation: Organisation,
}
