//! Pricing a request before anything runs: every anonymous request is hostile until its
//! cost is known, so nothing — not even async-graphql's own parser or validation — sees a
//! document that has not been measured here first.
//!
//! A request passes three gates, each linear in the size of the document:
//!
//! 1. [`scan`] reads the raw text once: its size in bytes, its GraphQL tokens and how deep
//!    its brackets nest. A document of 5 000 nested braces is refused before the recursive
//!    parser sees it.
//! 2. The parser builds the document.
//! 3. [`CostModel::price`] walks every operation with fragments expanded and memoised, so a
//!    document whose fragments each spread the previous one twice is priced in microseconds.
//!    It counts the deepest field nesting, the aliases and the *cost*: the number of nodes
//!    the answer can hold. The cost of a selection is the sum over its fields of the field's
//!    weight plus its fan-out times the cost of its own selection.
//!
//! Fan-out is the page size for a connection's `edges` and `nodes` (`first`/`last`, a
//! literal or a variable; 20 when not given, at most 100), a realistic size for lists that
//! are not paginated, and 1 otherwise. A fan-out is never taken below 1: `first: 0` runs no
//! rows, but async-graphql's validation still visits the selection under it, and that
//! visit expands fragments anew each time they are spread, so the cost also bounds the
//! validation's work.

use std::collections::{HashMap, HashSet};
use std::fmt;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationType, Selection, SelectionSet, ServiceDocument,
    Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value as ConstValue, Variables};

use super::paging::{DEFAULT_PAGE, MAX_PAGE};

/// How much one request may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest query text, in bytes (variables not included).
    pub max_document_bytes: usize,
    /// Most GraphQL tokens (names, punctuators, numbers, strings) the text may hold.
    pub max_tokens: usize,
    /// Deepest field nesting; brackets may nest twice as deep (selections and arguments).
    pub max_depth: usize,
    /// Most aliased fields, counted with fragments expanded.
    pub max_aliases: u64,
    /// Highest cost: how many nodes the answer may hold.
    pub max_cost: u64,
}

impl Limits {
    /// The production defaults: GraphiQL's introspection query (depth 13, priced at about
    /// 37 000) and every portal query pass; the known attacks do not.
    pub const DEFAULT: Limits = Limits {
        max_document_bytes: 32 * 1024,
        max_tokens: 5_000,
        max_depth: 15,
        max_aliases: 100,
        max_cost: 50_000,
    };

    /// How deep brackets (`{`, `(`, `[`) may nest: selection sets and argument values
    /// together.
    pub fn max_nesting(&self) -> usize {
        self.max_depth.saturating_mul(2)
    }

    /// How deep selection sets (fields' and fragments') may nest once fragments are
    /// expanded: async-graphql's validation recurses that deep.
    pub fn max_selection_nesting(&self) -> usize {
        self.max_depth.saturating_mul(4)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a request was priced at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Price {
    /// Bytes of the query text.
    pub bytes: usize,
    /// GraphQL tokens of the query text.
    pub tokens: usize,
    /// Deepest field nesting.
    pub depth: usize,
    /// Aliased fields, fragments expanded.
    pub aliases: u64,
    /// Nodes the answer can hold.
    pub cost: u64,
}

/// Why a request was refused before it ran. Each limit has its own code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CostError {
    DocumentTooLarge {
        bytes: usize,
        limit: usize,
    },
    TooManyTokens {
        tokens: usize,
        limit: usize,
    },
    /// Brackets nest deeper than the parser may recurse.
    NestedTooDeep {
        nesting: usize,
        limit: usize,
    },
    /// Selections nest too deep once fragments are expanded.
    SelectionsTooDeep {
        nesting: usize,
        limit: usize,
    },
    TooDeep {
        depth: usize,
        limit: usize,
    },
    TooManyAliases {
        aliases: u64,
        limit: u64,
    },
    TooCostly {
        cost: u64,
        limit: u64,
    },
    /// The text is not a GraphQL document; where, never what.
    ParseFailed {
        line: usize,
        column: usize,
    },
    UnknownFragment {
        name: String,
    },
    FragmentCycle {
        name: String,
    },
}

impl CostError {
    /// The error's `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DocumentTooLarge { .. } => "DOCUMENT_TOO_LARGE",
            Self::TooManyTokens { .. } => "TOO_MANY_TOKENS",
            Self::NestedTooDeep { .. } | Self::SelectionsTooDeep { .. } | Self::TooDeep { .. } => {
                "TOO_DEEP"
            }
            Self::TooManyAliases { .. } => "TOO_MANY_ALIASES",
            Self::TooCostly { .. } => "QUERY_TOO_COSTLY",
            Self::ParseFailed { .. } => "GRAPHQL_PARSE_FAILED",
            Self::UnknownFragment { .. } | Self::FragmentCycle { .. } => {
                "GRAPHQL_VALIDATION_FAILED"
            }
        }
    }
}

