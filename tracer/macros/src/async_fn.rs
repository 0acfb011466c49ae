//! An `async fn` rewritten as a plain `fn` returning its future, so that code can run when the
//! function is called: the caller's current context is taken then, and the future attaches it
//! whenever it is polled (on whichever thread or task polls it).
//!
//! ```text
//! async fn fetch(id: u64, (a, b): (u8, u8)) -> Row { body }
//! // becomes
//! fn fetch(id: u64, __spindle_arg1: (u8, u8)) -> impl Future<Output = Row> {
//!     ::spindle::Instrument::in_current_span(async move {
//!         let id = id;
//!         let __spindle_arg1 = __spindle_arg1; // moved in even if the pattern binds nothing
//!         let (a, b) = __spindle_arg1;
//!         body
//!     })
//! }
//! ```
//!
//! Every argument is moved into the future, as an `async fn` does, so arguments the body does
//! not use are still dropped when the future is, not when the function returns.
//!
//! The `impl Future` is written by this crate, whose edition (2024) captures every lifetime in
//! scope, as an `async fn`'s future does; so the rewrite compiles in crates of older editions
//! too, where a hand-written `-> impl Future` borrowing an argument would not.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{Attribute, FnArg, Pat, PatIdent, ReturnType, Signature};

/// The rewritten signature and body of a traced `async fn` whose future's body (the span
/// started, the statements run in it) is `future_body`.
pub(crate) fn rewrite(mut sig: Signature, future_body: TokenStream2) -> TokenStream2 {
    sig.asyncness = None;
    let mut moves = Vec::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                // A `self` taken by value lives as long as the future, used or not.
                if receiver.reference.is_none() {
                    moves.push(quote!(let _ = &self;));
                }
            }
            FnArg::Typed(typed) => {
                let pattern = (*typed.pat).clone();
                let (name, plain) = match &pattern {
                    Pat::Ident(PatIdent {
                        by_ref: None,
                        subpat: None,
                        ident,
                        ..
                    }) => (ident.clone(), true),
                    _ => (
                        format_ident!("__spindle_arg{}", index, span = Span::mixed_site()),
                        false,
                    ),
                };
                *typed.pat = Pat::Ident(PatIdent {
                    attrs: Vec::new(),
                    by_ref: None,
                    mutability: None,
                    ident: name.clone(),
                    subpat: None,
                });
                let allow = quote!(#[allow(clippy::redundant_locals)]);
                moves.push(match plain {
                    true => quote!(#allow let #pattern = #name;),
                    false => quote!(#allow let #name = #name; let #pattern = #name;),
                });
            }
        }
    }
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
    quote! {
        #sig {
            ::spindle::Instrument::in_current_span(async move {
                #(#moves)*
                #future_body
            })
        }
    }
}

/// Whether `attribute` is one that needs an `async fn` to expand (`#[tokio::main]`,
/// `#[tokio::test]`, `#[async_std::main]`, ...: its path ends in `main` or `test`), so that the
/// function must stay one.
pub(crate) fn needs_async(attribute: &Attribute) -> bool {
    let last = attribute.path().segments.last();
    last.is_some_and(|segment| segment.ident == "main" || segment.ident == "test")
}
