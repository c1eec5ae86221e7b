//! Who is calling and what they may do: token verification, the access policy, the owner
//! chains the policy reads, and the guards resolvers start with.

pub mod guard;
pub mod owners;
pub mod policy;
pub mod token;
