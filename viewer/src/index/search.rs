//! Text search over one trace: names, services, attribute keys and values, case-insensitive.

use spindle_formats::TraceData;

use super::{Index, Node, Trace};

impl Index {
    /// Nodes of `trace` matching `query` (case-insensitive) in names, services, attribute keys
    /// and values, in tree order.
    pub fn search(&self, data: &TraceData, trace: &Trace, query: &str) -> Vec<Node> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return Vec::new();
        }
        trace
            .order
            .iter()
            .copied()
            .filter(|node| {
                node.span()
                    .is_some_and(|i| self.span_matches(data, i, &query))
            })
            .collect()
    }

    fn span_matches(&self, data: &TraceData, i: usize, lower_query: &str) -> bool {
        let span = &data.spans[i];
        let hit = |text: &str| contains_lowercase(text, lower_query);
        hit(&span.name)
            || hit(self.service_name(self.service_of[i]))
            || span
                .attributes
                .iter()
                .any(|kv| hit(&kv.key) || hit(&kv.value.to_string()))
    }
}

/// Case-insensitive substring test; `lower_query` is already lowercase. No allocation when
/// the query is ASCII (an ASCII byte never matches inside a multi-byte character).
pub fn contains_lowercase(text: &str, lower_query: &str) -> bool {
    if !lower_query.is_ascii() {
        return text.to_lowercase().contains(lower_query);
    }
    let (text, query) = (text.as_bytes(), lower_query.as_bytes());
    query.is_empty()
        || text
            .windows(query.len())
            .any(|w| w.eq_ignore_ascii_case(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_lowercase("GET /Checkout", "checkout"));
        assert!(!contains_lowercase("GET", "gets"));
        assert!(contains_lowercase("Größe", "größe"));
        assert!(contains_lowercase("Größe /cart", "/cart"));
    }
}
