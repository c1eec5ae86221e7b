//! The walk over a document: every operation priced with fragments expanded and memoised.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Value as ConstValue, Variables};

use super::model::{CostModel, FanOut, TypeInfo};
use super::{CostError, Limits, Price};

impl CostModel {
    /// Prices every operation of `doc` together (async-graphql validates them all, not only
    /// the one that runs), refusing it when a limit is passed. Unused fragments are checked
    /// for cycles but cost nothing: validation visits them once, which the token limit
    /// bounds. The text's `bytes` and `tokens` are left at 0: [`CostModel::check`] fills
    /// them in.
    pub fn price(
        &self,
        doc: &ExecutableDocument,
        variables: &Variables,
        limits: &Limits,
    ) -> Result<Price, CostError> {
        let mut walk = Walk {
            model: self,
            doc,
            variables,
            defaults: HashMap::new(),
            memo: HashMap::new(),
            active: Vec::new(),
            nesting: 0,
            max_nesting: limits.max_selection_nesting(),
        };
        for (_, operation) in doc.operations.iter() {
            for definition in &operation.node.variable_definitions {
                if let Some(default) = &definition.node.default_value {
                    walk.defaults
                        .insert(definition.node.name.node.as_str(), &default.node);
                }
            }
        }
        let mut total = Cost::default();
        for (_, operation) in doc.operations.iter() {
            let root = match operation.node.ty {
                OperationType::Query => Some(&self.query),
                OperationType::Mutation => self.mutation.as_ref(),
                OperationType::Subscription => self.subscription.as_ref(),
            };
            let root = root.and_then(|name| self.types.get(name));
            total = total.and(walk.selection_set(&operation.node.selection_set.node, root, 0)?);
        }
        for name in doc.fragments.keys() {
            walk.fragment(name.as_str(), 0)?;
        }
        if total.height > limits.max_selection_nesting() {
            return Err(CostError::SelectionsTooDeep {
                nesting: total.height,
                limit: limits.max_selection_nesting(),
            });
        }
        if total.depth > limits.max_depth {
            return Err(CostError::TooDeep {
                depth: total.depth,
                limit: limits.max_depth,
            });
        }
        if total.aliases > limits.max_aliases {
            return Err(CostError::TooManyAliases {
                aliases: total.aliases,
                limit: limits.max_aliases,
            });
        }
        if total.nodes > limits.max_cost {
            return Err(CostError::TooCostly {
                cost: total.nodes,
                limit: limits.max_cost,
            });
        }
        Ok(Price {
            bytes: 0,
            tokens: 0,
            depth: total.depth,
            aliases: total.aliases,
            cost: total.nodes,
        })
    }
}

/// The price of one selection.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: u64,
    /// Fields nested, as async-graphql's depth limit counts them.
    depth: usize,
    /// Selection sets nested, fragments and inline fragments included.
    height: usize,
    aliases: u64,
}

impl Cost {
    /// Two selections side by side.
    fn and(self, other: Cost) -> Cost {
        Cost {
            nodes: self.nodes.saturating_add(other.nodes),
            depth: self.depth.max(other.depth),
            height: self.height.max(other.height),
            aliases: self.aliases.saturating_add(other.aliases),
        }
    }
}

/// One pricing walk over a document.
struct Walk<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Default values of the operations' variables.
    defaults: HashMap<&'a str, &'a ConstValue>,
    /// Each fragment's price, by name and the page it is spread under (0 when its type
    /// is not a connection, whose price does not depend on the page).
    memo: HashMap<(&'a str, u64), Cost>,
    /// Fragments being priced, outermost first.
    active: Vec<&'a str>,
    /// Selection sets being priced, which bounds the walk's own recursion.
    nesting: usize,
    max_nesting: usize,
}

