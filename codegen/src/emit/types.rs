//! Emit of data types: structs (with their `wire::object!` codec), string and integer enums,
//! aliases and enums of alternatives.

use super::tokens::{deprecated, doc_attrs, ident, setter};
use crate::ir::{Field, Model, Ty, TypeDef, TypeKind, Variant};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

impl Model {
    pub(crate) fn type_def(&self, t: &TypeDef) -> TokenStream {
        let name = ident(&t.name);
        let docs = doc_attrs(&[t.doc.as_deref()]);
        let dep = deprecated(t.deprecated, t.doc.as_deref());
        match &t.kind {
            TypeKind::Struct(fields) => self.struct_def(t, fields),
            TypeKind::StringEnum { variants, unknown } => {
                let mut out = self.string_enum(&name, (docs, dep), variants, unknown);
                out.extend(self.enum_conversions(&name, variants));
                out
            }
            TypeKind::IntEnum { variants, unknown } => {
                self.int_enum(&name, (docs, dep), variants, unknown)
            }
            TypeKind::Alias(ty) => {
                let ty = self.ty(ty);
                quote! {
                    #docs
                    #dep
                    pub type #name = #ty;
                }
            }
            TypeKind::Union {
                variants,
                tag,
                other,
            } => self.union_def(t, variants, tag.as_deref(), other),
            TypeKind::Pending => quote!(),
        }
    }

