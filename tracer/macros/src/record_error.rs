//! The code that records a function's `Err` on its span (`#[trace(record_errors)]`), for any
//! error type that implements `Error` or derefs to `dyn Error`.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::Ident;

/// Records `result`'s error, if any, by calling `method` on the error wrapped for
/// autoref-based dispatch: types implementing `Error` are recorded with their type name, smart
/// pointers to `dyn Error` (`Box<dyn Error + Send + Sync>`, `anyhow::Error`...) through it.
pub(crate) fn record_error(flag: Span, result: &Ident, method: &TokenStream2) -> TokenStream2 {
    let error = Ident::new("__spindle_error", Span::mixed_site());
    let (on, current) = (
        quote!(fn __spindle_record_on(self, span: &mut ::spindle::Span)),
        quote!(fn __spindle_record_current(self)),
    );
    let via = |trait_name: &str, refs: TokenStream2, bound: TokenStream2, deref: TokenStream2| {
        let trait_name = Ident::new(trait_name, Span::mixed_site());
        quote! {
            #[allow(dead_code, non_camel_case_types)]
            trait #trait_name {
                #on;
                #current;
            }
            impl<T: #bound> #trait_name for #refs __SpindleError<'_, T> {
                #on {
                    span.record_error(#deref self.0)
                }
                #current {
                    ::spindle::current::record_error(#deref self.0)
                }
            }
        }
    };
    let error_trait = quote!(::core::error::Error);
    let via_error = via(
        "__SpindleViaError",
        quote!(&&&),
        error_trait.clone(),
        quote!(),
    );
    let via_send_sync = via(
        "__SpindleViaDynSendSync",
        quote!(&&),
        quote!(::core::ops::Deref<Target = dyn #error_trait + ::core::marker::Send + ::core::marker::Sync>),
        quote!(&**),
    );
    let via_send = via(
        "__SpindleViaDynSend",
        quote!(&),
        quote!(::core::ops::Deref<Target = dyn #error_trait + ::core::marker::Send>),
        quote!(&**),
    );
    let via_dyn = via(
        "__SpindleViaDyn",
        quote!(),
        quote!(::core::ops::Deref<Target = dyn #error_trait>),
        quote!(&**),
    );
    quote_spanned! {flag=>
        if let ::core::result::Result::Err(#error) = &#result {
            #[allow(dead_code)]
            struct __SpindleError<'a, T: ?::core::marker::Sized>(&'a T);
            impl<T: ?::core::marker::Sized> ::core::clone::Clone for __SpindleError<'_, T> {
                fn clone(&self) -> Self {
                    *self
                }
            }
            impl<T: ?::core::marker::Sized> ::core::marker::Copy for __SpindleError<'_, T> {}
            #via_error
            #via_send_sync
            #via_send
            #via_dyn
            (&&&__SpindleError(#error)).#method;
        }
    }
}