impl<'a> Walk<'a> {
    /// Selections on `ty` (unknown types price every field at one node) under `page`.
    ///
    /// Inline fragments and spreads are priced in the type they name, and added: on a
    /// union every branch is counted, not only the dearest, because validation visits
    /// every branch, including those that can never match.
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        ty: Option<&'a TypeInfo>,
        page: u64,
    ) -> Result<Cost, CostError> {
        self.nesting += 1;
        if self.nesting > self.max_nesting {
            return Err(CostError::SelectionsTooDeep {
                nesting: self.nesting,
                limit: self.max_nesting,
            });
        }
        let mut total = Cost::default();
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => self.field(&field.node, ty, page)?,
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let ty = match &inline.type_condition {
                        Some(condition) => self.model.types.get(condition.node.on.node.as_str()),
                        None => ty,
                    };
                    self.selection_set(&inline.selection_set.node, ty, page)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str(), page)?
                }
            };
            total = total.and(cost);
        }
        self.nesting -= 1;
        total.height += 1;
        Ok(total)
    }

    /// A fragment, priced once per page and remembered.
    fn fragment(&mut self, name: &'a str, page: u64) -> Result<Cost, CostError> {
        let Some(definition) = self.doc.fragments.get(name) else {
            return Err(CostError::UnknownFragment {
                name: shortened(name),
            });
        };
        let definition = &definition.node;
        let ty = self
            .model
            .types
            .get(definition.type_condition.node.on.node.as_str());
        let page = if ty.is_some_and(|t| t.connection) {
            page
        } else {
            0
        };
        if let Some(cost) = self.memo.get(&(name, page)) {
            return Ok(*cost);
        }
        if self.active.contains(&name) {
            return Err(CostError::FragmentCycle {
                name: shortened(name),
            });
        }
        self.active.push(name);
        let cost = self.selection_set(&definition.selection_set.node, ty, page);
        self.active.pop();
        let cost = cost?;
        self.memo.insert((name, page), cost);
        Ok(cost)
    }

    /// One field: its weight plus its fan-out times its selection.
    fn field(
        &mut self,
        field: &'a Field,
        parent: Option<&'a TypeInfo>,
        page: u64,
    ) -> Result<Cost, CostError> {
        // `__typename`, and fields the schema does not have (validation refuses those, but
        // visits their selections first), are one node each.
        let info = parent.and_then(|t| t.fields.get(field.name.node.as_str()));
        let (weight, fan_out, ty, child_page) = match info {
            None => (1, 1, None, 0),
            Some(info) => {
                let fan_out = match info.fan_out {
                    FanOut::One => 1,
                    FanOut::Estimate(n) => n,
                    FanOut::Page => page,
                };
                let child_page = match info.page {
                    Some((default, max)) => self.first(field, default, max),
                    None => 0,
                };
                (
                    info.weight,
                    fan_out,
                    self.model.types.get(&info.ty),
                    child_page,
                )
            }
        };
        let child = if field.selection_set.node.items.is_empty() {
            Cost::default()
        } else {
            self.selection_set(&field.selection_set.node, ty, child_page)?
        };
        // A list of scalars answers one node an item.
        let each = if ty.is_none() && info.is_some_and(|i| i.list) {
            1
        } else {
            child.nodes
        };
        Ok(Cost {
            nodes: weight.saturating_add(fan_out.max(1).saturating_mul(each)),
            depth: child.depth.saturating_add(1),
            height: child.height,
            aliases: child
                .aliases
                .saturating_add(u64::from(field.alias.is_some())),
        })
    }

    /// A page size from `first` (or `last`), a literal or a variable: `default` when not
    /// given, never more than `max` (larger pages are refused when the field runs).
    fn first(&self, field: &Field, default: u64, max: u64) -> u64 {
        let argument = field
            .get_argument("first")
            .or_else(|| field.get_argument("last"));
        // Variables are read from the request, else from their declared defaults.
        let value = argument.and_then(|a| {
            a.node
                .clone()
                .into_const_with(|name: Name| {
                    self.variables
                        .get(name.as_str())
                        .or_else(|| self.defaults.get(name.as_str()).copied())
                        .cloned()
                        .ok_or(())
                })
                .ok()
        });
        let number = match value {
            Some(ConstValue::Number(n)) => n.as_i64(),
            _ => None,
        };
        match number {
            None => default,
            Some(n) => u64::try_from(n).unwrap_or(0).min(max),
        }
    }
}

/// A name from the document, cut short enough to quote in an error.
fn shortened(name: &str) -> String {
    name.chars().take(64).collect()
}
