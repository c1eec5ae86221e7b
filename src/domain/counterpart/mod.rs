//! Counterparts (vastinparit): who answers for a municipality and for the county on each
//! interface topic and level, and whether a county keeps that promise everywhere.
