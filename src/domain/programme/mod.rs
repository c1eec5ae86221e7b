//! The programme: agreements, goals, actions with their metrics and progress reports.

crate::versioned!(action, "Action", "action", searchable);
crate::versioned!(progress_report, "ProgressReport", "progress report");
