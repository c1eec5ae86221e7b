//! Reference data: topics (by slug, with their descendants) and areas.

pub mod service;
