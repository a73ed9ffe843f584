//! Emit: the model to token streams, one per generated file: `types` for data types, `ops`
//! for REST operations, `ws` for the WebSocket side, over the helpers of `tokens` they share;
//! this module lays out the files.

use crate::ir::{Model, OpDef, TypeDef, TypeKind};
use indexmap::IndexMap;
use proc_macro2::Ident;
use quote::{format_ident, quote};

mod control;
mod ops;
mod tokens;
mod types;
mod ws;

pub(crate) use tokens::{doc_attrs, ident};
pub use tokens::{FileTokens, Piece};
pub(crate) use types::struct_codec;

impl Model {
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
