//! `ParentBased`: follow the parent's decision, with a sampler for each kind of parent.

use super::{Sampler, SamplingInput, SamplingResult, ShouldSample};
use crate::span_context::SpanContext;

/// Follows the parent's sampled flag, with a separate delegate for each kind of parent and a
/// root sampler for spans without one. Defaults match OpenTelemetry: sampled parents are
/// followed with `AlwaysOn`, unsampled ones with `AlwaysOff`.
#[derive(Debug, Clone)]
pub struct ParentBased {
    root: Sampler,
    remote_parent_sampled: Sampler,
    remote_parent_not_sampled: Sampler,
    local_parent_sampled: Sampler,
    local_parent_not_sampled: Sampler,
}

impl ParentBased {
    /// Parent-based sampling with `root` for spans without a parent and the default delegates.
    pub fn new(root: Sampler) -> Self {
        ParentBased {
            root,
            remote_parent_sampled: Sampler::AlwaysOn,
            remote_parent_not_sampled: Sampler::AlwaysOff,
            local_parent_sampled: Sampler::AlwaysOn,
            local_parent_not_sampled: Sampler::AlwaysOff,
        }
    }

    /// Uses `root` for spans without a parent (the other delegates kept).
    pub fn with_root(mut self, root: Sampler) -> Self {
        self.root = root;
        self
    }

    /// Uses `sampler` under a sampled remote parent.
    pub fn with_remote_parent_sampled(mut self, sampler: Sampler) -> Self {
        self.remote_parent_sampled = sampler;
        self
    }

    /// Uses `sampler` under an unsampled remote parent.
    pub fn with_remote_parent_not_sampled(mut self, sampler: Sampler) -> Self {
        self.remote_parent_not_sampled = sampler;
        self
    }

    /// Uses `sampler` under a sampled local parent.
    pub fn with_local_parent_sampled(mut self, sampler: Sampler) -> Self {
        self.local_parent_sampled = sampler;
        self
    }

    /// Uses `sampler` under an unsampled local parent.
    pub fn with_local_parent_not_sampled(mut self, sampler: Sampler) -> Self {
        self.local_parent_not_sampled = sampler;
        self
    }

    /// The sampler for spans without a parent.
    pub fn root(&self) -> &Sampler {
        &self.root
    }

    /// The sampler that decides for a span with this parent.
    fn delegate(&self, parent: Option<&SpanContext>) -> &Sampler {
        match parent.filter(|p| p.is_valid()) {
            None => &self.root,
            Some(p) => match (p.is_remote, p.is_sampled()) {
                (true, true) => &self.remote_parent_sampled,
                (true, false) => &self.remote_parent_not_sampled,
                (false, true) => &self.local_parent_sampled,
                (false, false) => &self.local_parent_not_sampled,
            },
        }
    }
}

impl ShouldSample for ParentBased {
    #[inline]
    fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
        self.delegate(input.parent).should_sample(input)
    }
}
