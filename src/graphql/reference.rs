//! The GraphQL face of the reference data: topics and areas, and their root fields.

use async_graphql::{Context, ID, Object};
use entity::{area, topic};

use super::context::load_opt;
use super::context::{db, load_list, load_many, loaders, parse_opt_id};
use super::enums::{AreaKind, Language, TopicKind};
use super::localized::LocalizedText;
use super::organisation::Organisation;
use crate::db::loaders::{MunicipalitiesOfArea, OrganisationById, TopicById, TopicChildren};
use crate::domain::reference::service;
use crate::error::{ApiResult, internal};

row_object!(
    /// A topic row; described on its `#[Object] impl`.
    Topic, topic
);

/// Topic: an interface area of the agreement (yhdyspinta a–e), one of its sub-themes, or a
/// common theme.
#[Object]
impl Topic {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable English identifier used in arguments (`employment`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name in the requested language, falling back to Finnish.
    async fn name(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.name_fi,
            self.0.name_sv.as_deref(),
            self.0.name_en.as_deref(),
        )
    }
    /// Every stored name: Finnish always, Swedish and English null where missing.
    async fn names(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(&row.name_fi, row.name_sv.as_deref(), row.name_en.as_deref())
    }
    /// The language `name(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn name_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.name_sv.as_deref(), self.0.name_en.as_deref())
    }
    /// Interface area or common theme.
    async fn kind(&self) -> TopicKind {
        self.0.kind.into()
    }
    /// The letter the agreement gives an interface area (a–e).
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    /// What the topic covers.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The broader topic.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Topic>> {
        Ok(load_opt(ctx, self.0.parent_id.map(TopicById))
            .await?
            .map(Topic))
    }
    /// Narrower topics, in the agreement's order.
    async fn children(&self, ctx: &Context<'_>) -> ApiResult<Vec<Topic>> {
        load_list(ctx, TopicChildren(self.0.id), Topic).await
    }
    /// Position in the agreement's order.
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
}

row_object!(
    /// An area row; described on its `#[Object] impl`.
    Area, area
);

/// Area: a named group of municipalities inside a county (palvelukeskustelualue,
/// perhekeskusalue, TYP-alue).
#[Object]
impl Area {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name in the requested language, falling back to Finnish.
    async fn name(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.name_fi,
            self.0.name_sv.as_deref(),
            self.0.name_en.as_deref(),
        )
    }
    /// Every stored name: Finnish always, Swedish and English null where missing.
    async fn names(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(&row.name_fi, row.name_sv.as_deref(), row.name_en.as_deref())
    }
    /// The language `name(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn name_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.name_sv.as_deref(), self.0.name_en.as_deref())
    }
    /// What the area groups municipalities for.
    async fn kind(&self) -> AreaKind {
        self.0.kind.into()
    }
    /// Free description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The county the area is in.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Organisation> {
        loaders(ctx)
            .load_one(OrganisationById(self.0.county_id))
            .await?
            .map(Organisation)
            .ok_or_else(|| internal("area without county"))
    }
    /// Member municipalities, by municipality code.
    async fn municipalities(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let links = loaders(ctx)
            .load_one(MunicipalitiesOfArea(self.0.id))
            .await?
            .unwrap_or_default();
        let mut orgs: Vec<Organisation> = load_many(
            ctx,
            links.iter().map(|l| OrganisationById(l.municipality_id)),
        )
        .await?
        .into_iter()
        .map(Organisation)
        .collect();
        orgs.sort_by(|a, b| a.0.municipality_code.cmp(&b.0.municipality_code));
        Ok(orgs)
    }
}

/// The reference data's root fields.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// Every topic: the interface areas a–e with their sub-themes, then the common themes.
    async fn topics(&self, ctx: &Context<'_>, kind: Option<TopicKind>) -> ApiResult<Vec<Topic>> {
        let rows = service::topics(db(ctx), kind.map(Into::into)).await?;
        Ok(rows.into_iter().map(Topic::from).collect())
    }

    /// One topic by its slug (`employment`).
    async fn topic(&self, ctx: &Context<'_>, slug: String) -> ApiResult<Option<Topic>> {
        Ok(service::topic(db(ctx), &slug).await?.map(Topic::from))
    }

    /// Areas, by county and kind; ordered by name.
    async fn areas(
        &self,
        ctx: &Context<'_>,
        county_id: Option<ID>,
        kind: Option<AreaKind>,
    ) -> ApiResult<Vec<Area>> {
        let county = parse_opt_id("countyId", &county_id)?;
        let rows = service::areas(db(ctx), county, kind.map(Into::into)).await?;
        Ok(rows.into_iter().map(Area::from).collect())
    }
}
