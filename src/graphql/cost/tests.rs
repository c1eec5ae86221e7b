use std::sync::OnceLock;

use async_graphql::Variables;

use super::model::{COUNT_WEIGHT, FanOut, LIST_SIZES, WEIGHTS};
use super::*;
use crate::graphql::paging::{DEFAULT_PAGE, MAX_PAGE};

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

const GRAPHIQL_INTROSPECTION: &str = include_str!("../../../tests/fixtures/introspection.graphql");

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
    r#"{ search(text: "kuopion") { nodes { __typename ... on Organisation { name } } } }"#,
    r#"query($c: String) { organisations(first: 1, filter: { municipalityCode: $c }) {
        edges { node { name county { name } representatives { nodes { level person { name email }
        topic { slug } } } memberships { nodes { network { name } } } } } } }"#,
    r#"{ coverage(countyId: "x") { county { name } expected covered ratio
        gaps { municipality { name } topic { slug } level missing } } }"#,
    r#"mutation { createMeeting(input: { networkId: "x", startsAt: "2026-04-15T09:00:00+03:00" })
        { meeting { id } } createProgressReport(input: { actionId: "x", reportedOn: "2026-06-30",
        status: IN_PROGRESS, summary: "s" }) { progressReport { id } } }"#,
];

/// The issue's nesting attack, now that nested lists are connections: a county's
/// municipalities and their county, four times (five would pass the depth limit).
fn nesting_attack() -> String {
    let mut nested = String::from("name");
    for _ in 0..4 {
        nested = format!("municipalities {{ nodes {{ county {{ {nested} }} }} }}");
    }
    format!(r#"{{ organisation(id: "4b1c2d3e-0000-0000-0000-000000000000") {{ {nested} }} }}"#)
}

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
    let err = check(&nesting_attack()).unwrap_err();
    assert_eq!(err.code(), "QUERY_TOO_COSTLY");
    // A page of 20 municipalities, each with its county (one) and that county's 20, four
    // times.
    let CostError::TooCostly { cost, .. } = err else {
        unreachable!()
    };
    assert!(cost > 20u64.pow(4), "{cost}");
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
    let one = check("{ search(text: \"x\") { nodes { ... on Person { name } } } }").unwrap();
    let two = check(
        "{ search(text: \"x\") { nodes { ... on Person { name } ... on Organisation { name } } } }",
    )
    .unwrap();
    assert!(two.cost > one.cost);
    let big =
        check("{ search(text: \"x\", first: 100) { nodes { ... on Person { name } } } }").unwrap();
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
    let err =
        check("{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }").unwrap_err();
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
        check("{ search(text: \"x\") { totalCount } }")
            .unwrap()
            .cost
            >= 2_000
    );
    // A search page fans out by its `first`, like every connection.
    let page = |n: u64| {
        check(&format!(
            "{{ search(text: \"x\", first: {n}) {{ nodes {{ ... on Person {{ name }} }} }} }}"
        ))
        .unwrap()
        .cost
    };
    assert_eq!(page(100) - page(20), 80 * (page(21) - page(20)));
    let err = check(
        "{ a: coverage(countyId: \"x\") { expected } b: coverage(countyId: \"y\") { expected } \
         c: coverage(countyId: \"z\") { expected } }",
    )
    .unwrap_err();
    assert_eq!(err.code(), "QUERY_TOO_COSTLY");
}

#[test]
fn a_change_feed_page_fans_out_by_first_and_its_fields_by_an_estimate() {
    let page = |first: u32| {
        check(&format!(
            "{{ changes(first: {first}) {{ nodes {{ cursor fields {{ field before after }} }} endCursor }} }}"
        ))
        .unwrap()
        .cost
    };
    let (ten, hundred) = (page(10), page(100));
    assert!(ten < hundred, "{ten} {hundred}");
    assert!(
        hundred < 50_000,
        "the largest page of changes fits the default limit: {hundred}"
    );
}
