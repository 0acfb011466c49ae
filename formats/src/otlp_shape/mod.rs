//! OTLP's JSON shapes for a resource, a scope and a span's events, links, status and dropped
//! counts, shared by OTLP/JSON and Spindle JSON (which borrows OTLP's shapes).
//!
//! The two formats differ in how they encode times (OTLP: decimal strings, read from strings
//! or numbers; Spindle: numbers), status codes (OTLP: `0`/`1`/`2` or enum names; Spindle:
//! `"unset"`/`"ok"`/`"error"`), ids (OTLP also reads base64) and attributes. Each format
//! names its encodings by implementing [`WriteEncoding`] and [`ReadEncoding`]; the code that
//! walks the shapes is here, once.

mod read;
mod write;

pub(crate) use read::{
    EventParts, LinkWire, ReadEncoding, ResourceWire, ScopeWire, StatusCode, StatusWire, count,
    events, links, resource, scope, status,
};
pub(crate) use write::{List, Part, WriteEncoding, scope_extras, span_parts};
