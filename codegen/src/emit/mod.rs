//! Emit: the model to token streams, one per generated file: `types` for data types, `ops`
//! for REST operations, `ws` for the WebSocket side, over the helpers of `tokens` they share;
//! this module lays out the files.

use crate::ir::{Model, OpDef, TypeDef, TypeKind};
use indexmap::IndexMap;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

mod areas;
mod control;
mod ops;
mod tokens;
mod types;
mod ws;

pub use areas::area_feature;
pub(crate) use areas::gate;
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

        files.push(self.root_file(ws));
        files.push(self.index(
            "types",
            type_modules.keys().copied(),
            "Data types: every schema of the spec, and the inline objects and enums inside them.",
        ));
        files.push(self.index("ops", op_modules.keys().copied(),
            "One request type per operation, and the [`Client`](crate::Client) method that sends it."));

        for (module, types) in &type_modules {
            let mut pieces = Vec::new();
            for t in types {
                pieces.extend(self.type_pieces(t, module));
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

impl Model {
    /// `mod.rs`: the modules and, when the target names one, the handle whose methods send the
    /// operations.
    fn root_file(&self, ws: bool) -> FileTokens {
        let ws_mod = if ws {
            quote! {
                #[cfg(feature = "ws")]
                pub mod ws;
            }
        } else {
            quote!()
        };
        let mut doc =
            "Code generated from the spec: request types in [`ops`], data types in [`types`]."
                .to_string();
        if let Some(feature) = &self.target.feature {
            doc.push_str(&format!(" Behind the `{feature}` cargo feature."));
        }
        let handle = self.handle();
        FileTokens {
            path: "mod.rs".into(),
            doc,
            pieces: vec![Piece::Items(quote! {
                pub mod ops;
                pub mod types;
                #ws_mod
                #handle
            })],
        }
    }

    /// The handle type named by the target, and the `Client` method that gives it.
    fn handle(&self) -> TokenStream {
        let Some(handle) = &self.target.handle else {
            return quote!();
        };
        let name = format_ident!("{}", handle);
        let method = format_ident!("{}", crate::names::snake(handle));
        let doc = format!(
            " Sends the operations of {}: each is a method, e.g. \
             `client.{method}().…(request)`, sharing the client's key, limiter and retries.",
            self.title
        );
        let method_doc = format!(" The operations of {} (see [`{handle}`]).", self.title);
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy)]
            pub struct #name<'a> {
                client: &'a crate::Client,
            }

            impl<'a> #name<'a> {
                /// The client that sends the requests.
                pub fn client(&self) -> &'a crate::Client {
                    self.client
                }

                /// Sends one operation and decodes its answer (see
                /// [`Client::execute`](crate::Client::execute)).
                pub async fn execute<O: crate::operation::Operation>(
                    &self,
                    op: &O,
                ) -> crate::Result<O::Output> {
                    self.client.execute(op).await
                }
            }

            impl crate::Client {
                #[doc = #method_doc]
                pub fn #method(&self) -> #name<'_> {
                    #name { client: self }
                }
            }
        }
    }
}

impl Model {
    /// `DIR/mod.rs`: each module declared and re-exported, an area's behind its feature.
    fn index<'a>(
        &self,
        dir: &str,
        modules: impl Iterator<Item = &'a str>,
        doc: &str,
    ) -> FileTokens {
        let lines = modules.map(|m| {
            let name = format_ident!("{}", m);
            let cfg = self.module_cfg(m);
            quote! {
                #cfg
                mod #name;
                #cfg
                pub use #name::*;
            }
        });
        FileTokens {
            path: format!("{dir}/mod.rs"),
            doc: doc.to_string(),
            pieces: vec![Piece::Items(quote!(#(#lines)*))],
        }
    }

    /// `#[cfg(feature = ...)]` for a module of one area's operations or types; nothing for the
    /// shared `common` types (gated one by one) or without areas.
    fn module_cfg(&self, module: &str) -> TokenStream {
        let is_area = self.target.areas && self.ops.iter().any(|o| o.module == module);
        if !is_area {
            return quote!();
        }
        let feature = area_feature(module);
        quote!(#[cfg(feature = #feature)])
    }

    /// A type's items and its codec; a shared type used by some areas behind their features.
    fn type_pieces(&self, t: &TypeDef, module: &str) -> Vec<Piece> {
        let items = self.type_def(t);
        let codec = match &t.kind {
            TypeKind::Struct(fields) => Some(struct_codec(self, t, fields)),
            _ => None,
        };
        let cfg = if self.module_cfg(module).is_empty() {
            self.area_cfg(&t.areas)
        } else {
            None
        };
        let Some(cfg) = cfg else {
            return std::iter::once(Piece::Items(items))
                .chain(codec.map(Piece::Text))
                .collect();
        };
        std::iter::once(cfg.gate_items(items))
            .chain(codec.map(|c| Piece::Text(cfg.gate_text(&c))))
            .collect()
    }
}
