//! The checked-in SDL matches the schema.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let current = yhdyspinta::graphql::sdl();
    if checked_in != current {
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &current).expect("write schema.graphql");
        } else {
            panic!(
                "schema.graphql is out of date; regenerate it with \
                 `cargo run -- schema > schema.graphql` (or UPDATE_SCHEMA=1 cargo test)"
            );
        }
    }
}
