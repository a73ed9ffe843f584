//! Emit: the model to token streams, one per generated file: `types` for data types, `ops`
//! for REST operations, `ws` for the WebSocket side; this module lays out the files and holds
//! the helpers they share.

use crate::docs;
use crate::ir::{Field, Model, OpDef, Ty, TypeDef, TypeKind};
use indexmap::IndexMap;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

mod ops;
mod types;
mod ws;

pub(crate) use types::struct_codec;

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

pub(crate) fn deprecated(flag: bool) -> TokenStream {
    if flag {
        quote!(#[deprecated])
    } else {
        quote!()
    }
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

    /// Emits every file: `mod.rs`, `types/*.rs`, `ops/*.rs`.
    pub fn emit(&self) -> Vec<FileTokens> {
        self.emit_with(false)
    }

    /// [`Model::emit`]; with `ws`, `mod.rs` also declares the WebSocket module (behind the `ws`
    /// feature).
    pub fn emit_with(&self, ws: bool) -> Vec<FileTokens> {
        let mut files = Vec::new();
        let mut type_modules: IndexMap<&str, Vec<&TypeDef>> = IndexMap::new();
        for t in &self.types {
            type_modules.entry(t.module.as_str()).or_default().push(t);
        }
        type_modules.sort_keys();
        let mut op_modules: IndexMap<&str, Vec<&OpDef>> = IndexMap::new();
        for op in &self.ops {
            op_modules.entry(op.module.as_str()).or_default().push(op);
        }
        op_modules.sort_keys();

        files.push(FileTokens {
            path: "mod.rs".into(),
            doc: "Code generated from the spec: request types in [`ops`], data types in [`types`]."
                .into(),
            pieces: vec![Piece::Items(if ws {
                quote! {
                    pub mod ops;
                    pub mod types;
                    #[cfg(feature = "ws")]
                    pub mod ws;
                }
            } else {
                quote! {
                    pub mod ops;
                    pub mod types;
                }
            })],
        });
        files.push(index(
            "types",
            type_modules.keys().copied(),
            "Data types: every schema of the spec, and the inline objects and enums inside them.",
        ));
        files.push(index("ops", op_modules.keys().copied(),
            "One request type per operation, and the [`Client`](crate::Client) method that sends it."));

        for (module, types) in &type_modules {
            let mut pieces = Vec::new();
            for t in types {
                pieces.push(Piece::Items(self.type_def(t)));
                if let TypeKind::Struct(fields) = &t.kind {
                    pieces.push(Piece::Text(struct_codec(self, t, fields)));
                }
            }
            files.push(FileTokens {
                path: format!("types/{module}.rs"),
                doc: format!("Types used by the `{module}` operations."),
                pieces,
            });
        }
        for (module, ops) in &op_modules {
            let items = ops.iter().map(|op| self.op_def(op));
            files.push(FileTokens {
                path: format!("ops/{module}.rs"),
                doc: format!("The `{module}` operations."),
                pieces: vec![Piece::Items(quote!(#(#items)*))],
            });
        }
        files
    }
}

fn index<'a>(dir: &str, modules: impl Iterator<Item = &'a str>, doc: &str) -> FileTokens {
    let modules: Vec<Ident> = modules.map(|m| format_ident!("{}", m)).collect();
    FileTokens {
        path: format!("{dir}/mod.rs"),
        doc: doc.to_string(),
        pieces: vec![Piece::Items(quote! {
            #( mod #modules; )*
            #( pub use #modules::*; )*
        })],
    }
}
