//! The `#[spindle::trace]` attribute: runs a function inside a span.
//!
//! Use it through the `spindle` crate (`#[spindle::trace]`); the generated code refers to
//! `::spindle`, so the tracer must be a dependency under that name.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Error, FnArg, Ident, ItemFn, LitStr, Pat, ReturnType, Token, Type};

mod async_fn;
mod options;
mod record_error;

use options::{ArgumentType, Attribute, AttributeValue, Options};
use record_error::record_error;

/// Runs a function inside a span: a child of the caller's current span, current for the
/// body (so spans created inside become its children), ended when the function returns.
///
/// On a plain `fn` the span is entered for the call and ends when the function returns, also
/// on an early `return`, `?` or panic.
///
/// On an `async fn` the parent is taken when the function is called: the future it returns
/// carries the caller's current span, so `tokio::spawn(fetch(1))` inside a `request` span
/// makes `fetch` a child of `request` even though a runtime thread, where nothing is current,
/// polls it. The span itself starts when the future is first polled (as with `tracing`'s
/// `#[instrument]`, so its time is the work's, not the wait before it), is current whenever the
/// body runs (on any executor, across every `.await`), and ends when the future completes or is
/// dropped; a future dropped before its first poll records no span. If nothing is current at
/// the call, the span's parent is whatever is current where it is first polled. To do this the
/// function becomes a plain `fn` returning `impl Future<Output = T>` (which is how rustdoc shows
/// it); the future captures every argument and lifetime as the `async fn` did, is `Send` when
/// they are, and still implements a trait's `async fn`. An `async fn` that another attribute
/// below this one turns into an entry point (`#[tokio::main]`, `#[tokio::test]`, any attribute
/// whose last segment is `main` or `test`) stays an `async fn`, since that attribute needs one:
/// its span and parent are taken at the first poll, where the entry point runs it.
///
/// Works on free functions and methods (`self`, `&self`, `&mut self`), with generics, `where`
/// clauses and `impl Trait` arguments; the function's attributes, doc comments, visibility
/// and signature are kept.
///
/// # Options
///
/// Comma-separated, each at most once:
///
/// - `name = "text"`: the span's name (default: the function's name, e.g. `load_user`).
/// - `kind = "server" | "client" | "producer" | "consumer" | "internal"`: the span kind
///   (default `internal`).
/// - `attrs(...)`: attributes, computed only if the span is sampled. Each item is either
///   - `arg`: an argument recorded under its own name, as
///     `spindle::Value::from(arg.clone())`, so its type must convert into `spindle::Value`:
///     `bool`, `i32`, `i64`, `u32`, `f32`, `f64`, `String`, `&'static str`, `Vec<_>` of
///     those... An argument of type `&T` or `&mut T` records a clone of the `T`, and one of
///     type `&str` a `String`. `self` is allowed in methods.
///   - `key = expr` or `"dotted.key" = expr`: `spindle::Value::from(expr)`; `expr` may use
///     the arguments (by reference or by cloning: it must not move them).
/// - `debug(...)`: like `attrs`, but records `format!("{:?}", value)` as a string; items are
///   `arg`, `key = expr` or `"dotted.key" = expr`.
/// - `record_errors`: the function returns a `Result` (any alias of it); an `Err` is recorded
///   on the span with [`Span::record_error`](https://docs.rs/spindle) (an `exception` event and
///   an error status) before it is returned. The error type must implement
///   `std::error::Error`, or deref to `dyn Error` (+ `Send` (+ `Sync`)), like
///   `Box<dyn Error + Send + Sync>`. On a plain `fn` the body then runs in a closure, so a
///   body that returns a reference reborrowed from a `&mut` argument may not compile.
///
/// Argument names in `attrs` and `debug` are checked: naming a parameter the function does
/// not have is a compile error. Parameters bound by patterns (like `(a, b): (u8, u8)`)
/// can't be named directly; use `key = expr`.
///
/// # Examples
///
/// ```ignore
/// #[spindle::trace]
/// fn parse_config(text: &str) -> Config { /* span "parse_config" */ }
///
/// #[spindle::trace(name = "GET /users/:id", kind = "server", attrs(user_id, "http.method" = "GET"))]
/// async fn get_user(user_id: i64, db: &Db) -> Response { /* ... */ }
///
/// #[spindle::trace(debug(filter), record_errors)]
/// fn search(&self, filter: &Filter) -> Result<Vec<Row>, DbError> {
///     let rows = self.db.query(filter)?; // an Err here is recorded on the span
///     Ok(rows)
/// }
/// ```
#[proc_macro_attribute]
pub fn trace(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = TokenStream2::from(item);
    match expand(attr.into(), item.clone()) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            // Keep the function so that the error is the only one reported.
            let mut tokens = error.into_compile_error();
            tokens.extend(item);
            tokens.into()
        }
    }
}

