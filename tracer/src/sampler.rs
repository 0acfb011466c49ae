//! Sampling decisions.
