//! Interned call keys: a (service, operation) pair gets one small number shared by both sides,
//! so matching compares numbers, not strings.

use std::collections::HashMap;

use crate::index::Node;

use super::Side;

/// The name of one step of a call path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallKey {
    pub service: String,
    pub operation: String,
}

impl CallKey {
    /// `service: operation`, as the trace list and the tree label spans.
    pub fn label(&self) -> String {
        if self.service.is_empty() {
            self.operation.clone()
        } else {
            format!("{}: {}", self.service, self.operation)
        }
    }
}

/// The operation name of the 'missing parent' placeholder (its service is empty).
pub const MISSING_PARENT: &str = "(missing parent)";

/// Keys interned while both sides are read.
#[derive(Debug, Default)]
pub struct Keys<'a> {
    ids: HashMap<(&'a str, &'a str), u32>,
    names: Vec<(&'a str, &'a str)>,
}

impl<'a> Keys<'a> {
    /// The key of a tree node (the placeholder has its own key).
    pub fn of_node(&mut self, side: &Side<'a>, node: Node) -> u32 {
        match node.span() {
            Some(i) => self.of_span(side, i),
            None => self.intern("", MISSING_PARENT),
        }
    }

    pub fn of_span(&mut self, side: &Side<'a>, span: usize) -> u32 {
        self.intern(side.service(span), side.operation(span))
    }

    fn intern(&mut self, service: &'a str, operation: &'a str) -> u32 {
        let next = self.names.len() as u32;
        let id = *self.ids.entry((service, operation)).or_insert(next);
        if id == next {
            self.names.push((service, operation));
        }
        id
    }

    /// The owned names, by key id.
    pub fn into_names(self) -> Vec<CallKey> {
        self.names
            .into_iter()
            .map(|(service, operation)| CallKey {
                service: service.to_string(),
                operation: operation.to_string(),
            })
            .collect()
    }
}
