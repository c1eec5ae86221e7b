//! Pricing a request before anything runs: every anonymous request is hostile until its
//! cost is known, so nothing — not even async-graphql's own parser or validation — sees a
//! document that has not been measured here first.
//!
//! A request passes three gates, each linear in the size of the document:
//!
//! 1. [`scan()`] reads the raw text once: its size in bytes, its GraphQL tokens and how deep
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

use std::fmt;

mod introspection;
mod model;
mod price;
mod scan;
#[cfg(test)]
mod tests;

pub use model::CostModel;
pub use scan::{Scan, scan};

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

impl CostModel {
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
