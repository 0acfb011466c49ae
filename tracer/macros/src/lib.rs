//! The `#[trace]` attribute.