impl Parse for Attribute {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (key, key_span, argument) = if input.peek(LitStr) {
            let key: LitStr = input.parse()?;
            if key.value().is_empty() {
                return Err(Error::new(key.span(), "attribute keys can't be empty"));
            }
            (key.value(), key.span(), None)
        } else {
            let ident = input.call(Ident::parse_any).map_err(|e| {
                Error::new(
                    e.span(),
                    "expected an argument name, `key = expr` or `\"key\" = expr`",
                )
            })?;
            (ident.unraw().to_string(), ident.span(), Some(ident))
        };
        let value = match argument {
            Some(ident) if !input.peek(Token![=]) => {
                AttributeValue::Argument(ident, ArgumentType::Owned)
            }
            _ => {
                input.parse::<Token![=]>()?;
                AttributeValue::Expr(input.parse()?)
            }
        };
        Ok(Attribute {
            key,
            key_span,
            value,
            debug: false,
        })
    }
}

fn expand(attr: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let mut options: Options = syn::parse2(attr)?;
    let function: ItemFn = syn::parse2(item).map_err(|e| {
        Error::new(
            e.span(),
            format!("#[trace] applies to functions and methods with a body ({e})"),
        )
    })?;
    if let Some(constness) = &function.sig.constness {
        return Err(Error::new(
            constness.span(),
            "#[trace] can't be used on a `const fn`: spans start at run time",
        ));
    }
    check_arguments(&mut options, &function)?;

    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;

    let span_var = Ident::new("__spindle_span", Span::mixed_site());
    let name = match &options.name {
        Some(name) => name.to_token_stream(),
        None => LitStr::new(&sig.ident.unraw().to_string(), sig.ident.span()).to_token_stream(),
    };
    let kind = options
        .kind
        .as_ref()
        .map(|kind| quote!(.kind(::spindle::SpanKind::#kind)));
    let start = if options.attributes.is_empty() {
        quote!(let #span_var = ::spindle::Span::builder(#name)#kind.start();)
    } else {
        let values = options.attributes.iter().map(attribute_tokens);
        quote! {
            let mut #span_var = ::spindle::Span::builder(#name)#kind.start();
            #span_var.with_attributes(|| [#(#values),*]);
        }
    };
    let return_type = annotation_type(&sig.output);

    let body = if sig.asyncness.is_some() {
        let fake_return = fake_return(&return_type);
        let statements = &block.stmts;
        let inner = quote!(async move { #fake_return #(#statements)* });
        let traced = match options.record_errors {
            None => inner,
            Some(flag) => {
                let result = Ident::new("__spindle_result", Span::mixed_site());
                let record = record_error(
                    flag,
                    &result,
                    &quote_spanned!(flag=> __spindle_record_current()),
                );
                quote! {
                    async move {
                        let #result: #return_type = #inner.await;
                        #record
                        #result
                    }
                }
            }
        };
        let future_body = quote! {
            #start
            ::spindle::Instrument::in_span(#traced, #span_var).await
        };
        if attrs.iter().any(async_fn::needs_async) {
            future_body
        } else {
            let function = async_fn::rewrite(sig, future_body);
            return Ok(quote!(#(#attrs)* #vis #function));
        }
    } else {
        let guard = Ident::new("__spindle_guard", Span::mixed_site());
        let statements = &block.stmts;
        match options.record_errors {
            None => quote! {
                #start
                let #guard = #span_var.enter();
                #(#statements)*
            },
            Some(flag) => {
                let result = Ident::new("__spindle_result", Span::mixed_site());
                let call = Ident::new("__spindle_call_once", Span::mixed_site());
                let record = record_error(
                    flag,
                    &result,
                    &quote_spanned!(flag=> __spindle_record_on(__spindle_entered)),
                );
                quote! {
                    #start
                    let #guard = #span_var.enter();
                    #[inline(always)]
                    fn #call<R, F: ::core::ops::FnOnce() -> R>(f: F) -> R {
                        f()
                    }
                    let #result: #return_type = #call(move || #block);
                    #guard.with_span(|__spindle_entered| { #record });
                    #result
                }
            }
        }
    };

    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    })
}

/// Checks that the arguments named in `attrs(...)` and `debug(...)` exist.
/// Also notes which of them are references.
fn check_arguments(options: &mut Options, function: &ItemFn) -> syn::Result<()> {
    let mut arguments = Vec::new();
    for input in &function.sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                let kind = match receiver.reference.is_some() {
                    true => ArgumentType::Reference,
                    false => ArgumentType::Owned,
                };
                arguments.push(("self".to_owned(), kind));
            }
            FnArg::Typed(typed) => {
                if let Pat::Ident(pat) = &*typed.pat {
                    let kind = match &*typed.ty {
                        Type::Reference(reference) => match &*reference.elem {
                            Type::Path(path)
                                if path.qself.is_none() && path.path.is_ident("str") =>
                            {
                                ArgumentType::Str
                            }
                            _ => ArgumentType::Reference,
                        },
                        _ => ArgumentType::Owned,
                    };
                    arguments.push((pat.ident.unraw().to_string(), kind));
                }
            }
        }
    }
    let names: Vec<String> = arguments.iter().map(|(name, _)| name.clone()).collect();
    let mut errors: Option<Error> = None;
    for attribute in &mut options.attributes {
        if let AttributeValue::Argument(ident, kind) = &mut attribute.value {
            let name = ident.unraw().to_string();
            if let Some((_, argument_kind)) = arguments.iter().find(|(n, _)| *n == name) {
                *kind = *argument_kind;
            } else {
                let known = match names.is_empty() {
                    true => "it has no named arguments".to_owned(),
                    false => format!("its arguments are: {}", names.join(", ")),
                };
                let error = Error::new(
                    ident.span(),
                    format!(
                        "`{name}` is not an argument of `{}` ({known}); to record something \
                         else write `{name} = expr`",
                        function.sig.ident
                    ),
                );
                match &mut errors {
                    Some(errors) => errors.combine(error),
                    None => errors = Some(error),
                }
            }
        }
    }
    errors.map_or(Ok(()), Err)
}

/// `spindle::KeyValue::new(key, value)` for one attribute.
fn attribute_tokens(attribute: &Attribute) -> TokenStream2 {
    let key = LitStr::new(&attribute.key, attribute.key_span);
    let (span, value) = match &attribute.value {
        AttributeValue::Argument(ident, _) => (ident.span(), quote!(#ident)),
        AttributeValue::Expr(expr) => (expr.span(), quote!(#expr)),
    };
    let value = match (&attribute.value, attribute.debug) {
        (_, true) => quote_spanned!(span=> ::std::format!("{:?}", #value)),
        (AttributeValue::Argument(_, ArgumentType::Owned), false) => {
            quote_spanned!(span=> ::core::clone::Clone::clone(&#value))
        }
        (AttributeValue::Argument(_, ArgumentType::Reference), false) => {
            quote_spanned!(span=> ::core::clone::Clone::clone(&*#value))
        }
        (AttributeValue::Argument(_, ArgumentType::Str), false) => {
            quote_spanned!(span=> ::std::string::String::from(&*#value))
        }
        (AttributeValue::Expr(_), false) => value,
    };
    quote_spanned!(span=> ::spindle::KeyValue::new(#key, ::spindle::Value::from(#value)))
}

/// The return type for a `let` annotation: `impl Trait` becomes `_`.
fn annotation_type(output: &ReturnType) -> Type {
    struct ImplToInfer;
    impl VisitMut for ImplToInfer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(impl_trait) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: Token![_](impl_trait.impl_token.span),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            ImplToInfer.visit_type_mut(&mut ty);
            ty
        }
    }
}

/// A never-taken `return` that tells type inference the async block's output type (so that
/// `?` and `return` in the body work as in the function).
fn fake_return(return_type: &Type) -> TokenStream2 {
    let fake = format_ident!("__spindle_fake_return", span = Span::mixed_site());
    quote! {
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::let_with_type_underscore,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let #fake: #return_type = loop {};
            return #fake;
        }
    }
}
