//! The data the server ships with: national reference data (counties and municipalities)
//! and the programme facts of the source documents, embedded in the binary.
//!
//! [`Dataset::build`] (in [`build`], one file per domain) turns the files into database
//! rows, resolving every key reference and rejecting unknown ones; [`load`] inserts the
//! rows that are missing, in one transaction, so loading twice changes nothing.

mod build;
pub mod files;
mod keys;
mod load;

pub use build::Dataset;
pub use keys::id_for;
pub use load::{LoadReport, is_empty, load};
