//! A GraphQL-over-HTTP request's parameters, read from a `POST`'s JSON body or a `GET`'s
//! query string: `query`, `operationName`, `variables` and `extensions`, each checked for
//! its type (a number for `query` or a string for `variables` is a `400`).

use serde::Deserialize;
use serde_json::{Map, Value};

/// The parameters of one request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<Map<String, Value>>,
    #[serde(default)]
    pub extensions: Option<Map<String, Value>>,
}

/// A `GET`'s parameters, the JSON ones still text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryString {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// Why parameters could not be read: the message for the caller.
pub type Refused = String;

impl Params {
    /// The parameters of a `POST` body; a JSON array is a batch, which the caller refuses.
    pub fn from_json(value: Value) -> Result<Self, Refused> {
        serde_json::from_value(value)
            .map_err(|err| format!("the body is not a GraphQL request: {err}"))
    }

    /// The parameters of a `GET` query string: `variables` and `extensions` are JSON text.
    pub fn from_query_string(text: &str) -> Result<Self, Refused> {
        let raw: QueryString = serde_urlencoded::from_str(text)
            .map_err(|err| format!("the query string is not a GraphQL request: {err}"))?;
        let object = |name: &str, text: Option<String>| -> Result<_, Refused> {
            match text.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(text) => serde_json::from_str::<Option<Map<String, Value>>>(text)
                    .map_err(|err| format!("{name} is not a JSON object: {err}")),
            }
        };
        Ok(Self {
            query: raw.query.filter(|query| !query.is_empty()),
            operation_name: raw.operation_name.filter(|name| !name.is_empty()),
            variables: object("variables", raw.variables)?,
            extensions: object("extensions", raw.extensions)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Params;

    #[test]
    fn parameters_of_the_wrong_type_are_refused() {
        for body in [
            json!({ "query": 0 }),
            json!({ "query": "{ a }", "operationName": false }),
            json!({ "query": "{ a }", "variables": "x" }),
            json!({ "query": "{ a }", "extensions": ["x"] }),
        ] {
            assert!(Params::from_json(body.clone()).is_err(), "{body}");
        }
        let nulls = json!({ "query": "{ a }", "operationName": null, "variables": null, "extensions": null });
        assert_eq!(
            Params::from_json(nulls).unwrap().query.as_deref(),
            Some("{ a }")
        );
    }

    #[test]
    fn a_query_string_carries_json_variables() {
        let params = Params::from_query_string(
            "query=query+Q(%24n%3AString!)%7B__type(name%3A%24n)%7Bname%7D%7D&operationName=Q&variables=%7B%22n%22%3A%22Query%22%7D",
        )
        .unwrap();
        assert_eq!(params.operation_name.as_deref(), Some("Q"));
        assert_eq!(params.variables.unwrap()["n"], "Query");
        assert!(Params::from_query_string("query=%7Ba%7D&variables=x").is_err());
    }
}