    /// A string enum with a catch-all variant keeping unknown values.
    fn string_enum(
        &self,
        name: &Ident,
        (docs, dep): (TokenStream, TokenStream),
        variants: &[(String, String)],
        unknown: &str,
    ) -> TokenStream {
        let unknown = ident(unknown);
        let vnames: Vec<Ident> = variants.iter().map(|(n, _)| ident(n)).collect();
        let values: Vec<&str> = variants.iter().map(|(_, v)| v.as_str()).collect();
        let vdocs = values.iter().map(|v| {
            let d = format!(" `{}`", v.replace('`', "'"));
            quote!(#[doc = #d])
        });
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #( #vdocs #vnames, )*
                /// A value this version of the spec does not list, kept exactly as received.
                #unknown(::std::string::String),
            }
            impl crate::enums::StringEnum for #name {
                const VALUES: &'static [&'static str] = &[#(#values),*];
                fn as_str(&self) -> &str {
                    match self {
                        #( Self::#vnames => #values, )*
                        Self::#unknown(value) => value,
                    }
                }
                fn from_known(value: &str) -> ::std::option::Option<Self> {
                    match value {
                        #( #values => ::std::option::Option::Some(Self::#vnames), )*
                        _ => ::std::option::Option::None,
                    }
                }
                fn unknown(value: ::std::string::String) -> Self {
                    Self::#unknown(value)
                }
            }
            crate::enums::string_enum_impls!(#name);
        }
    }

    /// `From<runtime>` and `TryFrom<Self> for runtime` for each `enum_conversions` entry whose
    /// spec values are exactly this enum's known values.
    fn enum_conversions(&self, name: &Ident, variants: &[(String, String)]) -> TokenStream {
        let known: Vec<&str> = variants.iter().map(|(_, v)| v.as_str()).collect();
        let mut out = TokenStream::new();
        for c in self.conversions.iter().filter(|c| c.fits(&known)) {
            let Ok(runtime) = syn::parse_str::<syn::Path>(&c.runtime) else {
                continue; // refused when the settings were read
            };
            let texts: Vec<&str> = c.values.keys().map(String::as_str).collect();
            let vnames: Vec<Ident> = c
                .values
                .values()
                .filter_map(|v| variants.iter().find(|(_, w)| w == v))
                .map(|(n, _)| ident(n))
                .collect();
            let doc_from = format!(" The value that a `{}` stands for.", c.runtime);
            out.extend(quote! {
                impl ::std::convert::From<#runtime> for #name {
                    #[doc = #doc_from]
                    fn from(value: #runtime) -> Self {
                        match value.as_str() {
                            #( #texts => Self::#vnames, )*
                            other => <Self as crate::enums::StringEnum>::unknown(other.to_owned()),
                        }
                    }
                }
                impl ::std::convert::TryFrom<#name> for #runtime {
                    type Error = #name;
                    /// Fails on a value the runtime enum has no counterpart for, handing it back.
                    fn try_from(value: #name) -> ::std::result::Result<Self, #name> {
                        let text = match &value {
                            #( #name::#vnames => #texts, )*
                            _ => return ::std::result::Result::Err(value),
                        };
                        <#runtime>::from_wire(text).ok_or(value)
                    }
                }
            });
        }
        out
    }

    /// An integer enum with a catch-all variant keeping unknown values.
    fn int_enum(
        &self,
        name: &Ident,
        (docs, dep): (TokenStream, TokenStream),
        variants: &[(String, i64)],
        unknown: &str,
    ) -> TokenStream {
        let unknown = ident(unknown);
        let vnames: Vec<Ident> = variants.iter().map(|(n, _)| ident(n)).collect();
        let values: Vec<i64> = variants.iter().map(|(_, v)| *v).collect();
        let vdocs = values.iter().map(|v| {
            let d = format!(" `{v}`");
            quote!(#[doc = #d])
        });
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #( #vdocs #vnames, )*
                /// A value this version of the spec does not list, kept exactly as received.
                #unknown(i64),
            }
            impl crate::enums::IntEnum for #name {
                const VALUES: &'static [i64] = &[#(#values),*];
                fn value(&self) -> i64 {
                    match self {
                        #( Self::#vnames => #values, )*
                        Self::#unknown(value) => *value,
                    }
                }
                fn from_known(value: i64) -> ::std::option::Option<Self> {
                    match value {
                        #( #values => ::std::option::Option::Some(Self::#vnames), )*
                        _ => ::std::option::Option::None,
                    }
                }
                fn unknown(value: i64) -> Self {
                    Self::#unknown(value)
                }
            }
            crate::enums::int_enum_impls!(#name);
        }
    }

    /// An enum of `oneOf`/`anyOf` alternatives. Decoding reads the JSON once, then picks the
    /// alternative its discriminator names, or else tries the alternatives in order (an object
    /// lacking one of an alternative's required keys is not that alternative); an output type
    /// keeps anything else in its catch-all variant, an input type refuses it.
    fn union_def(
        &self,
        t: &TypeDef,
        variants: &[Variant],
        tag: Option<&str>,
        other: &str,
    ) -> TokenStream {
        let name = ident(&t.name);
        let label = &t.name;
        let docs = doc_attrs(&[t.doc.as_deref()]);
        let dep = deprecated(t.deprecated, t.doc.as_deref());
        let other = ident(other);
        let items = variants.iter().map(|v| {
            let n = ident(&v.name);
            let ty = self.ty(&v.ty);
            quote!(#n(#ty),)
        });
        let ser = variants.iter().map(|v| {
            let n = ident(&v.name);
            quote!(Self::#n(value) => ::serde::Serialize::serialize(value, serializer),)
        });
        let (tagged, tried) = self.union_decoders(variants, tag);
        let (other_item, other_ser, fallback, default) = union_catch_all(t, &name, &other, label);
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#items)*
                #other_item
            }
            #default
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                    #tagged
                    #(#tried)*
                    #fallback
                }
            }
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    match self {
                        #(#ser)*
                        #other_ser
                    }
                }
            }
        }
    }

    /// The decoding steps of an enum of alternatives: the alternatives its discriminator names,
    /// then those tried in order.
    fn union_decoders(
        &self,
        variants: &[Variant],
        tag: Option<&str>,
    ) -> (TokenStream, Vec<TokenStream>) {
        let tagged: Vec<TokenStream> = match tag {
            None => Vec::new(),
            Some(_) => variants
                .iter()
                .filter(|v| !v.tags.is_empty())
                .map(|v| {
                    let n = ident(&v.name);
                    let ty = self.ty(&v.ty);
                    let tags = &v.tags;
                    quote! {
                        ::std::option::Option::Some(#(#tags)|*) => {
                            if let ::std::option::Option::Some(value) = crate::wire::alternative::<#ty>(&value, &[]) {
                                return ::std::result::Result::Ok(Self::#n(value));
                            }
                        }
                    }
                })
                .collect(),
        };
        let tagged = match tag {
            Some(property) if !tagged.is_empty() => quote! {
                match crate::wire::tag(&value, #property) {
                    #(#tagged)*
                    _ => {}
                }
            },
            _ => quote!(),
        };
        let tried: Vec<TokenStream> = variants
            .iter()
            .filter(|v| tag.is_none() || v.tags.is_empty())
            .map(|v| {
                let n = ident(&v.name);
                let ty = self.ty(&v.ty);
                let keys = &v.keys;
                quote! {
                    if let ::std::option::Option::Some(value) = crate::wire::alternative::<#ty>(&value, &[#(#keys),*]) {
                        return ::std::result::Result::Ok(Self::#n(value));
                    }
                }
            })
            .collect();
        (tagged, tried)
    }

    fn struct_def(&self, t: &TypeDef, fields: &[Field]) -> TokenStream {
        let name = ident(&t.name);
        let docs = doc_attrs(&[t.doc.as_deref()]);
        let dep = deprecated(t.deprecated, t.doc.as_deref());
        let has_required = fields.iter().any(|f| !f.is_option());
        // Response types default every field so one absent "required" field cannot fail a page
        // (see the crate docs); request-only types with required fields have no `Default`, so the
        // compiler insists on them.
        let default = if t.output || !has_required {
            quote!(, Default)
        } else {
            quote!()
        };
        let field_items = fields.iter().map(|f| {
            let fname = ident(&f.name);
            let fty = self.field_ty(f);
            let fdocs = doc_attrs(&[f.doc.as_deref()]);
            let fdep = deprecated(f.deprecated, f.doc.as_deref());
            quote! {
                #fdocs
                #fdep
                pub #fname: #fty,
            }
        });
        let ctor = if t.input && has_required {
            let required: Vec<&Field> = fields.iter().filter(|f| !f.is_option()).collect();
            let args = required.iter().map(|f| {
                let n = ident(&f.name);
                if f.ty == Ty::String && !f.boxed {
                    quote!(#n: impl ::std::convert::Into<::std::string::String>)
                } else {
                    let ty = self.field_ty(f);
                    quote!(#n: #ty)
                }
            });
            let inits = fields.iter().map(|f| {
                let n = ident(&f.name);
                if f.is_option() {
                    quote!(#n: ::std::option::Option::None)
                } else if f.ty == Ty::String && !f.boxed {
                    quote!(#n: #n.into())
                } else {
                    quote!(#n)
                }
            });
            quote! {
                impl #name {
                    /// Builds the value from its required fields; optional fields start unset.
                    pub fn new(#(#args),*) -> Self {
                        Self { #(#inits),* }
                    }
                }
            }
        } else {
            quote!()
        };
        let setters = if t.input {
            self.body_setters(&name, fields)
        } else {
            quote!()
        };
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, PartialEq #default)]
            pub struct #name {
                #(#field_items)*
            }
            #ctor
            #setters
        }
    }

    /// Chained setters for the optional fields of a type the client sends, as for an operation's
    /// optional parameters: `CreateOrderV2Request::new(...).client_order_id("a")`.
    fn body_setters(&self, name: &Ident, fields: &[Field]) -> TokenStream {
        let setters: Vec<TokenStream> = fields
            .iter()
            .filter(|f| f.is_option())
            .map(|f| {
                let n = ident(&f.name);
                let fdocs = doc_attrs(&[f.doc.as_deref()]);
                let fdep = deprecated(f.deprecated, f.doc.as_deref());
                let mut ty = self.ty(&f.ty);
                if f.boxed {
                    ty = quote!(::std::boxed::Box<#ty>);
                }
                setter(&n, ty, f.ty == Ty::String && !f.boxed, &fdocs, &fdep)
            })
            .collect();
        if setters.is_empty() {
            return quote!();
        }
        quote! {
            impl #name {
                #(#setters)*
            }
        }
    }
}

/// The catch-all of an enum of alternatives: an output type keeps what it does not know in a
/// variant of its own (its item, serialisation, decoding fallback and `Default`); an input type
/// refuses it.
fn union_catch_all(
    t: &TypeDef,
    name: &Ident,
    other: &Ident,
    label: &str,
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    if t.output {
        (
            quote! {
                /// An alternative this version of the spec does not list, kept as received.
                #other(::serde_json::Value),
            },
            quote!(Self::#other(value) => ::serde::Serialize::serialize(value, serializer),),
            quote!(::std::result::Result::Ok(Self::#other(value))),
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self {
                        Self::#other(::serde_json::Value::Null)
                    }
                }
            },
        )
    } else {
        (
            quote!(),
            quote!(),
            quote!(::std::result::Result::Err(crate::wire::no_alternative(#label))),
            quote!(),
        )
    }
}

/// `Serialize` and `Deserialize` for a struct: one `crate::wire::object!` invocation listing each
/// field's wire name and mode, one field per line (the runtime's `wire` module says why they are
/// not derived, and what each mode means). A field of a type Kalshi sends whose type holds lists or
/// maps also names its reader, so that a `null` inside them reads as absent too, and one whose
/// type is narrower than free text reads `""` as absent ([`is_narrow`]). The spec's version names
/// the type in the runtime's reports of fields read as their default.
pub(crate) fn struct_codec(m: &Model, t: &TypeDef, fields: &[Field]) -> String {
    let version = proc_macro2::Literal::string(&m.version);
    if fields.is_empty() {
        return format!("crate::wire::object!({} in {version} {{}});\n", t.name);
    }
    let mut out = format!("crate::wire::object!({} in {version} {{\n", t.name);
    for f in fields {
        let mode = if !f.is_option() {
            if t.output {
                "default"
            } else {
                "required"
            }
        } else if f.keep_null || f.required {
            "nullable"
        } else {
            "optional"
        };
        let reader = match &f.ty {
            Ty::Vec(_) | Ty::Map(_) if t.output && !f.boxed => {
                let r = reader(m, &f.ty);
                if f.is_option() {
                    format!("(crate::wire::Opt<{r}>)")
                } else {
                    format!("({r})")
                }
            }
            ty if t.output && !f.boxed && is_narrow(m, ty) && is_time(m, ty) => {
                format!(
                    "(crate::wire::Blank<{}, crate::wire::Rfc3339>)",
                    type_text(m, ty)
                )
            }
            ty if t.output && !f.boxed && is_narrow(m, ty) => {
                format!("(crate::wire::Blank<{}>)", type_text(m, ty))
            }
            _ => String::new(),
        };
        let wire = proc_macro2::Literal::string(&f.wire);
        out.push_str(&format!("    {} = {wire} {mode}{reader},\n", f.name));
    }
    out.push_str("});\n");
    out
}

/// Whether `ty` is narrower than free text: a time, a uuid, a runtime type (Kalshi's fixed-point
/// strings), or an enum none of whose values is `""`. In such a field Kalshi's Go servers send
/// `""` for a value they do not have, and it reads as absent.
fn is_narrow(m: &Model, ty: &Ty) -> bool {
    match ty {
        Ty::DateTime | Ty::Uuid | Ty::Runtime(_) => true,
        Ty::Named(id) => match &m.types[*id].kind {
            TypeKind::StringEnum { variants, .. } => variants.iter().all(|(_, v)| !v.is_empty()),
            TypeKind::IntEnum { .. } => true,
            TypeKind::Alias(inner) => is_narrow(m, inner),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `ty` is a time (`format: date-time`), directly or through aliases: read by the strict
/// RFC 3339 parser first.
fn is_time(m: &Model, ty: &Ty) -> bool {
    match ty {
        Ty::DateTime => true,
        Ty::Named(id) => matches!(&m.types[*id].kind, TypeKind::Alias(inner) if is_time(m, inner)),
        _ => false,
    }
}

/// The `crate::wire` reader of a type Kalshi sends: lists and maps whose `null` (theirs or their
/// elements') reads as empty or default.
fn reader(m: &Model, ty: &Ty) -> String {
    match ty {
        Ty::Vec(t) => format!("crate::wire::Seq<{}>", reader(m, t)),
        Ty::Map(t) => format!("crate::wire::Map<{}>", reader(m, t)),
        other => format!("crate::wire::Plain<{}>", type_text(m, other)),
    }
}

/// A type as compact source text (`::std::string::String`).
fn type_text(m: &Model, ty: &Ty) -> String {
    let text: String = m
        .ty(ty)
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    text.replace(',', ", ")
}
