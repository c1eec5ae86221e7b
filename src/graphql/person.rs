//! The GraphQL face of persons: the object type, its inputs and the person mutations.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums as db;
use entity::person;

use super::context::load_opt;
use super::context::{active_date, db, load_page, parse_id, parse_opt_id, viewer, writer};
use super::enums::Visibility;
use super::inputs::deleted;
use super::inputs::{DeleteInput, DeletePayload, NAME_MAX, SHORT_MAX, checked, opt, opt_text};
use super::organisation::Organisation;
use super::paging::List;
use super::representative::Representative;
use super::review;
use super::scalars::Date;
use super::seat::NetworkMembership;
use super::values::{blank_is_none, change};
use crate::auth::policy::{self, Owner, Role};
use crate::db::loaders::{MembershipsOfPerson, OrganisationById, RepresentativesOfPerson};
use crate::domain::organisation::Deletion;
use crate::domain::person::{NewPerson, PersonPatch, service};
use crate::domain::values::{self, Email, Phone};
use crate::error::{ApiError, ApiResult};

row_object!(
    /// A person row; described on its `#[Object] impl`.
    Person, person
);

impl Person {
    /// Whether the caller sees the contact details: public ones everyone, internal ones an
    /// admin and the editors of the person's organisation ([`policy::may_read_internal`]).
    async fn contact_visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        if self.0.visibility == db::Visibility::Public {
            return Ok(true);
        }
        let who = viewer(ctx).principal();
        let mut chain = Vec::new();
        if who.is_some_and(|p| p.role == Role::Editor) {
            let mut next = self.0.organisation_id;
            while let Some(org) = next.filter(|o| !chain.contains(o) && chain.len() < 8) {
                chain.push(org);
                next = load_opt(ctx, Some(OrganisationById(org)))
                    .await?
                    .and_then(|o| o.parent_id);
            }
        }
        let owners = if chain.is_empty() {
            vec![]
        } else {
            vec![Owner { chain }]
        };
        Ok(policy::may_read_internal(who, &owners))
    }
}

/// Person: someone named as a representative, coordinator or network member. E-mail and
/// phone of `INTERNAL` persons are shown only to admins and to editors of the person's
/// organisation (or an organisation above it); anonymous callers get null.
#[Object]
impl Person {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Job title as the person's organisation writes it.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The organisation the person works for.
    async fn organisation(&self, ctx: &Context<'_>) -> ApiResult<Option<Organisation>> {
        Ok(load_opt(ctx, self.0.organisation_id.map(OrganisationById))
            .await?
            .map(Organisation))
    }
    /// E-mail address; when the visibility is `INTERNAL`, null unless the caller is an
    /// admin or an editor of the person's organisation.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(self
            .contact_visible(ctx)
            .await?
            .then_some(self.0.email.as_deref())
            .flatten())
    }
    /// Phone number; when the visibility is `INTERNAL`, null unless the caller is an admin
    /// or an editor of the person's organisation.
    async fn phone(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(self
            .contact_visible(ctx)
            .await?
            .then_some(self.0.phone.as_deref())
            .flatten())
    }
    /// Who may see the contact details.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// Representative roles of the person, valid on `activeOn` (default today) unless
    /// `includeInactive` asks for the whole history.
    async fn representatives(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Representative>> {
        let key = RepresentativesOfPerson(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        load_page(ctx, key, first, after, Representative).await
    }
    /// Network seats of the person, valid on `activeOn` (default today) unless
    /// `includeInactive` asks for the whole history.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<NetworkMembership>> {
        let key = MembershipsOfPerson(
            self.0.id,
            active_date(active_on, include_inactive.unwrap_or(false)),
        );
        load_page(ctx, key, first, after, NetworkMembership).await
    }
    /// Version to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When someone last confirmed that the person is still true (`confirmPerson`); null if never.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    /// Who confirmed it last: the subject (`sub`) of their token.
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    /// Whether it was never confirmed, or longer ago than the review period (12 months
    /// unless configured otherwise), at the time of the request.
    async fn stale(&self, ctx: &Context<'_>) -> bool {
        review::stale(ctx, self.0.reviewed_at)
    }
}

