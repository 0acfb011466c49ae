//! The first step of a read: the containers of a request (`resource_spans`, `scope_spans`)
//! walked leniently into a list of [`Step`]s — where each span's bytes are, which resource and
//! scope it belongs to, and every problem found on the way — without decoding a span. Then,
//! once the spans are decoded, [`Plan::assemble`] replays the steps in file order.
//!
//! A bad span is reported and skipped; the spans beside it are kept. A problem in a resource
//! or scope skips the group it heads. A length that runs past the end of the input (a file or
//! request cut short) keeps every complete span before the cut and is reported once, at the
//! innermost message the cut falls in.

use super::decode::{self, DecodeFault};
use super::wire::{FieldValue, LEN, Reader, WireError, wrong_type};
use crate::context::ReadContext;
use crate::error::ReadError;
use crate::model::{Resource, ResourceIndex, Scope, ScopeIndex, Span, TraceData};

/// What the walk found, in file order.
pub(super) enum Step {
    /// The spans that follow belong to this group (an index into [`Plan::groups`]).
    Group(u32),
    /// A span's message: where its bytes start in the input and how many there are, and its
    /// index in its `ScopeSpans` (for the path of a problem).
    Span {
        start: usize,
        len: usize,
        index: u32,
    },
    /// A problem to report under a path.
    Fault(Box<(DecodeFault, String)>),
}

/// One `ScopeSpans`: its scope (interned at its first good span), its resource and its path.
struct Group {
    resource: usize,
    scope: Option<Scope>,
    scope_index: ScopeIndex,
    path: String,
}

/// A `ResourceSpans`' resource, interned at the first good span of any of its groups.
struct PendingResource {
    resource: Option<Resource>,
    index: ResourceIndex,
}

/// The containers of a request, walked.
pub(super) struct Plan {
    pub steps: Vec<Step>,
    groups: Vec<Group>,
    resources: Vec<PendingResource>,
    spans: usize,
}

impl Plan {
    /// Walks `bytes` (a whole request).
    pub fn of(bytes: &[u8]) -> Plan {
        let mut plan = Plan {
            steps: Vec::new(),
            groups: Vec::new(),
            resources: Vec::new(),
            spans: 0,
        };
        let mut reader = Reader::new(bytes, 0);
        let mut index = 0;
        loop {
            match reader.field_or_cut() {
                Ok(None) => break,
                Ok(Some((1, value, cut))) => {
                    let path = format!("resource_spans[{index}]");
                    index += 1;
                    let FieldValue::Len(body, base) = value else {
                        let at = reader.field_at();
                        plan.fault(wrong_type(1, LEN, &value, at).into(), &path);
                        continue;
                    };
                    let stopped = plan.resource_spans(body, base, &path);
                    plan.cut(cut, stopped, &path);
                }
                Ok(Some(_)) => {}
                Err(error) => {
                    plan.fault(error.into(), "");
                    break;
                }
            }
        }
        plan
    }

    /// Notes a fault under `parent`.
    fn fault(&mut self, fault: DecodeFault, parent: &str) {
        self.steps
            .push(Step::Fault(Box::new((fault, parent.to_owned()))));
    }

    /// Notes that the message at `path` was cut short, unless the problem that stopped reading
    /// inside it (the cut, seen from within) was noted already.
    fn cut(&mut self, cut: Option<WireError>, stopped: bool, path: &str) {
        if let Some(error) = cut
            && !stopped
        {
            self.fault(error.into(), path);
        }
    }

    /// One `ResourceSpans`; true when a problem that stopped reading it was noted.
    fn resource_spans(&mut self, body: &[u8], base: usize, path: &str) -> bool {
        let mut resources: Vec<(&[u8], usize)> = Vec::new();
        let mut schema_url = None;
        let mut groups = Vec::new();
        let mut reader = Reader::new(body, base);
        let mut scan_error = None;
        loop {
            match reader.field_or_cut() {
                Ok(None) => break,
                Ok(Some((1, FieldValue::Len(bytes, start), None))) => {
                    resources.push((bytes, start))
                }
                Ok(Some((1, _, Some(cut)))) => {
                    self.fault(cut.into(), &format!("{path}.resource"));
                    return true;
                }
                Ok(Some((2, value, cut))) => groups.push((value, reader.field_at(), cut)),
                Ok(Some((3, value, None))) => schema_url = Some((value, reader.field_at())),
                Ok(Some((1, value, None))) => {
                    scan_error = Some(wrong_type(1, LEN, &value, reader.field_at()).into());
                    break;
                }
                Ok(Some(_)) => {}
                Err(error) => {
                    scan_error = Some(DecodeFault::from(error));
                    break;
                }
            }
        }
        let mut resource = Resource::default();
        for (bytes, start) in resources {
            if let Err(fault) = decode::resource_into(&mut resource, bytes, start) {
                self.fault(fault, &format!("{path}.resource"));
                return true;
            }
        }
        if let Some((value, at)) = schema_url {
            match decode::string(3, value, at, "schema_url") {
                Ok(url) => resource.schema_url = url,
                Err(fault) => {
                    self.fault(fault, path);
                    return true;
                }
            }
        }
        self.resources.push(PendingResource {
            resource: Some(resource),
            index: ResourceIndex(0),
        });
        let mut stopped = false;
        for (s, (value, at, cut)) in groups.into_iter().enumerate() {
            let path = format!("{path}.scope_spans[{s}]");
            let FieldValue::Len(bytes, start) = value else {
                self.fault(wrong_type(2, LEN, &value, at).into(), &path);
                continue;
            };
            let inner = self.scope_spans(bytes, start, path.clone());
            self.cut(cut, inner, &path);
            stopped |= cut.is_some();
        }
        if let Some(fault) = scan_error {
            self.fault(fault, path);
            stopped = true;
        }
        stopped
    }

