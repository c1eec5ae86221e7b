//! The programme face: the Agreement, Goal and Metric objects, the action filter, and the
//! programme fields of the root query.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{agreement, goal, metric};

use super::action::Action;
use super::context::{db, load_list, load_many, loaders, parse_id, parse_opt_id};
use super::enums::{ActionStatus, Language, MetricKind};
use super::localized::LocalizedText;
use super::organisation::Organisation;
use super::paging::{List, Page};
use super::review;
use super::scalars::Date;
use crate::db::loaders::{
    ActionById, ActionsOfGoal, AgreementById, GoalsOf, OrganisationById, PartiesOf,
};
use crate::domain::programme::{ActionFilter as Filter, service};
use crate::error::{ApiError, ApiResult, internal};

row_object!(
    /// See the `#[Object]` impl.
    Agreement, agreement
);

/// Agreement (sopimus) between a county and its municipalities.
#[Object]
impl Agreement {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title in the requested language, falling back to Finnish.
    async fn title(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.title_fi,
            self.0.title_sv.as_deref(),
            self.0.title_en.as_deref(),
        )
    }
    /// Every stored title: Finnish always, Swedish and English null where missing.
    async fn titles(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(
            &row.title_fi,
            row.title_sv.as_deref(),
            row.title_en.as_deref(),
        )
    }
    /// The language `title(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn title_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.title_sv.as_deref(), self.0.title_en.as_deref())
    }
    /// Purpose of the agreement.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The county that made the agreement.
    async fn county(&self, ctx: &Context<'_>) -> ApiResult<Organisation> {
        loaders(ctx)
            .load_one(OrganisationById(self.0.county_id))
            .await?
            .map(Organisation)
            .ok_or_else(|| internal("agreement without county"))
    }
    /// The parties (sopijaosapuolet): the county first, then the rest by name.
    async fn parties(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organisation>> {
        let links = loaders(ctx)
            .load_one(PartiesOf(self.0.id))
            .await?
            .unwrap_or_default();
        let mut orgs: Vec<Organisation> = load_many(
            ctx,
            links.iter().map(|l| OrganisationById(l.organisation_id)),
        )
        .await?
        .into_iter()
        .map(Organisation)
        .collect();
        let county = self.0.county_id;
        orgs.sort_by(|a, b| {
            (a.0.id != county, &a.0.name_fi, a.0.id).cmp(&(b.0.id != county, &b.0.name_fi, b.0.id))
        });
        Ok(orgs)
    }
    /// First day in force.
    async fn valid_from(&self) -> Date {
        self.0.valid_from.into()
    }
    /// Last day in force.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// The statutes the agreement rests on, one a line.
    async fn legal_basis(&self) -> Option<&str> {
        self.0.legal_basis.as_deref()
    }
    /// How the agreement was signed; null when the source does not say.
    async fn signing(&self) -> Option<Signing> {
        let a = &self.0;
        (a.signatures.is_some() || a.signed_from.is_some() || a.signed_to.is_some()).then(|| {
            Signing {
                signatures: a.signatures,
                signed_from: a.signed_from.map(Date),
                signed_to: a.signed_to.map(Date),
            }
        })
    }
    /// Who pays for the meetings of the cooperation, as the agreement words it (kokous- ja
    /// matkakulut, järjestämiskustannukset).
    async fn cost_rule(&self) -> Option<&str> {
        self.0.cost_rule.as_deref()
    }
    /// The shared goals, in the agreement's order.
    async fn goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<Goal>> {
        load_list(ctx, GoalsOf(self.0.id), Goal).await
    }
}

/// Signing: how an agreement was signed (for an electronically signed one, the signatures
/// of its cover page).
#[derive(SimpleObject, Clone)]
pub struct Signing {
    /// How many signatures the document carries.
    pub signatures: Option<i32>,
    /// The day of the first signature.
    pub signed_from: Option<Date>,
    /// The day of the last signature, when the agreement was signed by all.
    pub signed_to: Option<Date>,
}

row_object!(
    /// See the `#[Object]` impl.
    Goal, goal
);

