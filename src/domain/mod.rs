//! The domain: values parsed at the boundary and the services that own every SQL statement,
//! policy check, audit entry and derived column of their part of the data. Nothing here
//! knows about GraphQL; services take a connection or a transaction and the caller.

pub mod calendar;
pub mod changes;
pub mod counterpart;
pub mod network;
pub mod organisation;
pub mod persisted;
pub mod person;
pub mod programme;
pub mod reference;
pub mod representative;
pub mod review;
pub mod search;
pub mod validity;
pub mod values;
pub mod webhook;
