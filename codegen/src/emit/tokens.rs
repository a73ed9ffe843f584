//! What every emitter shares: a file's tokens, identifiers, documentation attributes, and the
//! Rust type of a model type.

use crate::docs;
use crate::ir::{Field, Model, Ty};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// One file's tokens, before rendering.
pub struct FileTokens {
    /// Path relative to the generated module's directory, with `/` separators.
    pub path: String,
    /// A short description for the module docs.
    pub doc: String,
    /// The items, in order.
    pub pieces: Vec<Piece>,
}

/// Part of a file.
pub enum Piece {
    /// Items, formatted by `prettyplease`.
    Items(TokenStream),
    /// Items that compile only under `cfg` (an outer attribute's source text), which rendering
    /// puts on each of them.
    Gated {
        /// The attribute, e.g. `#[cfg(feature = "orders")]`.
        cfg: String,
        /// The items.
        items: TokenStream,
    },
    /// One item already laid out (a macro invocation, whose arguments `prettyplease` would pack into
    /// filled lines); rendering checks that it parses.
    Text(String),
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` attributes, one per line.
pub(crate) fn doc_attrs(parts: &[Option<&str>]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for text in parts.iter().flatten() {
        let l = docs::lines(text);
        if l.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(l);
    }
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}

pub(crate) fn deprecated(flag: bool, doc: Option<&str>) -> TokenStream {
    match (flag, doc.and_then(replacement)) {
        (false, _) => quote!(),
        (true, Some(note)) => quote!(#[deprecated(note = #note)]),
        (true, None) => quote!(#[deprecated]),
    }
}

/// The clause of a deprecated item's description that names its replacement: from a `use` to
/// the `instead` that closes it, within one sentence ("Deprecated. Use `outcome_side` (or
/// `book_side`) instead." gives "Use `outcome_side` (or `book_side`) instead").
pub(crate) fn replacement(doc: &str) -> Option<String> {
    doc.split(". ").find_map(|sentence| {
        let lower = sentence.to_ascii_lowercase();
        let start = lower
            .match_indices("use ")
            .map(|(i, _)| i)
            .find(|&i| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())?;
        let end = start + lower[start..].find("instead")? + "instead".len();
        let clause = &sentence[start..end];
        Some(format!("U{}", &clause[1..]))
    })
}

impl Model {
    pub(crate) fn ty(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::String => quote!(::std::string::String),
            Ty::Bool => quote!(bool),
            Ty::I32 => quote!(i32),
            Ty::I64 => quote!(i64),
            Ty::F64 => quote!(f64),
            Ty::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
            Ty::Uuid => quote!(::uuid::Uuid),
            Ty::Json => quote!(::serde_json::Value),
            Ty::Named(id) => {
                let name = ident(&self.types[*id].name);
                let path = syn::parse_str::<syn::Path>(&self.types_path)
                    .map(|p| quote!(#p))
                    .unwrap_or_else(|_| quote!(crate::types));
                quote!(#path::#name)
            }
            Ty::Vec(t) => {
                let t = self.ty(t);
                quote!(::std::vec::Vec<#t>)
            }
            Ty::Map(t) => {
                let t = self.ty(t);
                quote!(::std::collections::BTreeMap<::std::string::String, #t>)
            }
            Ty::Tuple(ts) => {
                let ts = ts.iter().map(|t| self.ty(t));
                quote!((#(#ts),*))
            }
            Ty::Runtime(path) => syn::parse_str::<syn::Path>(path)
                .map(|p| quote!(#p))
                .unwrap_or_else(|_| quote!(::serde_json::Value)),
        }
    }

    pub(crate) fn field_ty(&self, f: &Field) -> TokenStream {
        let mut t = self.ty(&f.ty);
        if f.boxed {
            t = quote!(::std::boxed::Box<#t>);
        }
        if f.is_option() {
            t = quote!(::std::option::Option<#t>);
        }
        t
    }
}

/// A chained setter of an optional field `n` of type `ty` (a `String` taken as `impl Into`),
/// shared by operations' optional parameters and the optional fields of types the client sends.
pub(crate) fn setter(
    n: &Ident,
    ty: TokenStream,
    is_string: bool,
    doc: &TokenStream,
    dep: &TokenStream,
) -> TokenStream {
    let (arg, val) = if is_string {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(value.into()),
        )
    } else {
        (ty, quote!(value))
    };
    quote! {
        #doc
        #dep
        pub fn #n(mut self, value: #arg) -> Self {
            self.#n = ::std::option::Option::Some(#val);
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn the_replacement_is_the_clause_from_use_to_instead() {
        let cases = [
            (
                "Deprecated. Use `outcome_side` (or `book_side`) instead. See [Order direction](/x).",
                Some("Use `outcome_side` (or `book_side`) instead"),
            ),
            (
                "Event category (deprecated, use series-level category instead).",
                Some("Use series-level category instead"),
            ),
            (
                "DEPRECATED: Use GET /communications/rfqs/{rfq_id}/quotes/{quote_id} instead. Gets it.",
                Some("Use GET /communications/rfqs/{rfq_id}/quotes/{quote_id} instead"),
            ),
            ("Deprecated - Unix timestamp in seconds. Use ts_ms instead.", Some("Use ts_ms instead")),
            ("Filter by user. Use user_filter=self for yourself.", None),
            ("Whether the house uses it instead of cash.", None),
        ];
        for (doc, want) in cases {
            assert_eq!(replacement(doc).as_deref(), want, "{doc}");
        }
    }
}
