//! What a read takes ([`ReadOptions`]) and gives ([`Loaded`]): shared by the dispatcher in
//! `read.rs` and every codec's reader, so that no codec imports its caller.

use crate::detect::Format;
use crate::error::Warning;
use crate::model::TraceData;

/// How to treat problems in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Fail on the first problem. When false (the default), a bad span is skipped with a
    /// [`Warning`] and every other span is returned.
    pub strict: bool,
}

/// What a read produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The format the content was in.
    pub format: Format,
    /// The spans read, with their resources and scopes.
    pub data: TraceData,
    /// Problems a lenient read skipped past, in input order.
    pub warnings: Vec<Warning>,
}

impl Loaded {
    /// What a read with no problem in it produced: the model, no warnings.
    pub(crate) fn clean(format: Format, data: TraceData) -> Loaded {
        Loaded {
            format,
            data,
            warnings: Vec::new(),
        }
    }
}
