//! Emit: the model to token streams, one per generated file.

use crate::docs;
use crate::ir::{
    AuthKind, BatchShape, Cost, Field, Location, Model, OpDef, Segment, Ty, TypeDef, TypeKind,
    Variant,
};
use indexmap::IndexMap;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

mod ws;

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

    pub(crate) fn type_def(&self, t: &TypeDef) -> TokenStream {
        let name = ident(&t.name);
        let docs = doc_attrs(&[t.doc.as_deref()]);
        let dep = deprecated(t.deprecated);
        match &t.kind {
            TypeKind::Struct(fields) => self.struct_def(t, fields),
            TypeKind::StringEnum { variants, unknown } => {
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
            TypeKind::IntEnum { variants, unknown } => {
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
        let dep = deprecated(t.deprecated);
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
        let tried = variants
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
            });
        let (other_item, other_ser, fallback, default) = if t.output {
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
        };
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

    fn struct_def(&self, t: &TypeDef, fields: &[Field]) -> TokenStream {
        let name = ident(&t.name);
        let docs = doc_attrs(&[t.doc.as_deref()]);
        let dep = deprecated(t.deprecated);
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
            let fdep = deprecated(f.deprecated);
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
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, PartialEq #default)]
            pub struct #name {
                #(#field_items)*
            }
            #ctor
        }
    }

    fn op_def(&self, op: &OpDef) -> TokenStream {
        let name = ident(&op.struct_name);
        let fn_name = ident(&op.fn_name);
        let id = &op.id;
        let method = ident(&op.method);
        let path = &op.path;
        let route = format!("`{} {}`", op.method, op.path);
        let auth_note = match op.auth {
            AuthKind::None => "Public: sent unsigned.",
            AuthKind::Required => "Authenticated: the client signs it.",
            AuthKind::Optional => "Signed when the client has credentials.",
        };
        let docs = doc_attrs(&[
            op.summary.as_deref(),
            Some(&route),
            op.description.as_deref(),
            Some(auth_note),
        ]);
        // The link is ours, not spec prose: it is not escaped.
        let link = format!(
            " {route}; the request is [`{0}`](crate::ops::{0}). {auth_note}",
            op.struct_name
        );
        let summary = doc_attrs(&[op.summary.as_deref().or(Some(op.id.as_str()))]);
        let fn_docs = quote! {
            #summary
            #[doc = ""]
            #[doc = #link]
        };
        let dep = deprecated(op.deprecated);
        let auth = match op.auth {
            AuthKind::None => quote!(None),
            AuthKind::Required => quote!(Required),
            AuthKind::Optional => quote!(Optional),
        };

        // Fields: parameters, then the body.
        let mut fields = Vec::new();
        let mut required_args = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut push_field = |fname: &str,
                              ty: TokenStream,
                              base: TokenStream,
                              is_string: bool,
                              required: bool,
                              doc: TokenStream,
                              fdep: TokenStream| {
            let n = ident(fname);
            if required {
                fields.push(quote!(#doc #fdep pub #n: #ty,));
                if is_string {
                    required_args
                        .push(quote!(#n: impl ::std::convert::Into<::std::string::String>));
                    inits.push(quote!(#n: #n.into()));
                } else {
                    required_args.push(quote!(#n: #ty));
                    inits.push(quote!(#n));
                }
            } else {
                fields.push(quote!(#doc #fdep pub #n: ::std::option::Option<#ty>,));
                inits.push(quote!(#n: ::std::option::Option::None));
                let (arg, val) = if is_string {
                    (
                        quote!(impl ::std::convert::Into<::std::string::String>),
                        quote!(value.into()),
                    )
                } else {
                    (base, quote!(value))
                };
                setters.push(quote! {
                    #doc
                    #fdep
                    pub fn #n(mut self, value: #arg) -> Self {
                        self.#n = ::std::option::Option::Some(#val);
                        self
                    }
                });
            }
        };
        for p in &op.params {
            let ty = self.ty(&p.ty);
            push_field(
                &p.name,
                ty.clone(),
                ty,
                p.ty == Ty::String,
                p.required,
                doc_attrs(&[p.doc.as_deref()]),
                deprecated(p.deprecated),
            );
        }
        if let Some(b) = &op.body {
            let ty = self.ty(&b.ty);
            let doc = doc_attrs(&[b.doc.as_deref().or(Some("The JSON request body."))]);
            push_field(&b.name, ty.clone(), ty, false, b.required, doc, quote!());
        }
        let has_required =
            op.params.iter().any(|p| p.required) || op.body.as_ref().is_some_and(|b| b.required);
        let default = if has_required {
            quote!()
        } else {
            quote!(, Default)
        };

        // write_path: literals merged, parameters encoded as one segment each.
        let path_stmts = op.segments.iter().map(|s| match s {
            Segment::Literal(l) => quote!(out.push_str(#l);),
            Segment::Param(i) => {
                let n = ident(&op.params[*i].name);
                quote!(crate::operation::push_path(out, &self.#n);)
            }
        });
        let query: Vec<TokenStream> = op
            .params
            .iter()
            .filter(|p| p.location == Location::Query)
            .map(|p| {
                let n = ident(&p.name);
                let wire = &p.wire;
                match (&p.ty, p.explode, p.required) {
                    (Ty::Vec(_), false, true) => quote!(query.push_csv(#wire, &self.#n);),
                    (Ty::Vec(_), false, false) => quote! {
                        if let ::std::option::Option::Some(values) = &self.#n {
                            query.push_csv(#wire, values);
                        }
                    },
                    _ => quote!(query.push(#wire, &self.#n);),
                }
            })
            .collect();
        let write_query = if query.is_empty() {
            quote!()
        } else {
            quote! {
                fn write_query(&self, query: &mut crate::operation::QueryWriter<'_>) {
                    #(#query)*
                }
            }
        };
        let write_body = match &op.body {
            None => quote!(),
            Some(b) => {
                let n = ident(&b.name);
                let stmt = if b.required {
                    quote! {
                        ::serde_json::to_writer(buf, &self.#n)?;
                        ::std::result::Result::Ok(true)
                    }
                } else {
                    quote! {
                        match &self.#n {
                            ::std::option::Option::Some(body) => {
                                ::serde_json::to_writer(buf, body)?;
                                ::std::result::Result::Ok(true)
                            }
                            ::std::option::Option::None => ::std::result::Result::Ok(false),
                        }
                    }
                };
                quote! {
                    fn write_body(&self, buf: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<bool, ::serde_json::Error> {
                        #stmt
                    }
                }
            }
        };
        let (output, decode) = match &op.output {
            Some(ty) => {
                let t = self.ty(ty);
                (t, quote!(crate::operation::decode_json(#id, body)))
            }
            None => (
                quote!(()),
                quote! {
                    let _ = body;
                    ::std::result::Result::Ok(())
                },
            ),
        };
        let paginated = match &op.pagination {
            None => quote!(),
            Some(p) => {
                let param = &op.params[p.cursor_param];
                let cursor_param = ident(&param.name);
                let set = if param.required {
                    quote!(self.#cursor_param = cursor;)
                } else {
                    quote!(self.#cursor_param = ::std::option::Option::Some(cursor);)
                };
                let cursor_field = ident(&p.cursor_field.0);
                let next = if p.cursor_field.1 {
                    quote!(page.#cursor_field.as_deref())
                } else {
                    quote!(::std::option::Option::Some(page.#cursor_field.as_str()))
                };
                let items = p.items.as_ref().map(|(field, optional, item)| {
                    let item = self.ty(item);
                    let field = ident(field);
                    let take = if *optional {
                        quote!(page.#field.unwrap_or_default())
                    } else {
                        quote!(page.#field)
                    };
                    quote! {
                        impl crate::pagination::PaginatedItems for #name {
                            type Item = #item;
                            fn into_items(page: Self::Output) -> ::std::vec::Vec<Self::Item> {
                                #take
                            }
                        }
                    }
                });
                quote! {
                    impl crate::pagination::Paginated for #name {
                        fn set_cursor(&mut self, cursor: ::std::string::String) {
                            #set
                        }
                        fn next_cursor(page: &Self::Output) -> ::std::option::Option<&str> {
                            #next
                        }
                    }
                    #items
                }
            }
        };
        let cost = match op.cost {
            Cost::Default => quote!(crate::ratelimit::Cost::DEFAULT),
            Cost::PerRequest(n) => {
                let n = proc_macro2::Literal::u32_unsuffixed(n);
                quote!(crate::ratelimit::Cost::PerRequest(#n))
            }
            Cost::PerItem(n) => {
                let n = proc_macro2::Literal::u32_unsuffixed(n);
                quote!(crate::ratelimit::Cost::PerItem(#n))
            }
        };
        let body_items = op.body.as_ref().zip(op.items_field.as_ref()).map(|(b, f)| {
            let (b, f) = (ident(&b.name), ident(f));
            quote!(self.#b.#f)
        });
        let cost_items = match (&op.cost, &body_items) {
            (Cost::PerItem(_), Some(items)) => quote! {
                fn cost_items(&self) -> usize {
                    #items.len()
                }
            },
            _ => quote!(),
        };
        let batch = op
            .batch
            .as_ref()
            .zip(body_items)
            .map(|(shape, items)| self.batch(&name, shape, items));
        let new_doc = if required_args.is_empty() {
            " A request with every optional parameter unset."
        } else {
            " A request with its required inputs; optional parameters start unset."
        };
        quote! {
            #docs
            #dep
            #[derive(Debug, Clone, PartialEq #default)]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                #[doc = #new_doc]
                pub fn new(#(#required_args),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }

            impl crate::operation::Operation for #name {
                type Output = #output;
                const INFO: crate::operation::OperationInfo = crate::operation::OperationInfo {
                    id: #id,
                    method: crate::operation::Method::#method,
                    path: #path,
                    auth: crate::operation::Auth::#auth,
                    cost: #cost,
                };
                fn write_path(&self, out: &mut ::std::string::String) {
                    #(#path_stmts)*
                }
                #write_query
                #write_body
                #cost_items
                fn decode(body: &[u8]) -> ::std::result::Result<Self::Output, crate::DecodeError> {
                    #decode
                }
            }

            #paginated
            #batch

            impl crate::Client {
                #fn_docs
                #dep
                pub async fn #fn_name(&self, request: #name) -> crate::Result<#output> {
                    self.execute(&request).await
                }
            }
        }
    }
}

impl Model {
    /// `impl Batch` for a batch operation (see [`BatchShape`]); `items` is the expression of the
    /// request's item array.
    fn batch(&self, name: &Ident, shape: &BatchShape, items: TokenStream) -> TokenStream {
        let item = self.ty(&shape.item);
        let outcome = self.ty(&shape.outcome);
        let outcomes = ident(&shape.outcomes_field.0);
        let take = if shape.outcomes_field.1 {
            quote!(output.#outcomes.unwrap_or_default())
        } else {
            quote!(output.#outcomes)
        };
        let error = ident(&shape.error_field);
        let key = |(field, optional): &(String, bool), var: TokenStream| {
            let f = ident(field);
            if *optional {
                quote!(#var.#f.as_deref())
            } else {
                quote!(::std::option::Option::Some(#var.#f.as_str()))
            }
        };
        let keys = shape.key.as_ref().map(|(item_key, outcome_key)| {
            let item_key = key(item_key, quote!(item));
            let outcome_key = key(outcome_key, quote!(outcome));
            quote! {
                fn item_key(item: &Self::Item) -> ::std::option::Option<&str> {
                    #item_key
                }
                fn outcome_key(outcome: &Self::Outcome) -> ::std::option::Option<&str> {
                    #outcome_key
                }
            }
        });
        quote! {
            impl crate::batch::Batch for #name {
                type Item = #item;
                type Outcome = #outcome;
                fn items_mut(&mut self) -> &mut ::std::vec::Vec<Self::Item> {
                    &mut #items
                }
                fn into_outcomes(output: Self::Output) -> ::std::vec::Vec<Self::Outcome> {
                    #take
                }
                fn outcome_error(outcome: &Self::Outcome) -> ::std::option::Option<crate::ErrorBody> {
                    outcome.#error.as_ref().map(crate::ErrorBody::from_serialize)
                }
                #keys
            }
        }
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
