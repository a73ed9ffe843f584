//! API areas: with [`Target::areas`](crate::ir::Target::areas), each operation module (the
//! operations of one spec tag) compiles only with its cargo feature, and so does every type only
//! those operations use. A type several areas share compiles with any of their features; a type no
//! operation uses always compiles. Users then pay only for the areas they enable.

use super::Piece;
use crate::ir::Model;
use proc_macro2::TokenStream;
use syn::parse::Parser;

/// The cargo feature of an area: its module name in kebab case (`order_groups` → `order-groups`).
pub fn area_feature(module: &str) -> String {
    module.replace('_', "-")
}

impl Model {
    /// The area features, sorted, when the target has areas; empty otherwise.
    pub fn area_features(&self) -> Vec<String> {
        if !self.target.areas {
            return Vec::new();
        }
        let mut features: Vec<String> = self.ops.iter().map(|o| area_feature(&o.module)).collect();
        features.sort();
        features.dedup();
        features
    }

    /// The condition a type used by the operations of `areas` compiles under, when the target has
    /// areas and some operation uses it.
    pub(crate) fn area_cfg(&self, areas: &[String]) -> Option<AreaCfg> {
        if !self.target.areas || areas.is_empty() {
            return None;
        }
        Some(AreaCfg(areas.iter().map(|a| area_feature(a)).collect()))
    }
}

/// A `#[cfg]` on the area features that need an item: any one of them compiles it.
pub(crate) struct AreaCfg(Vec<String>);

impl AreaCfg {
    /// The attribute as source text.
    fn text(&self) -> String {
        let features: Vec<String> = self
            .0
            .iter()
            .map(|f| format!("feature = \"{f}\""))
            .collect();
        match features.as_slice() {
            [one] => format!("#[cfg({one})]"),
            many => format!("#[cfg(any({}))]", many.join(", ")),
        }
    }

    /// `items` with the attribute on each of them (rendering adds it: see [`gate`]).
    pub(crate) fn gate_items(&self, items: TokenStream) -> Piece {
        Piece::Gated {
            cfg: self.text(),
            items,
        }
    }

    /// `text` (one laid-out item) with the attribute before it.
    pub(crate) fn gate_text(&self, text: &str) -> String {
        format!("{}\n{text}", self.text())
    }
}

/// Puts the outer attribute `cfg` (source text) on every item of `file`; an error for an item that
/// takes no attribute.
pub(crate) fn gate(file: &mut syn::File, cfg: &str) -> Result<(), syn::Error> {
    for item in &mut file.items {
        // Parsed for each item: syn's types are not `Clone` without its `clone-impls` feature.
        let attrs = syn::Attribute::parse_outer.parse_str(cfg)?;
        let Some(item_attrs) = item_attrs(item) else {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "an item that takes no `#[cfg]` in an area's type",
            ));
        };
        item_attrs.splice(0..0, attrs);
    }
    Ok(())
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item;
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}