impl fmt::Display for CostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DocumentTooLarge { bytes, limit } => write!(
                f,
                "the query is {} bytes long; the limit is {}",
                Grouped(*bytes as u64),
                Grouped(*limit as u64)
            ),
            Self::TooManyTokens { tokens, limit } => write!(
                f,
                "the query has {} tokens; the limit is {}",
                Grouped(*tokens as u64),
                Grouped(*limit as u64)
            ),
            Self::NestedTooDeep { nesting, limit } => write!(
                f,
                "the query nests brackets {} deep; the limit is {}",
                Grouped(*nesting as u64),
                Grouped(*limit as u64)
            ),
            Self::SelectionsTooDeep { nesting, limit } => write!(
                f,
                "the query nests selections {} deep with its fragments expanded; the limit is {}",
                Grouped(*nesting as u64),
                Grouped(*limit as u64)
            ),
            Self::TooDeep { depth, limit } => write!(
                f,
                "the query nests fields {} deep; the limit is {}",
                Grouped(*depth as u64),
                Grouped(*limit as u64)
            ),
            Self::TooManyAliases { aliases, limit } => write!(
                f,
                "the query has {} aliases; the limit is {}",
                Grouped(*aliases),
                Grouped(*limit)
            ),
            Self::TooCostly { cost, limit } => write!(
                f,
                "the query would cost {} nodes; the limit is {}",
                Grouped(*cost),
                Grouped(*limit)
            ),
            Self::ParseFailed { line, column } => write!(
                f,
                "the query is not valid GraphQL (line {line}, column {column})"
            ),
            Self::UnknownFragment { name } => write!(f, "unknown fragment \"{name}\""),
            Self::FragmentCycle { name } => write!(f, "fragment \"{name}\" spreads itself"),
        }
    }
}

impl std::error::Error for CostError {}

/// A number with its thousands apart: `1 234 567`.
struct Grouped(u64);

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(" ")?;
            }
            write!(f, "{digit}")?;
        }
        Ok(())
    }
}

/// What one linear read of the raw text found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scan {
    /// GraphQL tokens; whitespace, commas and comments are not tokens.
    pub tokens: usize,
    /// Deepest nesting of `{`, `(` and `[`.
    pub nesting: usize,
}

/// Reads the raw text once, counting tokens and bracket nesting. Never fails: text that is
/// not GraphQL is counted as best it can be and left to the parser to refuse.
pub fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Scan::default();
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            // The byte order mark is ignored, like whitespace.
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                i += 3;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() {
                    if b[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                out.nesting = out.nesting.max(depth);
                i += 1;
            }
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'.' if b[i..].starts_with(b"...") => i += 3,
            c if c == b'_' || c.is_ascii_alphabetic() => {
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            c if c == b'-' || c.is_ascii_digit() => {
                i += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            // Punctuators, and bytes that are not GraphQL at all (the parser refuses those).
            _ => i += 1,
        }
        out.tokens += 1;
    }
    out
}

/// How many items a field answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FanOut {
    /// One value.
    One,
    /// A list that is not paginated, of about this many items.
    Estimate(u64),
    /// A list whose `first` argument sets its length.
    Argument { default: u64, max: u64 },
    /// A connection's `edges` or `nodes`: the connection's page.
    Page,
}

/// What pricing needs to know of a field.
#[derive(Debug, Clone)]
struct FieldInfo {
    /// The named type the field answers with (lists unwrapped).
    ty: String,
    /// Whether the field answers with a list.
    list: bool,
    /// Nodes the field itself costs.
    weight: u64,
    fan_out: FanOut,
    /// For a field answering with a connection, the page rule of its `first`/`last`.
    page: Option<(u64, u64)>,
}

/// What pricing needs to know of an object, interface or union type.
#[derive(Debug, Clone, Default)]
struct TypeInfo {
    /// Whether this is a Relay connection, whose `edges` and `nodes` fan out by the page.
    connection: bool,
    fields: HashMap<String, FieldInfo>,
}

