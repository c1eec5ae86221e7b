//! Integration tests: the HTTP application end to end, on SQLite and PostgreSQL.

mod support;

mod cli;
mod filters;
mod http;
mod layout;
mod limits;
mod lists;
mod lookups;
mod operations;
mod outage;
mod replica;
mod schema;
mod seed_facts;
mod writes;
