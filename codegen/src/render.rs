//! Render: token streams to formatted source text, each file headed by its provenance line.

use crate::emit::FileTokens;
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

/// Renders one file: `syn` parses the tokens (catching emit bugs as errors), `prettyplease` formats.
pub fn render(file: &FileTokens, header: &str) -> Result<String, Error> {
    let attrs = inner_attrs(&file.doc);
    let tokens = &file.tokens;
    let parsed: syn::File = syn::parse2(quote!(#attrs #tokens)).map_err(|e| Error::Render {
        file: file.path.clone(),
        message: e.to_string(),
    })?;
    let body = prettyplease::unparse(&parsed);
    Ok(format!("{header}\n{body}"))
}