/// Goal (tavoite): one of an agreement's shared goals.
#[Object]
impl Goal {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title in the requested language, falling back to Finnish.
    async fn title(&self, #[graphql(default)] lang: Language) -> &str {
        lang.pick(
            &self.0.title_fi,
            self.0.title_sv.as_deref(),
            self.0.title_en.as_deref(),
        )
    }
    /// Every stored title: Finnish always, Swedish and English null where missing.
    async fn titles(&self) -> LocalizedText {
        let row = &self.0;
        LocalizedText::new(
            &row.title_fi,
            row.title_sv.as_deref(),
            row.title_en.as_deref(),
        )
    }
    /// The language `title(lang:)` answers in: `lang`, or `FI` when it fell back to Finnish.
    async fn title_language(&self, #[graphql(default)] lang: Language) -> Language {
        lang.used(self.0.title_sv.as_deref(), self.0.title_en.as_deref())
    }
    /// What the goal means.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position in the agreement.
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
    /// The agreement.
    async fn agreement(&self, ctx: &Context<'_>) -> ApiResult<Agreement> {
        loaders(ctx)
            .load_one(AgreementById(self.0.agreement_id))
            .await?
            .map(Agreement)
            .ok_or_else(|| internal("goal without agreement"))
    }
    /// Actions under the goal, in the programme's order.
    async fn actions(&self, ctx: &Context<'_>) -> ApiResult<Vec<Action>> {
        load_list(ctx, ActionsOfGoal(self.0.id), Action).await
    }
}

row_object!(
    /// See the `#[Object]` impl.
    Metric, metric
);

/// Metric (mittari): how an action is followed up.
#[Object]
impl Metric {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What is measured, as written.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Yes/no, number or text.
    async fn kind(&self) -> MetricKind {
        self.0.kind.into()
    }
}

/// Which actions to list.
#[derive(InputObject, Default)]
pub struct ActionFilter {
    /// Under this goal.
    pub goal_id: Option<ID>,
    /// Of this agreement.
    pub agreement_id: Option<ID>,
    /// On this topic (slug), its sub-topics included.
    pub topic: Option<String>,
    /// In these statuses.
    pub status: Option<Vec<ActionStatus>>,
    /// Only open actions when true: planned, in progress, or not reported (status null: the
    /// programme set the action and nobody has said it is done). Only closed ones (completed,
    /// cancelled) when false.
    pub open: Option<bool>,
    /// With this organisation among the responsible ones.
    pub responsible_organisation_id: Option<ID>,
    /// Only actions whose responsibility is not assigned yet when true.
    pub unassigned: Option<bool>,
    /// Words that must all appear in the title or description, matched as `search`
    /// matches them (case, accents, Finnish endings and typos forgiven).
    pub text: Option<String>,
    /// Only actions whose status someone has reported when true, only those not reported
    /// yet (status null) when false.
    pub reported: Option<bool>,
    /// Only rows never confirmed or confirmed longer ago than the review period when true,
    /// only rows confirmed within it when false.
    pub stale: Option<bool>,
}

impl TryFrom<ActionFilter> for Filter {
    type Error = ApiError;

    fn try_from(f: ActionFilter) -> ApiResult<Filter> {
        Ok(Filter {
            goal_id: parse_opt_id("filter.goalId", &f.goal_id)?,
            agreement_id: parse_opt_id("filter.agreementId", &f.agreement_id)?,
            topic: f.topic,
            statuses: f.status.map(|s| s.into_iter().map(Into::into).collect()),
            open: f.open,
            responsible_organisation_id: parse_opt_id(
                "filter.responsibleOrganisationId",
                &f.responsible_organisation_id,
            )?,
            unassigned: f.unassigned,
            text: f.text,
            stale: None,
            reported: f.reported,
        })
    }
}

/// The programme fields of the root query.
#[derive(Default)]
pub struct ProgrammeQuery;

#[Object]
impl ProgrammeQuery {
    /// The shared goals of an agreement, or of every agreement, in order.
    async fn goals(&self, ctx: &Context<'_>, agreement_id: Option<ID>) -> ApiResult<Vec<Goal>> {
        let agreement = parse_opt_id("agreementId", &agreement_id)?;
        let rows = service::goals(db(ctx), agreement).await?;
        Ok(rows.into_iter().map(Goal::from).collect())
    }

    /// Actions of the programme, filtered; in the programme's order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActionFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<Action>> {
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let stale = review::staleness(ctx, filter.stale);
        let filter = Filter {
            stale,
            ..Filter::try_from(filter)?
        };
        let (rows, total) = service::list(db(ctx), filter, page.window()).await?;
        let rows: Vec<std::sync::Arc<_>> = rows.into_iter().map(std::sync::Arc::new).collect();
        loaders(ctx)
            .feed_many(rows.iter().map(|a| (ActionById(a.id), a.clone())))
            .await;
        Ok(page.connection(rows.into_iter().map(Action).collect(), total))
    }

    /// One action by id.
    async fn action(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Action>> {
        let id = parse_id("id", &id)?;
        Ok(service::get(db(ctx), id).await?.map(Action::from))
    }

    /// Every agreement, newest first.
    async fn agreements(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agreement>> {
        let rows = service::agreements(db(ctx)).await?;
        Ok(rows.into_iter().map(Agreement::from).collect())
    }
}
