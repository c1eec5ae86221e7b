//! Integration tests: the HTTP application end to end, on SQLite and PostgreSQL.

mod support;

mod calendar;
mod change_migration;
mod changes;
mod cli;
mod concurrency;
mod csv_import;
mod delivery;
mod embed;
mod filters;
mod graphiql;
mod headers;
mod http;
mod http_audit;
mod layout;
mod limits;
mod lists;
mod lookups;
mod operations;
mod outage;
mod persisted;
mod policy;
mod replica;
mod reviews;
mod schema;
mod search;
mod seed_facts;
mod subscriptions;
mod tokens;
mod webhook_crash;
mod webhooks;
mod writes;
