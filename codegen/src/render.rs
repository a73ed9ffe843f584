//! Render: token streams to formatted source text, each file headed by its provenance line.

use crate::emit::{FileTokens, Piece};
use crate::error::Error;
use quote::quote;

/// Lints allowed in generated files: spec prose is not written for clippy's Markdown rules, request
/// constructors take as many arguments as the spec requires, and deprecated items are used by
/// their own impls.
fn inner_attrs(doc: &str) -> proc_macro2::TokenStream {
    let doc = format!(" {doc}");
    quote! {
        #![doc = #doc]
        #![allow(deprecated, missing_docs)]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::large_enum_variant)]
    }
}

/// Renders one file: `syn` parses each piece (catching emit bugs as errors), `prettyplease` formats
/// the token pieces, and laid-out text is kept as it is.
pub fn render(file: &FileTokens, header: &str) -> Result<String, Error> {
    let error = |e: syn::Error| Error::Render {
        file: file.path.clone(),
        message: e.to_string(),
    };
    let attrs = inner_attrs(&file.doc);
    let mut out = format!("{header}\n");
    out.push_str(&prettyplease::unparse(
        &syn::parse2::<syn::File>(attrs).map_err(error)?,
    ));
    for piece in &file.pieces {
        match piece {
            Piece::Items(tokens) => {
                let parsed: syn::File = syn::parse2(tokens.clone()).map_err(error)?;
                out.push_str(&prettyplease::unparse(&parsed));
            }
            Piece::Gated { cfg, items } => {
                let mut parsed: syn::File = syn::parse2(items.clone()).map_err(error)?;
                crate::emit::gate(&mut parsed, cfg).map_err(error)?;
                out.push_str(&prettyplease::unparse(&parsed));
            }
            Piece::Text(text) => {
                syn::parse_str::<syn::Item>(text).map_err(error)?;
                out.push_str(text);
            }
        }
    }
    Ok(out)
}
