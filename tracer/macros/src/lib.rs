//! The `#[trace]` attribute.
use proc_macro::TokenStream;

/// Placeholder.
#[proc_macro_attribute]
pub fn trace(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