/// Lists that are not paginated and have a realistic size below the default page. The
/// reference data bounds them: at most 30 municipalities in a county (Pohjois-Pohjanmaa),
/// 21 topics, a handful of goals, areas and agreements per county (see `src/seed/`).
const LIST_SIZES: &[(&str, u64)] = &[
    ("Query.topics", 25),
    ("Query.goals", 50),
    ("Query.agreements", 25),
    ("Query.areas", 50),
    // Every interface topic (five top-level ones) at every level (four).
    ("Query.counterparts", 20),
    ("Organisation.municipalities", 30),
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
];

/// Fields whose resolvers do much more work than one node, in nodes; measured against the
/// load benchmark in the README, where one node is about a microsecond and a half.
const WEIGHTS: &[(&str, u64)] = &[
    // Loads the county's index: every representative of the county and their links.
    ("Query.counterparts", 5_000),
    // The same index for the whole county, then every municipality × topic × level.
    ("Query.coverage", 20_000),
    // Four `LIKE '% word%'` scans that no index serves.
    ("Query.search", 10_000),
    // The county index again (loaded once per request and county, so cheaper).
    ("Representative.counterparts", 50),
];

/// Every connection runs a `COUNT(*)` over its filtered rows, whether or not `totalCount`
/// is asked for (`paging::page_of` counts to answer `hasNextPage`), so the count's weight
/// sits on the connection field.
const COUNT_WEIGHT: u64 = 1_000;
/// A mutation opens a transaction and writes an audit entry.
const MUTATION_WEIGHT: u64 = 100;
/// Default list estimate: the largest page.
const DEFAULT_LIST: u64 = MAX_PAGE;
/// `search(first:)`: 20 when not given, at most 50 (see `QueryRoot::search`).
const SEARCH_PAGE: (u64, u64) = (20, 50);

/// The introspection types as the GraphQL specification defines them (with the optional
/// fields GraphiQL may ask for); the SDL async-graphql exports leaves them out.
const INTROSPECTION_SDL: &str = r#"
type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type
  subscriptionType: __Type directives: [__Directive!]! }
type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String
  isOneOf: Boolean fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!] possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!] ofType: __Type }
type __Field { name: String! description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]! type: __Type!
  isDeprecated: Boolean! deprecationReason: String }
type __InputValue { name: String! description: String type: __Type! defaultValue: String
  isDeprecated: Boolean! deprecationReason: String }
type __EnumValue { name: String! description: String isDeprecated: Boolean!
  deprecationReason: String }
type __Directive { name: String! description: String locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]! isRepeatable: Boolean! }
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION
  FRAGMENT_SPREAD INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION
  ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION }
directive @deprecated(reason: String = "No longer supported")
  on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @oneOf on INPUT_OBJECT
"#;

