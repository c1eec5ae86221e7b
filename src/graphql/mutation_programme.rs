//! Emptied: its mutations moved to `graphql::{network, seat, meeting, action}` over
//! `domain::{network, programme}`; the file goes with the last move out of it.
