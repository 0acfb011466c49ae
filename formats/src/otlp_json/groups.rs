//! The containers around spans: `ResourceSpans` (a resource and its schema URL) and
//! `ScopeSpans` (a scope and its schema URL), read into the model's [`Resource`] and [`Scope`].

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::Encoding;
use super::any_value::KeyValueWire;
use crate::context::Fault;
use crate::model::{Resource, Scope};
use crate::otlp_shape::{self, ResourceWire, ScopeWire};
use crate::text::owned;

/// One `ResourceSpans`; `S` is how spans are parsed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a resourceSpans object")]
pub(super) struct ResourceSpansWire<'a, S = &'a RawValue> {
    #[serde(borrow, default)]
    resource: Option<ResourceWire<'a, KeyValueWire<'a>>>,
    #[serde(borrow, default = "Vec::new", alias = "instrumentationLibrarySpans")]
    pub scope_spans: Vec<ScopeSpansWire<'a, S>>,
    #[serde(borrow, default)]
    schema_url: Cow<'a, str>,
}

/// One `ScopeSpans`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a scopeSpans object")]
pub(super) struct ScopeSpansWire<'a, S = &'a RawValue> {
    #[serde(borrow, default, alias = "instrumentationLibrary")]
    scope: Option<ScopeWire<'a, KeyValueWire<'a>>>,
    #[serde(default = "Vec::new")]
    pub spans: Vec<S>,
    #[serde(borrow, default)]
    schema_url: Cow<'a, str>,
}

impl<'a, S> ResourceSpansWire<'a, S> {
    /// The resource with the group's `schemaUrl` (a bad attribute is named
    /// `resource.attributes[i]…`) and the scope groups.
    pub fn split(self) -> (Result<Resource, Fault<'a>>, Vec<ScopeSpansWire<'a, S>>) {
        let resource = match self.resource {
            Some(wire) => otlp_shape::resource::<Encoding>(wire).map_err(|f| f.within("resource")),
            None => Ok(Resource::default()),
        };
        let resource = resource.map(|mut resource| {
            if !self.schema_url.is_empty() {
                resource.schema_url = owned(self.schema_url);
            }
            resource
        });
        (resource, self.scope_spans)
    }
}

impl<'a, S> ScopeSpansWire<'a, S> {
    /// The scope with the group's `schemaUrl` (a bad attribute is named
    /// `scope.attributes[i]…`) and the spans.
    pub fn split(self) -> (Result<Scope, Fault<'a>>, Vec<S>) {
        let scope = match self.scope {
            Some(wire) => otlp_shape::scope::<Encoding>(wire).map_err(|f| f.within("scope")),
            None => Ok(Scope::default()),
        };
        let scope = scope.map(|mut scope| {
            if !self.schema_url.is_empty() {
                scope.schema_url = owned(self.schema_url);
            }
            scope
        });
        (scope, self.spans)
    }
}
