//! Parsing the options of `#[trace(...)]`: `name`, `kind`, `attrs(...)`, `debug(...)`,
//! `record_errors`.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Error, Expr, Ident, LitStr, Token};

/// The parsed options of `#[trace(...)]`.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) kind: Option<Ident>,
    pub(crate) record_errors: Option<Span>,
    pub(crate) attributes: Vec<Attribute>,
}

/// How an argument named in `attrs(...)` is turned into an owned value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgumentType {
    /// Cloned as it is.
    Owned,
    /// A reference `&T` (or `&mut T`): the `T` is cloned.
    Reference,
    /// `&str` (or `&mut str`): copied into a `String`.
    Str,
}

/// One attribute to record.
pub(crate) struct Attribute {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) value: AttributeValue,
    pub(crate) debug: bool,
}

/// Where an attribute's value comes from.
pub(crate) enum AttributeValue {
    /// A function argument (or `self`), cloned.
    Argument(Ident, ArgumentType),
    /// An expression.
    Expr(Expr),
}

const OPTIONS_HELP: &str = "expected one of: `name = \"...\"`, `kind = \"...\"`, `attrs(...)`, \
                            `debug(...)`, `record_errors`";

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = Options::default();
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            let option = input.call(Ident::parse_any).map_err(|e| {
                Error::new(
                    e.span(),
                    format!("unexpected token in #[trace]; {OPTIONS_HELP}"),
                )
            })?;
            let option_name = option.to_string();
            if seen.contains(&option_name) {
                return Err(Error::new(
                    option.span(),
                    format!("`{option_name}` is given more than once"),
                ));
            }
            match option_name.as_str() {
                "name" => {
                    input.parse::<Token![=]>()?;
                    let name: LitStr = input.parse().map_err(|e| {
                        Error::new(e.span(), "expected a string literal: `name = \"...\"`")
                    })?;
                    options.name = Some(name);
                }
                "kind" => {
                    input.parse::<Token![=]>()?;
                    let kind: LitStr = input.parse().map_err(|e| {
                        Error::new(
                            e.span(),
                            "expected a string literal: `kind = \"server\"` (or \"client\", \
                             \"producer\", \"consumer\", \"internal\")",
                        )
                    })?;
                    options.kind = Some(span_kind(&kind)?);
                }
                "record_errors" => {
                    if input.peek(Token![=]) || input.peek(syn::token::Paren) {
                        return Err(Error::new(
                            input.span(),
                            "`record_errors` is a flag and takes no value",
                        ));
                    }
                    options.record_errors = Some(option.span());
                }
                "attrs" | "debug" => {
                    let debug = option_name == "debug";
                    let content;
                    syn::parenthesized!(content in input);
                    let items = Punctuated::<Attribute, Token![,]>::parse_terminated(&content)?;
                    for mut item in items {
                        item.debug = debug;
                        if let Some(previous) =
                            options.attributes.iter().find(|a| a.key == item.key)
                        {
                            let mut error = Error::new(
                                item.key_span,
                                format!("attribute `{}` is recorded twice", item.key),
                            );
                            error.combine(Error::new(previous.key_span, "first recorded here"));
                            return Err(error);
                        }
                        options.attributes.push(item);
                    }
                }
                other => {
                    return Err(Error::new(
                        option.span(),
                        format!("unknown #[trace] option `{other}`; {OPTIONS_HELP}"),
                    ));
                }
            }
            seen.push(option_name);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(options)
    }
}

fn span_kind(kind: &LitStr) -> syn::Result<Ident> {
    let variant = match kind.value().as_str() {
        "server" => "Server",
        "client" => "Client",
        "producer" => "Producer",
        "consumer" => "Consumer",
        "internal" => "Internal",
        other => {
            return Err(Error::new(
                kind.span(),
                format!(
                    "unknown span kind \"{other}\"; expected \"server\", \"client\", \
                     \"producer\", \"consumer\" or \"internal\""
                ),
            ));
        }
    };
    Ok(Ident::new(variant, kind.span()))
}
