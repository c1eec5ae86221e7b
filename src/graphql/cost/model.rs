//! The schema as pricing sees it, built from the SDL: every field's type, weight and
//! fan-out, and the tables of weights and list sizes.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};

use super::introspection::{BUILT_IN_SCALARS, INTROSPECTION_SDL, SchemaCounts};
use crate::graphql::paging::{DEFAULT_PAGE, MAX_PAGE};

/// How many items a field answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FanOut {
    /// One value.
    One,
    /// A list that is not paginated, of about this many items.
    Estimate(u64),
    /// A connection's `edges` or `nodes`: the connection's page.
    Page,
}

/// What pricing needs to know of a field.
#[derive(Debug, Clone)]
pub(super) struct FieldInfo {
    /// The named type the field answers with (lists unwrapped).
    pub(super) ty: String,
    /// Whether the field answers with a list.
    pub(super) list: bool,
    /// Nodes the field itself costs.
    pub(super) weight: u64,
    pub(super) fan_out: FanOut,
    /// For a field answering with a connection, the page rule of its `first`/`last`.
    pub(super) page: Option<(u64, u64)>,
}

/// What pricing needs to know of an object, interface or union type.
#[derive(Debug, Clone, Default)]
pub(super) struct TypeInfo {
    /// Whether this is a Relay connection, whose `edges` and `nodes` fan out by the page.
    pub(super) connection: bool,
    pub(super) fields: HashMap<String, FieldInfo>,
}

/// Lists that are not paginated and have a realistic size below the default page. The
/// reference data bounds them: at most 30 municipalities in a county (Pohjois-Pohjanmaa),
/// 21 topics, a handful of goals, areas and agreements per county (see `src/seed/`).
pub(super) const LIST_SIZES: &[(&str, u64)] = &[
    ("Query.topics", 25),
    ("Query.goals", 50),
    ("Query.agreements", 25),
    ("Query.areas", 50),
    // Every interface topic (five top-level ones) at every level (four).
    ("Query.counterparts", 20),
    ("Organisation.areas", 10),
    ("Area.municipalities", 30),
    ("Agreement.parties", 40),
    ("Agreement.goals", 10),
    ("Goal.actions", 50),
    ("Action.responsibleOrganisations", 10),
    ("Action.metrics", 10),
    ("Network.topics", 25),
    ("Topic.children", 10),
    ("Representative.servedMunicipalities", 30),
    ("Representative.counterparts", 20),
    ("CounterpartPair.municipalityRepresentatives", 20),
    ("CounterpartPair.countyRepresentatives", 20),
    // 30 municipalities × 5 interface topics × 4 levels.
    ("CoverageReport.gaps", 600),
    ("CoverageReport.stale", 600),
    ("StalePair.staleRepresentatives", 20),
    // A row has at most about twenty columns; an update changes a few.
    ("Change.fields", 20),
    ("Webhook.types", 8),
    ("Query.webhooks", 20),
];

/// Fields whose resolvers do much more work than one node, in nodes; measured against the
/// load benchmark in the README, where one node is about a microsecond and a half.
pub(super) const WEIGHTS: &[(&str, u64)] = &[
    // Loads the county's index: every representative of the county and their links.
    ("Query.counterparts", 5_000),
    // The same index for the whole county, then every municipality × topic × level.
    ("Query.coverage", 20_000),
    // Resolves the words against the vocabulary, ranks every match in the index (a common
    // word matches thousands of rows) and reads the page's rows: 2.5–2.7 ms of server CPU
    // a request on SQLite at national scale (`--only search`), about 1 800 nodes.
    ("Query.search", 2_000),
    // The county index again (loaded once per request and county, so cheaper).
    ("Representative.counterparts", 50),
];

/// Every root connection runs a `COUNT(*)` over its filtered rows, whether or not
/// `totalCount` is asked for (`paging::page_of` counts to answer `hasNextPage`), so the
/// count's weight sits on the connection field.
pub(super) const COUNT_WEIGHT: u64 = 1_000;
/// A nested connection (an organisation's representatives …) is read for all its parents
/// by one windowed statement, and counted, only when `totalCount` asks and the page does
/// not already tell, by one grouped `COUNT(*)`: a small share of both for each parent.
pub(super) const NESTED_CONNECTION_WEIGHT: u64 = 10;
/// A mutation opens a transaction and writes an audit entry.
const MUTATION_WEIGHT: u64 = 100;
/// Default list estimate: the largest page.
const DEFAULT_LIST: u64 = MAX_PAGE;

/// The schema as pricing sees it; built once when the application starts.
#[derive(Debug, Clone)]
pub struct CostModel {
    pub(super) types: HashMap<String, TypeInfo>,
    pub(super) query: String,
    pub(super) mutation: Option<String>,
    pub(super) subscription: Option<String>,
}