/// The scalars every schema has, which the exported SDL does not declare.
const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// The schema as pricing sees it; built once when the application starts.
#[derive(Debug, Clone)]
pub struct CostModel {
    types: HashMap<String, TypeInfo>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

/// The shapes of a schema that introspection answers scale with.
#[derive(Debug, Default)]
struct SchemaCounts {
    types: u64,
    fields: u64,
    field_args: u64,
    input_fields: u64,
    enum_values: u64,
    interfaces: u64,
    possible_types: u64,
    directives: u64,
    directive_args: u64,
    directive_locations: u64,
}

/// A list size of `total` items spread over `over` owners, at least 1.
fn per(total: u64, over: u64) -> u64 {
    total.div_ceil(over.max(1)).max(1)
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
        for info in model.types.values_mut() {
            let connection = info.connection;
            for field in info.fields.values_mut() {
                if connection && field.list {
                    field.fan_out = FanOut::Page;
                }
                if connections.contains(&field.ty) {
                    field.page = Some((DEFAULT_PAGE, MAX_PAGE));
                    field.weight = field.weight.max(COUNT_WEIGHT);
                }
            }
        }
        if let Some(search) = model
            .types
            .get_mut(&model.query)
            .and_then(|q| q.fields.get_mut("search"))
        {
            let (default, max) = SEARCH_PAGE;
            search.fan_out = FanOut::Argument { default, max };
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

    /// Adds `__schema` and `__type` to the query root and sizes the introspection lists by
    /// this schema: `types` as many as it has, `fields` as many as a type has on average,
    /// and so on, so that GraphiQL's introspection query is priced at about its answer.
    fn add_introspection(&mut self, counts: &SchemaCounts) {
        let sizes = [
            ("__Schema.types", counts.types),
            ("__Schema.directives", counts.directives),
            ("__Type.fields", per(counts.fields, counts.types)),
            ("__Type.interfaces", per(counts.interfaces, counts.types)),
            (
                "__Type.possibleTypes",
                per(counts.possible_types, counts.types),
            ),
            ("__Type.enumValues", per(counts.enum_values, counts.types)),
            ("__Type.inputFields", per(counts.input_fields, counts.types)),
            ("__Field.args", per(counts.field_args, counts.fields)),
            (
                "__Directive.args",
                per(counts.directive_args, counts.directives),
            ),
            (
                "__Directive.locations",
                per(counts.directive_locations, counts.directives),
            ),
        ];
        for (key, size) in sizes {
            let (type_name, field_name) = key.split_once('.').unwrap_or_default();
            if let Some(field) = self
                .types
                .get_mut(type_name)
                .and_then(|t| t.fields.get_mut(field_name))
            {
                field.fan_out = FanOut::Estimate(size.max(1));
            }
        }
        if let Some(query) = self.types.get_mut(&self.query) {
            for (name, ty) in [("__schema", "__Schema"), ("__type", "__Type")] {
                query.fields.insert(
                    name.into(),
                    FieldInfo {
                        ty: ty.into(),
                        list: false,
                        weight: 1,
                        fan_out: FanOut::One,
                        page: None,
                    },
                );
            }
        }
    }

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

    /// Measures, parses and prices `request`'s query, in that order, and leaves the parsed
    /// document in the request so that it is not parsed again.
    pub fn check(
        &self,
        request: &mut async_graphql::Request,
        limits: &Limits,
    ) -> Result<Price, CostError> {
        let text = request.query.as_str();
        if text.len() > limits.max_document_bytes {
            return Err(CostError::DocumentTooLarge {
                bytes: text.len(),
                limit: limits.max_document_bytes,
            });
        }
        let scanned = scan(text);
        if scanned.nesting > limits.max_nesting() {
            return Err(CostError::NestedTooDeep {
                nesting: scanned.nesting,
                limit: limits.max_nesting(),
            });
        }
        if scanned.tokens > limits.max_tokens {
            return Err(CostError::TooManyTokens {
                tokens: scanned.tokens,
                limit: limits.max_tokens,
            });
        }
        let doc = async_graphql::parser::parse_query(text).map_err(|err| {
            let at = err.positions().next().unwrap_or_default();
            CostError::ParseFailed {
                line: at.line,
                column: at.column,
            }
        })?;
        let price = Price {
            bytes: text.len(),
            tokens: scanned.tokens,
            ..self.price(&doc, &request.variables, limits)?
        };
        request.set_parsed_query(doc);
        Ok(price)
    }
}

/// A cost model with the limits it prices against: what the HTTP layer holds.
#[derive(Debug, Clone)]
pub struct Pricing {
    model: std::sync::Arc<CostModel>,
    limits: Limits,
}

impl Pricing {
    /// Pricing for `schema` under `limits`.
    pub fn new<Q, M, S>(schema: &async_graphql::Schema<Q, M, S>, limits: Limits) -> Self
    where
        Q: async_graphql::ObjectType + 'static,
        M: async_graphql::ObjectType + 'static,
        S: async_graphql::SubscriptionType + 'static,
    {
        let model = CostModel::new(&schema.sdl())
            .expect("the SDL async-graphql exports parses (tested in graphql::cost)");
        Self {
            model: std::sync::Arc::new(model),
            limits,
        }
    }

    /// Measures, parses and prices `request` (see [`CostModel::check`]).
    pub fn check(&self, request: &mut async_graphql::Request) -> Result<Price, CostError> {
        self.model.check(request, &self.limits)
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
                    FanOut::Argument { default, max } => self.first(field, default, max),
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

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn model() -> &'static CostModel {
        static MODEL: OnceLock<CostModel> = OnceLock::new();
        MODEL.get_or_init(|| CostModel::new(&crate::graphql::sdl()).expect("the SDL parses"))
    }

    fn check_with(
        query: &str,
        variables: serde_json::Value,
        limits: &Limits,
    ) -> Result<Price, CostError> {
        let variables = Variables::from_json(variables);
        let mut request = async_graphql::Request::new(query).variables(variables);
        model().check(&mut request, limits)
    }

    fn check(query: &str) -> Result<Price, CostError> {
        check_with(query, serde_json::json!({}), &Limits::DEFAULT)
    }

    /// No limit but the one a test looks at.
    const UNLIMITED: Limits = Limits {
        max_document_bytes: usize::MAX,
        max_tokens: usize::MAX,
        max_depth: 10_000,
        max_aliases: u64::MAX,
        max_cost: u64::MAX,
    };

    const GRAPHIQL_INTROSPECTION: &str = include_str!("../../tests/fixtures/introspection.graphql");

    /// Fragments `f0` … `f{levels}`, each spreading the previous one twice.
    fn fragments(levels: usize) -> String {
        let mut doc = String::from("fragment f0 on Query { __typename }\n");
        for i in 1..=levels {
            doc.push_str(&format!(
                "fragment f{i} on Query {{ ...f{} ...f{} }}\n",
                i - 1,
                i - 1
            ));
        }
        doc
    }

    /// The issue's doubling document.
    fn doubling(levels: usize) -> String {
        format!("{{ ...f{levels} }}\n{}", fragments(levels))
    }

    /// What the load benchmark and the README's examples ask for.
    const PORTAL_QUERIES: &[&str] = &[
        r#"{ counterparts(municipalityCode: "297", topic: "employment", level: INTERFACE) {
            municipality { name } topic { name(lang: EN) } level complete
            municipalityRepresentatives { person { name title email phone } role }
            countyRepresentatives { person { name title email } organisation { name } } } }"#,
        r#"{ networks(filter: { municipalityCode: "844" }, first: 50) { totalCount
            edges { node { name kind convener { name } convenerNote cadence area { name } } } } }"#,
        r#"{ goals { id title } actions(filter: { goalId: "x", open: true }, first: 20) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { title responsibility
            responsibleOrganisations { name } metrics { description kind } status } } } }"#,
        r#"{ search(text: "kuopion") { __typename ... on Organisation { name } } }"#,
        r#"query($c: String) { organisations(first: 1, filter: { municipalityCode: $c }) {
            edges { node { name county { name } representatives { level person { name email }
            topic { slug } } memberships { network { name } } } } } }"#,
        r#"{ coverage(countyId: "x") { county { name } expected covered ratio
            gaps { municipality { name } topic { slug } level missing } } }"#,
        r#"mutation { createMeeting(input: { networkId: "x", startsAt: "2026-04-15T09:00:00+03:00" })
            { meeting { id } } createProgressReport(input: { actionId: "x", reportedOn: "2026-06-30",
            status: IN_PROGRESS, summary: "s" }) { progressReport { id } } }"#,
    ];

    /// The issue's nesting attack: a county's municipalities and their county, five times.
    const NESTING_ATTACK: &str = r#"{ organisation(id: "4b1c2d3e-0000-0000-0000-000000000000") { municipalities { county { municipalities { county { municipalities { county { municipalities { county { municipalities { county { name } } } } } } } } } } } }"#;

    #[test]
    fn the_schema_and_its_tables_agree() {
        for (key, _) in LIST_SIZES.iter().chain(WEIGHTS) {
            let (ty, field) = key.split_once('.').unwrap();
            assert!(
                model()
                    .types
                    .get(ty)
                    .is_some_and(|t| t.fields.contains_key(field)),
                "{key} is not a field of the schema"
            );
        }
        let edges = &model().types["OrganisationConnection"].fields["edges"];
        assert_eq!(edges.fan_out, FanOut::Page);
        assert_eq!(
            model().types["Query"].fields["organisations"].page,
            Some((DEFAULT_PAGE, MAX_PAGE))
        );
    }

    #[test]
    fn graphiql_introspection_passes() {
        let price = check(GRAPHIQL_INTROSPECTION).unwrap();
        assert_eq!(price.depth, 13);
        assert!(price.cost < Limits::DEFAULT.max_cost, "{price:?}");
        // Its answer is sized by the schema: about as many nodes as it really returns.
        assert!(price.cost > 10_000, "{price:?}");
    }

    #[test]
    fn portal_queries_pass() {
        for query in PORTAL_QUERIES {
            let price = check_with(query, serde_json::json!({ "c": "297" }), &Limits::DEFAULT);
            assert!(price.is_ok(), "{query}: {price:?}");
        }
    }

    #[test]
    fn nested_lists_multiply() {
        let err = check(NESTING_ATTACK).unwrap_err();
        assert_eq!(err.code(), "QUERY_TOO_COSTLY");
        // 30 municipalities, each with its county (one) and that county's 30, five times.
        let CostError::TooCostly { cost, .. } = err else {
            unreachable!()
        };
        assert!(cost > 30u64.pow(5), "{cost}");
        assert!(
            err.to_string().ends_with("nodes; the limit is 50 000"),
            "{err}"
        );
    }

    #[test]
    fn the_doubling_fragment_document_is_refused() {
        let err = check(&doubling(30)).unwrap_err();
        assert_eq!(err.code(), "QUERY_TOO_COSTLY");
        assert_eq!(
            err.to_string(),
            "the query would cost 1 073 741 824 nodes; the limit is 50 000"
        );
        // Fragments are priced once: a thousand levels saturate instead of taking forever.
        let price = check_with(&doubling(1_000), serde_json::json!({}), &UNLIMITED).unwrap();
        assert_eq!(price.cost, u64::MAX);
    }

    #[test]
    fn an_empty_page_still_pays_for_its_count_and_its_selection() {
        let one = "a0: representatives(first: 0) { totalCount }";
        let price = check(&format!("{{ {one} }}")).unwrap();
        assert!(price.cost > COUNT_WEIGHT, "{price:?}");
        // A few dozen of them are too many, though each alias is allowed.
        let many: Vec<String> = (0..60)
            .map(|i| one.replace("a0", &format!("a{i}")))
            .collect();
        let err = check(&format!("{{ {} }}", many.join(" "))).unwrap_err();
        assert_eq!(err.code(), "QUERY_TOO_COSTLY");
        // Under `first: 0` the selection is still visited by validation, so still priced.
        let hidden = format!(
            "{{ representatives(first: 0) {{ nodes {{ topic {{ ...f30 }} }} }} }}\n{}",
            fragments(30).replace("on Query", "on Topic")
        );
        assert_eq!(check(&hidden).unwrap_err().code(), "QUERY_TOO_COSTLY");
    }

    #[test]
    fn page_sizes_come_from_literals_variables_and_defaults() {
        let query = "query($n: Int = 7) { organisations(first: $n) { nodes { name } } }";
        let cost = |vars| check_with(query, vars, &UNLIMITED).unwrap().cost;
        let seven = cost(serde_json::json!({}));
        let forty = cost(serde_json::json!({ "n": 40 }));
        let capped = cost(serde_json::json!({ "n": 5000 }));
        assert!(seven < forty && forty < capped, "{seven} {forty} {capped}");
        let literal = check("{ organisations(first: 100) { nodes { name } } }").unwrap();
        assert_eq!(literal.cost, capped);
        let default = check("{ organisations { nodes { name } } }").unwrap();
        assert_eq!(default.cost, cost(serde_json::json!({ "n": 20 })));
    }

    #[test]
    fn unions_count_every_branch() {
        let one = check("{ search(text: \"x\") { ... on Person { name } } }").unwrap();
        let two = check(
            "{ search(text: \"x\") { ... on Person { name } ... on Organisation { name } } }",
        )
        .unwrap();
        assert!(two.cost > one.cost);
        let big = check("{ search(text: \"x\", first: 50) { ... on Person { name } } }").unwrap();
        assert!(big.cost > one.cost);
    }

    #[test]
    fn too_many_aliases_are_refused() {
        let aliases: Vec<String> = (0..101).map(|i| format!("a{i}: __typename")).collect();
        let err = check(&format!("{{ {} }}", aliases.join(" "))).unwrap_err();
        assert_eq!(err.code(), "TOO_MANY_ALIASES");
        assert_eq!(
            err.to_string(),
            "the query has 101 aliases; the limit is 100"
        );
    }

    #[test]
    fn deep_selections_are_refused() {
        let mut query = String::from("name");
        for _ in 0..16 {
            query = format!("parent {{ {query} }}");
        }
        let err = check(&format!(
            "{{ organisation(municipalityCode: \"297\") {{ {query} }} }}"
        ))
        .unwrap_err();
        assert_eq!(err.code(), "TOO_DEEP");
        assert_eq!(
            err.to_string(),
            "the query nests fields 18 deep; the limit is 15"
        );
    }

    #[test]
    fn a_thousands_deep_document_is_refused_before_parsing() {
        let deep = format!("{}{}", "{ a ".repeat(5_000), "}".repeat(5_000));
        let err = check(&deep).unwrap_err();
        assert_eq!(err.code(), "TOO_DEEP");
        assert_eq!(
            err.to_string(),
            "the query nests brackets 5 000 deep; the limit is 30"
        );
        // Deep argument values count too.
        let deep = format!("{{ topics(kind: {}) {{ slug }} }}", "[".repeat(100));
        assert_eq!(check(&deep).unwrap_err().code(), "TOO_DEEP");
    }

    #[test]
    fn long_fragment_chains_are_refused() {
        let mut doc = String::from("{ ...f0 }\n");
        for i in 0..80 {
            doc.push_str(&format!("fragment f{i} on Query {{ ...f{} }}\n", i + 1));
        }
        doc.push_str("fragment f80 on Query { __typename }\n");
        let err = check(&doc).unwrap_err();
        assert_eq!(err.code(), "TOO_DEEP");
        assert_eq!(
            err.to_string(),
            "the query nests selections 61 deep with its fragments expanded; the limit is 60"
        );
    }

    #[test]
    fn large_and_long_documents_are_refused() {
        let large = format!("{{ __typename }} #{}", "x".repeat(40_000));
        let err = check(&large).unwrap_err();
        assert_eq!(err.code(), "DOCUMENT_TOO_LARGE");
        assert_eq!(
            err.to_string(),
            "the query is 40 016 bytes long; the limit is 32 768"
        );
        let long = format!("{{ {} }}", "a ".repeat(5_000));
        let err = check(&long).unwrap_err();
        assert_eq!(err.code(), "TOO_MANY_TOKENS");
        assert_eq!(
            err.to_string(),
            "the query has 5 002 tokens; the limit is 5 000"
        );
    }

    #[test]
    fn tokens_are_counted_as_graphql_reads_them() {
        let text = "query Q($a: [Int!] = [1, -2.5e3]) { # a comment, not tokens\n\
            f(s: \"a \\\" b\", t: \"\"\"block \\\"\"\" \"\"\") { ...F } }";
        // query Q ( $ a : [ Int ! ] = [ 1 -2.5e3 ] ) { f ( s : "…" t : """…""" ) { ... F } }
        // is 31 tokens, and no bracket holds more than one other.
        assert_eq!(
            scan(text),
            Scan {
                tokens: 31,
                nesting: 2
            }
        );
    }

    #[test]
    fn fragment_cycles_and_unknown_fragments_are_refused() {
        let err = check("{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }")
            .unwrap_err();
        assert!(matches!(err, CostError::FragmentCycle { .. }), "{err:?}");
        assert_eq!(err.code(), "GRAPHQL_VALIDATION_FAILED");
        let err = check("{ ...missing }").unwrap_err();
        assert_eq!(err.to_string(), "unknown fragment \"missing\"");
        // Unused fragments are checked too.
        let err = check("{ __typename } fragment a on Query { ...a }").unwrap_err();
        assert!(matches!(err, CostError::FragmentCycle { .. }), "{err:?}");
    }

    #[test]
    fn parse_errors_say_where_not_what() {
        let err = check("{ organisation(id: \"secret-looking-text\" { name } }").unwrap_err();
        assert_eq!(err.code(), "GRAPHQL_PARSE_FAILED");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(
            err.to_string()
                .starts_with("the query is not valid GraphQL (line 1"),
            "{err}"
        );
    }

    #[test]
    fn every_operation_is_priced() {
        let one = check("query A { topics { slug } }").unwrap();
        let both = check("query A { topics { slug } } query B { topics { slug } }").unwrap();
        assert_eq!(both.cost, 2 * one.cost);
    }

    #[test]
    fn counts_and_expensive_roots_carry_their_weight() {
        assert!(
            check("{ coverage(countyId: \"x\") { expected } }")
                .unwrap()
                .cost
                >= 20_000
        );
        assert!(
            check("{ search(text: \"x\") { __typename } }")
                .unwrap()
                .cost
                >= 10_000
        );
        let err = check(
            "{ a: coverage(countyId: \"x\") { expected } b: coverage(countyId: \"y\") { expected } \
             c: coverage(countyId: \"z\") { expected } }",
        )
        .unwrap_err();
        assert_eq!(err.code(), "QUERY_TOO_COSTLY");
    }
}
