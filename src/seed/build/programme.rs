//! The programme: cooperation agreements with their parties and goals, and the actions
//! towards the goals with their responsible organisations and metrics.

use anyhow::{Context, ensure};
use entity::{action, action_organisation, agreement, agreement_party, goal, metric};
use uuid::Uuid;

use super::{Builder, check_dates, parse_enum, parse_enum_opt, parse_toml};
use crate::domain::search::Searchable;
use crate::seed::files::{ActionsFile, AgreementsFile, SeedAction, SeedAgreement, SeedMetric};
use crate::seed::keys::id_for;

const AGREEMENTS: &str = include_str!("../agreements.toml");
const ACTIONS: &str = include_str!("../actions.toml");

impl Builder {
    /// Agreements with their parties and goals.
    pub(super) fn agreements(&mut self) -> anyhow::Result<()> {
        let file: AgreementsFile = parse_toml("agreements.toml", AGREEMENTS)?;
        for agreement in file.agreement {
            self.agreement(agreement)?;
        }
        Ok(())
    }

    fn agreement(&mut self, agreement: SeedAgreement) -> anyhow::Result<()> {
        let ctx = format!("agreement {}", agreement.key);
        let id = self.keys.add("agreement", &agreement.key)?;
        check_dates(&ctx, Some(agreement.valid_from), agreement.valid_to)?;
        for party in &agreement.parties {
            self.data.agreement_parties.push(agreement_party::Model {
                agreement_id: id,
                organisation_id: self.keys.organisation(party, &ctx)?,
            });
        }
        for goal in agreement.goal {
            self.data.goals.push(goal::Model {
                id: self.keys.add("goal", &goal.key)?,
                agreement_id: id,
                title_fi: goal.title_fi,
                title_sv: goal.title_sv,
                title_en: goal.title_en,
                description: goal.description,
                sort_order: goal.sort_order,
                created_at: self.now,
                updated_at: self.now,
                version: 1,
            });
        }
        self.data.agreements.push(agreement::Model {
            id,
            county_id: self.keys.organisation(&agreement.county, &ctx)?,
            title_fi: agreement.title_fi,
            title_sv: agreement.title_sv,
            title_en: agreement.title_en,
            description: agreement.description,
            valid_from: agreement.valid_from,
            valid_to: agreement.valid_to,
            legal_basis: agreement.legal_basis,
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            signatures: agreement.signatures,
            signed_from: agreement.signed_from,
            signed_to: agreement.signed_to,
            cost_rule: agreement.cost_rule,
        });
        Ok(())
    }

    /// Actions with their responsible organisations and metrics.
    pub(super) fn actions(&mut self) -> anyhow::Result<()> {
        let file: ActionsFile = parse_toml("actions.toml", ACTIONS)?;
        for action in file.action {
            self.action(action)?;
        }
        Ok(())
    }

    fn action(&mut self, action: SeedAction) -> anyhow::Result<()> {
        let ctx = format!("action {}", action.key);
        let id = self.keys.add("action", &action.key)?;
        ensure!(
            action.period_end >= action.period_start,
            "{ctx}: period ends before it starts"
        );
        for party in &action.responsible {
            self.data
                .action_organisations
                .push(action_organisation::Model {
                    action_id: id,
                    organisation_id: self.keys.organisation(party, &ctx)?,
                });
        }
        for (n, metric) in action.metric.iter().enumerate() {
            let metric = self.metric(&ctx, &action.key, id, n + 1, metric)?;
            self.data.metrics.push(metric);
        }
        let row = action::Model {
            id,
            goal_id: self.keys.get("goal", &action.goal, &ctx)?,
            topic_id: self.keys.get_opt("topic", action.topic.as_deref(), &ctx)?,
            title: action.title,
            description: action.description,
            responsibility: action.responsibility,
            period_start: action.period_start,
            period_end: action.period_end,
            status: parse_enum_opt(&ctx, action.status.as_deref())?,
            sort_order: action.sort_order,
            search_text: String::new(),
            created_at: self.now,
            updated_at: self.now,
            version: 1,
            reviewed_at: None,
            reviewed_by: None,
        };
        self.data.actions.push(row.with_search_text());
        Ok(())
    }

    /// The `n`th metric (from 1) of the action `action_key`; its id derives from that.
    fn metric(
        &self,
        ctx: &str,
        action_key: &str,
        action_id: Uuid,
        n: usize,
        metric: &SeedMetric,
    ) -> anyhow::Result<metric::Model> {
        Ok(metric::Model {
            id: id_for(&format!("{action_key}#metric:{n}")),
            action_id,
            description: metric.description.clone(),
            kind: parse_enum(ctx, &metric.kind)?,
            sort_order: i32::try_from(n).context("too many metrics")?,
            created_at: self.now,
            updated_at: self.now,
            version: 1,
        })
    }
}