    /// One `ScopeSpans` of the newest resource; true when a problem that stopped reading it
    /// was noted.
    fn scope_spans(&mut self, body: &[u8], base: usize, path: String) -> bool {
        let scope = match scope_of(body, base) {
            Ok((scope, spans)) => {
                self.spans += spans;
                scope
            }
            Err(fault) => {
                self.fault(fault, &path);
                return true;
            }
        };
        self.steps.push(Step::Group(self.groups.len() as u32));
        self.groups.push(Group {
            resource: self.resources.len() - 1,
            scope: Some(scope),
            scope_index: ScopeIndex(0),
            path,
        });
        let mut reader = Reader::new(body, base);
        let mut index = 0_u32;
        loop {
            let (value, cut) = match reader.field_or_cut() {
                Ok(None) => return false,
                Ok(Some((2, value, cut))) => (value, cut),
                Ok(Some(_)) => continue,
                Err(error) => {
                    let path = self.group_path();
                    self.fault(error.into(), &path);
                    return true;
                }
            };
            let at = reader.field_at();
            let fault = match (value, cut) {
                (_, Some(cut)) => DecodeFault::from(cut),
                (FieldValue::Len(bytes, start), None) => {
                    let len = bytes.len();
                    self.steps.push(Step::Span { start, len, index });
                    index += 1;
                    continue;
                }
                (other, None) => wrong_type(2, LEN, &other, at).into(),
            };
            let path = format!("{}.spans[{index}]", self.group_path());
            self.fault(fault, &path);
            index += 1;
            if cut.is_some() {
                return true;
            }
        }
    }

    fn group_path(&self) -> String {
        self.groups
            .last()
            .map(|g| g.path.clone())
            .unwrap_or_default()
    }

    /// Replays the steps in file order with the decoded spans (one per [`Step::Span`], in
    /// order): good spans join `data` with their resource and scope (each interned at its
    /// first good span), problems are reported.
    pub fn assemble(
        mut self,
        context: &mut ReadContext<'_>,
        decoded: impl IntoIterator<Item = Result<Span, DecodeFault>>,
    ) -> Result<TraceData, ReadError> {
        let mut data = TraceData::default();
        data.spans.reserve(self.spans);
        let mut decoded = decoded.into_iter();
        let mut group = 0;
        for step in std::mem::take(&mut self.steps) {
            match step {
                Step::Group(g) => group = g as usize,
                Step::Fault(fault) => report(context, fault.0, &fault.1)?,
                Step::Span { index, .. } => match decoded.next() {
                    Some(Ok(mut span)) => {
                        (span.resource, span.scope) = self.intern(group, &mut data);
                        data.spans.push(span);
                    }
                    Some(Err(fault)) => {
                        let path = format!("{}.spans[{index}]", self.groups[group].path);
                        report(context, fault, &path)?;
                    }
                    None => {}
                },
            }
        }
        Ok(data)
    }

    /// The resource and scope of `group`'s spans, interned at the first call for each.
    fn intern(&mut self, group: usize, data: &mut TraceData) -> (ResourceIndex, ScopeIndex) {
        let Some(group) = self.groups.get_mut(group) else {
            return (ResourceIndex(0), ScopeIndex(0));
        };
        if let Some(scope) = group.scope.take() {
            group.scope_index = data.intern_scope(scope);
        }
        let pending = &mut self.resources[group.resource];
        if let Some(resource) = pending.resource.take() {
            pending.index = data.intern_resource(resource);
        }
        (pending.index, group.scope_index)
    }
}

/// Reports a fault under `parent` (a warning, or the error in a strict read).
fn report(
    context: &mut ReadContext<'_>,
    fault: DecodeFault,
    parent: &str,
) -> Result<(), ReadError> {
    let fault = fault.within(parent);
    let warning = context.binary_warning(fault.at, fault.path, fault.problem);
    context.report(warning)
}

/// The scope of a `ScopeSpans` with its `schema_url`, wherever in it the fields are (they may
/// follow the spans), and how many spans it holds (to reserve room for them at once).
fn scope_of(body: &[u8], base: usize) -> Result<(Scope, usize), DecodeFault> {
    let mut scope = Scope::default();
    let mut schema_url = None;
    let mut spans = 0;
    let mut reader = Reader::new(body, base);
    let in_scope = |fault: DecodeFault| fault.within("scope");
    // Problems other than in the scope itself are noted while the spans are walked.
    while let Ok(Some((field, value, cut))) = reader.field_or_cut() {
        let at = reader.field_at();
        match (field, value, cut) {
            (1, _, Some(cut)) => return Err(in_scope(cut.into())),
            (1, FieldValue::Len(bytes, start), None) => {
                decode::scope_into(&mut scope, bytes, start).map_err(in_scope)?
            }
            (1, other, None) => return Err(in_scope(wrong_type(1, LEN, &other, at).into())),
            (2, ..) => spans += 1,
            (3, value, None) => schema_url = Some(decode::string(3, value, at, "schema_url")?),
            _ => {}
        }
    }
    if let Some(url) = schema_url {
        scope.schema_url = url;
    }
    Ok((scope, spans))
}
