//! Emit of operations, in progenitor's shape: one intermediate [`OperationMethod`] says once
//! what the request struct holds and how it is built, then one function per item emits the
//! struct and its constructor, `impl Operation`, `impl Paginated`, `impl Batch` and the `Client`
//! method.

use super::tokens::{deprecated, doc_attrs, ident, setter};
use crate::ir::{AuthKind, BatchShape, Cost, Location, Model, OpDef, Segment, Ty};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// An operation's request type worked out once: its fields, the arguments of `new` and the
/// setters of the optional inputs (parameters, then the body).
struct OperationMethod<'a> {
    op: &'a OpDef,
    /// The request struct.
    name: Ident,
    /// The struct's fields.
    fields: Vec<TokenStream>,
    /// The required inputs: the arguments of `new`.
    required_args: Vec<TokenStream>,
    /// Each field's initialiser in `new`.
    inits: Vec<TokenStream>,
    /// One builder method per optional input.
    setters: Vec<TokenStream>,
    /// `Operation::Output`.
    output: TokenStream,
    /// The expression of the body's item array, when the body has one.
    body_items: Option<TokenStream>,
}

/// One input of the request struct.
struct Input {
    name: String,
    ty: TokenStream,
    is_string: bool,
    required: bool,
    doc: TokenStream,
    deprecated: TokenStream,
}