/// The named type inside list and non-null wrappers, and whether there was a list.
fn unwrap_type(ty: &Type) -> (&str, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.as_str(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

impl CostModel {
    /// The model of the schema `sdl` describes (as `Schema::sdl()` exports it).
    pub fn new(sdl: &str) -> Result<Self, async_graphql::parser::Error> {
        let schema = async_graphql::parser::parse_schema(sdl)?;
        let introspection = async_graphql::parser::parse_schema(INTROSPECTION_SDL)?;
        let mut model = CostModel {
            types: HashMap::new(),
            query: "Query".into(),
            mutation: None,
            subscription: None,
        };
        let mut counts = SchemaCounts {
            types: BUILT_IN_SCALARS.len() as u64,
            ..Default::default()
        };
        for document in [&schema, &introspection] {
            model.read(document, &mut counts);
        }
        for (type_name, info) in &mut model.types {
            info.connection = type_name.ends_with("Connection");
            for (field_name, field) in &mut info.fields {
                let key = format!("{type_name}.{field_name}");
                if let Some((_, weight)) = WEIGHTS.iter().find(|(k, _)| *k == key) {
                    field.weight = *weight;
                }
                if let Some((_, size)) = LIST_SIZES.iter().find(|(k, _)| *k == key) {
                    field.fan_out = FanOut::Estimate(*size);
                }
            }
        }
        // Fields of a connection fan out by its page; fields answering with one read it.
        let connections: HashSet<String> = model
            .types
            .iter()
            .filter(|(_, t)| t.connection)
            .map(|(name, _)| name.clone())
            .collect();
        for (type_name, info) in model.types.iter_mut() {
            let connection = info.connection;
            let count_weight = if *type_name == model.query {
                COUNT_WEIGHT
            } else {
                NESTED_CONNECTION_WEIGHT
            };
            for field in info.fields.values_mut() {
                if connection && field.list {
                    field.fan_out = FanOut::Page;
                }
                if connections.contains(&field.ty) {
                    field.page = Some((DEFAULT_PAGE, MAX_PAGE));
                    field.weight = field.weight.max(count_weight);
                }
            }
        }
        if let Some(mutation) = model.mutation.as_ref().and_then(|m| model.types.get_mut(m)) {
            for field in mutation.fields.values_mut() {
                field.weight = field.weight.max(MUTATION_WEIGHT);
            }
        }
        model.add_introspection(&counts);
        Ok(model)
    }

    /// Reads the object, interface and union types of `document` and counts its shapes.
    fn read(&mut self, document: &ServiceDocument, counts: &mut SchemaCounts) {
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = &schema.node;
                    if let Some(query) = &schema.query {
                        self.query = query.node.to_string();
                    }
                    self.mutation = schema.mutation.as_ref().map(|m| m.node.to_string());
                    self.subscription = schema.subscription.as_ref().map(|s| s.node.to_string());
                }
                TypeSystemDefinition::Directive(directive) => {
                    counts.directives += 1;
                    counts.directive_args += directive.node.arguments.len() as u64;
                    counts.directive_locations += directive.node.locations.len() as u64;
                }
                TypeSystemDefinition::Type(definition) => {
                    let definition = &definition.node;
                    counts.types += 1;
                    let fields = match &definition.kind {
                        TypeKind::Object(object) => {
                            counts.interfaces += object.implements.len() as u64;
                            &object.fields
                        }
                        TypeKind::Interface(interface) => {
                            counts.interfaces += interface.implements.len() as u64;
                            &interface.fields
                        }
                        TypeKind::Union(union) => {
                            counts.possible_types += union.members.len() as u64;
                            self.types
                                .entry(definition.name.node.to_string())
                                .or_default();
                            continue;
                        }
                        TypeKind::Enum(values) => {
                            counts.enum_values += values.values.len() as u64;
                            continue;
                        }
                        TypeKind::InputObject(input) => {
                            counts.input_fields += input.fields.len() as u64;
                            continue;
                        }
                        TypeKind::Scalar => continue,
                    };
                    let info = self
                        .types
                        .entry(definition.name.node.to_string())
                        .or_default();
                    for field in fields {
                        let field = &field.node;
                        counts.fields += 1;
                        counts.field_args += field.arguments.len() as u64;
                        let (ty, list) = unwrap_type(&field.ty.node);
                        info.fields.insert(
                            field.name.node.to_string(),
                            FieldInfo {
                                ty: ty.to_owned(),
                                list,
                                weight: 1,
                                fan_out: if list {
                                    FanOut::Estimate(DEFAULT_LIST)
                                } else {
                                    FanOut::One
                                },
                                page: None,
                            },
                        );
                    }
                }
            }
        }
    }
}
