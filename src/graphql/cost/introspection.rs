//! The built-in introspection types, and the list sizes they are priced at for this
//! schema.

use super::model::{CostModel, FanOut, FieldInfo};

/// The introspection types as the GraphQL specification defines them (with the optional
/// fields GraphiQL may ask for); the SDL async-graphql exports leaves them out.
pub(super) const INTROSPECTION_SDL: &str = r#"
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
pub(super) const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// The shapes of a schema that introspection answers scale with.
#[derive(Debug, Default)]
pub(super) struct SchemaCounts {
    pub(super) types: u64,
    pub(super) fields: u64,
    pub(super) field_args: u64,
    pub(super) input_fields: u64,
    pub(super) enum_values: u64,
    pub(super) interfaces: u64,
    pub(super) possible_types: u64,
    pub(super) directives: u64,
    pub(super) directive_args: u64,
    pub(super) directive_locations: u64,
}

/// A list size of `total` items spread over `over` owners, at least 1.
fn per(total: u64, over: u64) -> u64 {
    total.div_ceil(over.max(1)).max(1)
}

impl CostModel {
    /// Adds `__schema` and `__type` to the query root and sizes the introspection lists by
    /// this schema: `types` as many as it has, `fields` as many as a type has on average,
    /// and so on, so that GraphiQL's introspection query is priced at about its answer.
    pub(super) fn add_introspection(&mut self, counts: &SchemaCounts) {
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
}
