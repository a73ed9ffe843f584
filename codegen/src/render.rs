//! Render: token streams (or their text, to render on another thread) to formatted source text,
//! each file headed by its provenance line.

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
    let mut out = start(&file.doc, header).map_err(error)?;
    for piece in &file.pieces {
        match piece {
            Piece::Items(tokens) => {
                let parsed: syn::File = syn::parse2(tokens.clone()).map_err(error)?;
                out.push_str(&prettyplease::unparse(&parsed));
            }
            Piece::Gated { cfg, items } => {
                push_gated(&mut out, syn::parse2(items.clone()).map_err(error)?, cfg)
                    .map_err(error)?
            }
            Piece::Text(text) => push_laid_out(&mut out, text).map_err(error)?,
        }
    }
    Ok(out)
}

/// A file whose token pieces are written out as source text: token streams cannot leave the
/// thread that made them, text can, so another thread can render it ([`render_text`]).
pub struct FileText {
    /// Path relative to the generated module's directory, with `/` separators.
    pub path: String,
    /// A short description for the module docs.
    pub doc: String,
    /// The items in order.
    pub pieces: Vec<TextPiece>,
}

/// A [`Piece`] written out as source text.
pub enum TextPiece {
    /// Items to format.
    Items(String),
    /// Items to format, each under the outer attribute `cfg`.
    Gated {
        /// The attribute's source text.
        cfg: String,
        /// The items.
        items: String,
    },
    /// One item laid out already.
    LaidOut(String),
}

impl FileText {
    /// `file` with its token pieces written out.
    pub fn of(file: &FileTokens) -> Self {
        let pieces = file
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Items(tokens) => TextPiece::Items(tokens.to_string()),
                Piece::Gated { cfg, items } => TextPiece::Gated {
                    cfg: cfg.clone(),
                    items: items.to_string(),
                },
                Piece::Text(text) => TextPiece::LaidOut(text.clone()),
            })
            .collect();
        Self {
            path: file.path.clone(),
            doc: file.doc.clone(),
            pieces,
        }
    }
}

/// [`render`] for a file written out as text: the same bytes as rendering its tokens.
pub fn render_text(file: &FileText, header: &str) -> Result<String, Error> {
    let error = |e: syn::Error| Error::Render {
        file: file.path.clone(),
        message: e.to_string(),
    };
    let mut out = start(&file.doc, header).map_err(error)?;
    for piece in &file.pieces {
        match piece {
            TextPiece::Items(text) => {
                out.push_str(&prettyplease::unparse(
                    &syn::parse_file(text).map_err(error)?,
                ));
            }
            TextPiece::Gated { cfg, items } => {
                push_gated(&mut out, syn::parse_file(items).map_err(error)?, cfg).map_err(error)?
            }
            TextPiece::LaidOut(text) => push_laid_out(&mut out, text).map_err(error)?,
        }
    }
    Ok(out)
}

/// The header line and the module's inner attributes.
fn start(doc: &str, header: &str) -> syn::Result<String> {
    let mut out = format!("{header}\n");
    out.push_str(&prettyplease::unparse(&syn::parse2(inner_attrs(doc))?));
    Ok(out)
}

/// Appends `items`, formatted, each under the outer attribute `cfg`.
fn push_gated(out: &mut String, mut items: syn::File, cfg: &str) -> syn::Result<()> {
    crate::emit::gate(&mut items, cfg)?;
    out.push_str(&prettyplease::unparse(&items));
    Ok(())
}

/// Appends an item laid out already, once it parses.
fn push_laid_out(out: &mut String, text: &str) -> syn::Result<()> {
    syn::parse_str::<syn::Item>(text)?;
    out.push_str(text);
    Ok(())
}