impl OperationMethod<'_> {
    fn push(&mut self, input: Input) {
        let Input {
            name,
            ty,
            is_string,
            required,
            doc,
            deprecated: fdep,
        } = input;
        let n = ident(&name);
        if required {
            self.fields.push(quote!(#doc #fdep pub #n: #ty,));
            if is_string {
                self.required_args
                    .push(quote!(#n: impl ::std::convert::Into<::std::string::String>));
                self.inits.push(quote!(#n: #n.into()));
            } else {
                self.required_args.push(quote!(#n: #ty));
                self.inits.push(quote!(#n));
            }
            return;
        }
        self.fields
            .push(quote!(#doc #fdep pub #n: ::std::option::Option<#ty>,));
        self.inits.push(quote!(#n: ::std::option::Option::None));
        self.setters.push(setter(&n, ty, is_string, &doc, &fdep));
    }
}

impl Model {
    /// Every item of one operation.
    pub(super) fn op_def(&self, op: &OpDef) -> TokenStream {
        let m = self.operation_method(op);
        let request = request_struct(&m);
        let operation = self.operation_impl(&m);
        let paginated = self.paginated_impl(&m);
        let batch = op
            .batch
            .as_ref()
            .zip(m.body_items.clone())
            .map(|(shape, items)| self.batch(&m.name, shape, items));
        let client = self.client_method(&m);
        quote! {
            #request

            #operation

            #paginated
            #batch

            #client
        }
    }

    fn operation_method<'a>(&self, op: &'a OpDef) -> OperationMethod<'a> {
        let output = match &op.output {
            Some(ty) => self.ty(ty),
            None => quote!(()),
        };
        let body_items = op.body.as_ref().zip(op.items_field.as_ref()).map(|(b, f)| {
            let (b, f) = (ident(&b.name), ident(f));
            quote!(self.#b.#f)
        });
        let mut m = OperationMethod {
            op,
            name: ident(&op.struct_name),
            fields: Vec::new(),
            required_args: Vec::new(),
            inits: Vec::new(),
            setters: Vec::new(),
            output,
            body_items,
        };
        for p in &op.params {
            m.push(Input {
                name: p.name.clone(),
                ty: self.ty(&p.ty),
                is_string: p.ty == Ty::String,
                required: p.required,
                doc: doc_attrs(&[p.doc.as_deref()]),
                deprecated: deprecated(p.deprecated, p.doc.as_deref()),
            });
        }
        if let Some(b) = &op.body {
            m.push(Input {
                name: b.name.clone(),
                ty: self.ty(&b.ty),
                is_string: false,
                required: b.required,
                doc: doc_attrs(&[b.doc.as_deref().or(Some("The JSON request body."))]),
                deprecated: quote!(),
            });
        }
        m
    }

    /// `impl Operation`: what the runtime needs to send the request and read the answer.
    fn operation_impl(&self, m: &OperationMethod<'_>) -> TokenStream {
        let (op, name, output) = (m.op, &m.name, &m.output);
        let id = &op.id;
        let method = ident(&op.method);
        let path = &op.path;
        let auth = match op.auth {
            AuthKind::None => quote!(None),
            AuthKind::Required => quote!(Required),
            AuthKind::Optional => quote!(Optional),
        };
        let cost = cost(op.cost);
        let bearer = op.bearer;
        let buckets = match &self.target.buckets {
            Some(set) => quote!(::std::option::Option::Some(#set)),
            None => quote!(::std::option::Option::None),
        };
        let path_stmts = write_path(op);
        let write_query = write_query(op);
        let write_body = write_body(op);
        let cost_items = match (&op.cost, &m.body_items) {
            (Cost::PerItem(_), Some(items)) => quote! {
                fn cost_items(&self) -> usize {
                    #items.len()
                }
            },
            _ => quote!(),
        };
        let decode = match &op.output {
            Some(_) => quote!(crate::operation::decode_json(#id, body)),
            None => quote! {
                let _ = body;
                ::std::result::Result::Ok(())
            },
        };
        quote! {
            impl crate::operation::Operation for #name {
                type Output = #output;
                const INFO: crate::operation::OperationInfo = crate::operation::OperationInfo {
                    id: #id,
                    method: crate::operation::Method::#method,
                    path: #path,
                    auth: crate::operation::Auth::#auth,
                    bearer: #bearer,
                    cost: #cost,
                    buckets: #buckets,
                };
                fn write_path(&self, out: &mut ::std::string::String) {
                    #path_stmts
                }
                #write_query
                #write_body
                #cost_items
                fn decode(body: &[u8]) -> ::std::result::Result<Self::Output, crate::DecodeError> {
                    #decode
                }
            }
        }
    }

    /// `impl Paginated` (and `PaginatedItems` when the page has an item list), for an operation
    /// that pages.
    fn paginated_impl(&self, m: &OperationMethod<'_>) -> TokenStream {
        let (op, name) = (m.op, &m.name);
        let Some(p) = &op.pagination else {
            return quote!();
        };
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
        let key = |(field, optional): &(String, bool), runtime: bool, var: TokenStream| {
            let f = ident(field);
            match (*optional, runtime) {
                (true, false) => quote!(#var.#f.as_deref()),
                (true, true) => quote!(#var.#f.as_ref().map(|k| k.as_str())),
                (false, _) => quote!(::std::option::Option::Some(#var.#f.as_str())),
            }
        };
        let keys = shape.key.as_ref().map(|k| {
            let item_key = key(&k.item, k.runtime, quote!(item));
            let outcome_key = key(&k.outcome, k.runtime, quote!(outcome));
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

/// The operation's documentation: summary, route, description and how it is signed.
fn route_and_auth(op: &OpDef) -> (String, String) {
    let route = format!("`{} {}`", op.method, op.path);
    let auth_note = match op.auth {
        AuthKind::None => "Public: sent unsigned.",
        AuthKind::Required => "Authenticated: the client signs it.",
        AuthKind::Optional => "Signed when the client has credentials.",
    };
    let bearer = if op.bearer {
        " A client with an OAuth bearer token sends it instead."
    } else {
        ""
    };
    (route, format!("{auth_note}{bearer}"))
}

/// The request struct, its constructor and its setters.
fn request_struct(m: &OperationMethod<'_>) -> TokenStream {
    let (op, name) = (m.op, &m.name);
    let (route, auth_note) = route_and_auth(op);
    let docs = doc_attrs(&[
        op.summary.as_deref(),
        Some(&route),
        op.description.as_deref(),
        Some(&auth_note),
    ]);
    let dep = deprecated(op.deprecated, op.description.as_deref());
    let has_required =
        op.params.iter().any(|p| p.required) || op.body.as_ref().is_some_and(|b| b.required);
    let default = if has_required {
        quote!()
    } else {
        quote!(, Default)
    };
    let new_doc = if m.required_args.is_empty() {
        " A request with every optional parameter unset."
    } else {
        " A request with its required inputs; optional parameters start unset."
    };
    let (fields, required_args, inits, setters) =
        (&m.fields, &m.required_args, &m.inits, &m.setters);
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
    }
}

impl Model {
    /// The method that sends the request: on `Client`, or on the target's handle.
    fn client_method(&self, m: &OperationMethod<'_>) -> TokenStream {
        let (op, name, output) = (m.op, &m.name, &m.output);
        let (route, auth_note) = route_and_auth(op);
        // The link is ours, not spec prose: it is not escaped. The method sits beside the request
        // type; an explicit target names the public path where the namespace re-exports it.
        let target = if self.target.namespace == self.target.module {
            String::new()
        } else {
            format!("({}::ops::{})", self.target.namespace, op.struct_name)
        };
        let link = format!(
            " {route}; the request is [`{0}`]{target}. {auth_note}",
            op.struct_name
        );
        let summary = doc_attrs(&[op.summary.as_deref().or(Some(op.id.as_str()))]);
        let dep = deprecated(op.deprecated, op.description.as_deref());
        let fn_name = ident(&op.fn_name);
        let on = match &self.target.handle {
            Some(handle) => {
                let path =
                    syn::parse_str::<syn::Path>(&format!("{}::{handle}", self.target.module))
                        .map(|p| quote!(#p<'_>))
                        .unwrap_or_else(|_| quote!(crate::Client));
                path
            }
            None => quote!(crate::Client),
        };
        quote! {
            impl #on {
                #summary
                #[doc = ""]
                #[doc = #link]
                #dep
                pub async fn #fn_name(&self, request: #name) -> crate::Result<#output> {
                    self.execute(&request).await
                }
            }
        }
    }
}

/// The runtime's `Cost` of an operation.
fn cost(cost: Cost) -> TokenStream {
    match cost {
        Cost::Default => quote!(crate::ratelimit::Cost::DEFAULT),
        Cost::PerRequest(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
            quote!(crate::ratelimit::Cost::PerRequest(#n))
        }
        Cost::PerItem(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
            quote!(crate::ratelimit::Cost::PerItem(#n))
        }
    }
}

/// The statements of `write_path`: literals merged, parameters encoded as one segment each.
fn write_path(op: &OpDef) -> TokenStream {
    let stmts = op.segments.iter().map(|s| match s {
        Segment::Literal(l) => quote!(out.push_str(#l);),
        Segment::Param(i) => {
            let n = ident(&op.params[*i].name);
            quote!(crate::operation::push_path(out, &self.#n);)
        }
    });
    quote!(#(#stmts)*)
}

/// `write_query`, when the operation has query parameters.
fn write_query(op: &OpDef) -> TokenStream {
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
    if query.is_empty() {
        return quote!();
    }
    quote! {
        fn write_query(&self, query: &mut crate::operation::QueryWriter<'_>) {
            #(#query)*
        }
    }
}

/// `write_body`, when the operation has a body.
fn write_body(op: &OpDef) -> TokenStream {
    let Some(b) = &op.body else {
        return quote!();
    };
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
