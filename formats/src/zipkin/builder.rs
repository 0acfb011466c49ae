//! The model a Zipkin read builds: spans, with resources and scopes shared between them.

use std::collections::HashMap;

use crate::conventions::typed_tag;
use crate::model::{KeyValue, Resource, ResourceIndex, Scope, ScopeIndex, TraceData};

/// The spans read so far, with resources and scopes shared between them.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) data: TraceData,
    resources: HashMap<Vec<(String, String)>, ResourceIndex>,
    /// The resources that are a `service.name` alone, by that name (found without allocating).
    services: HashMap<String, ResourceIndex>,
    scopes: HashMap<(String, String), ScopeIndex>,
}

impl Builder {
    /// The resource whose only attribute is this `service.name`.
    pub(super) fn service_resource(&mut self, service: &str) -> ResourceIndex {
        if let Some(index) = self.services.get(service) {
            return *index;
        }
        let index = self.resource(vec![("service.name".to_owned(), service.to_owned())]);
        self.services.insert(service.to_owned(), index);
        index
    }

    pub(super) fn resource(&mut self, key: Vec<(String, String)>) -> ResourceIndex {
        if let Some(index) = self.resources.get(&key) {
            return *index;
        }
        let attributes = key
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), typed_tag(k, v.clone().into())))
            .collect();
        self.data.resources.push(Resource {
            attributes,
            ..Default::default()
        });
        let index = ResourceIndex((self.data.resources.len() - 1) as u32);
        self.resources.insert(key, index);
        index
    }

    pub(super) fn scope(&mut self, key: (String, String)) -> ScopeIndex {
        if let Some(index) = self.scopes.get(&key) {
            return *index;
        }
        let (name, version) = key.clone();
        self.data.scopes.push(Scope {
            name: name.into(),
            version: version.into(),
            ..Default::default()
        });
        let index = ScopeIndex((self.data.scopes.len() - 1) as u32);
        self.scopes.insert(key, index);
        index
    }
}