/// Creates a person.
#[derive(InputObject, Clone, Debug)]
pub struct CreatePersonInput {
    /// The name; Finnish is required.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// The organisation the person works for; it owns the person's data.
    pub organisation_id: ID,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number, Finnish (`044 123 4567`) or international (`+358 …`); stored in E.164.
    pub phone: Option<String>,
    /// Default `PUBLIC`.
    pub visibility: Option<Visibility>,
}

impl TryFrom<CreatePersonInput> for NewPerson {
    type Error = ApiError;

    fn try_from(input: CreatePersonInput) -> ApiResult<Self> {
        Ok(NewPerson {
            name: checked(values::required("input.name", &input.name, NAME_MAX))?,
            organisation_id: parse_id("input.organisationId", &input.organisation_id)?,
            title: opt(&input.title, opt_text("input.title", SHORT_MAX))?,
            email: opt(&input.email, blank_is_none("input.email", Email::parse))?,
            phone: opt(&input.phone, blank_is_none("input.phone", Phone::parse))?,
            visibility: input
                .visibility
                .map(Into::into)
                .unwrap_or(db::Visibility::Public),
        })
    }
}

/// Changes a person; absent fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdatePersonInput {
    /// The row to change.
    pub id: ID,
    /// The version the client last read.
    pub version: i32,
    /// The name; Finnish is required.
    pub name: Option<String>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// The organisation.
    pub organisation_id: Option<ID>,
    /// E-mail address.
    pub email: MaybeUndefined<String>,
    /// Phone number, Finnish (`044 123 4567`) or international (`+358 …`); stored in E.164.
    pub phone: MaybeUndefined<String>,
    /// Who may see the contact details.
    pub visibility: Option<Visibility>,
}

impl TryFrom<UpdatePersonInput> for PersonPatch {
    type Error = ApiError;

    fn try_from(input: UpdatePersonInput) -> ApiResult<Self> {
        Ok(PersonPatch {
            id: parse_id("input.id", &input.id)?,
            version: input.version,
            name: input
                .name
                .as_deref()
                .map(|n| checked(values::required("input.name", n, NAME_MAX)))
                .transpose()?,
            title: change(&input.title, opt_text("input.title", SHORT_MAX))?,
            organisation_id: parse_opt_id("input.organisationId", &input.organisation_id)?,
            email: change(&input.email, blank_is_none("input.email", Email::parse))?,
            phone: change(&input.phone, blank_is_none("input.phone", Phone::parse))?,
            visibility: input.visibility.map(Into::into),
        })
    }
}

/// The person after a write.
#[derive(SimpleObject)]
pub struct PersonPayload {
    /// The row as written.
    pub person: Person,
}

/// The person mutations.
#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// Creates a person working for an organisation.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonInput,
    ) -> ApiResult<PersonPayload> {
        let who = writer(ctx)?;
        let new = NewPerson::try_from(input)?;
        let created = service::create(db(ctx), who, new).await?;
        Ok(PersonPayload {
            person: Person(created.into()),
        })
    }

    /// Changes a person.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonInput,
    ) -> ApiResult<PersonPayload> {
        let who = writer(ctx)?;
        let patch = PersonPatch::try_from(input)?;
        let updated = service::update(db(ctx), who, patch).await?;
        Ok(PersonPayload {
            person: Person(updated.into()),
        })
    }

    /// Deletes a person. Refused while the person is a representative, deputy, seat holder
    /// or responsible person, unless `cascade` removes those roles.
    async fn delete_person(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<DeletePayload> {
        let who = writer(ctx)?;
        let deletion = Deletion::try_from(input)?;
        let removed = service::delete(db(ctx), who, deletion).await?;
        Ok(deleted(deletion.id, removed))
    }
}
