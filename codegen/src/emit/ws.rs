//! Emit for the WebSocket side: `ws/{mod,types,commands,messages,channels,errors}.rs`.
//!
//! The items implement the traits of the runtime's `crate::ws::protocol`, the contract between
//! this generated code and the hand-written session.

use super::{doc_attrs, ident, struct_codec, FileTokens, Piece};
use crate::ir::ws::{Alt, FeedField, KindBody, OrderMessageDef, ServerKind, WsModel};
use crate::ir::{Model, Ty, TypeDef, TypeKind};
use crate::settings::BookAsks;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

impl WsModel {
    /// Emits the `ws/` files.
    pub fn emit(&self) -> Vec<FileTokens> {
        let (types, commands) = self.type_pieces();
        vec![
            self.mod_file(),
            FileTokens {
                path: "ws/types.rs".into(),
                doc: "The `msg` of each server message, and the types inside them.".into(),
                pieces: types,
            },
            FileTokens {
                path: "ws/commands.rs".into(),
                doc: "Commands a client sends: each type is the command's `params`.".into(),
                pieces: commands,
            },
            FileTokens {
                path: "ws/messages.rs".into(),
                doc: "`ServerMessage`: every message the server sends, by its `type`.".into(),
                pieces: std::iter::once(self.messages())
                    .chain(self.book.is_some().then(|| self.book_feed()))
                    .chain(self.orders.is_some().then(|| self.order_feed()))
                    .chain(
                        self.control
                            .as_ref()
                            .map(|c| super::control::control(&self.types, c)),
                    )
                    .map(Piece::Items)
                    .collect(),
            },
            FileTokens {
                path: "ws/channels.rs".into(),
                doc: "`Channel`: the channels that carry data.".into(),
                pieces: vec![Piece::Items(self.channels())],
            },
            FileTokens {
                path: "ws/errors.rs".into(),
                doc: "`ErrorCode`: the codes of the server's `error` replies.".into(),
                pieces: vec![Piece::Items(self.errors())],
            },
        ]
    }

    /// `ws/mod.rs`: the modules, and the aliases that fill the runtime's generic types in.
    fn mod_file(&self) -> FileTokens {
        let (book_aliases, order_aliases) = self.feed_aliases();
        let spec = format!("{} {} (sha256 {})", self.title, self.version, self.sha256);
        FileTokens {
            path: "ws/mod.rs".into(),
            doc: "Code generated from the AsyncAPI spec: message types in [`types`], commands in \
                  [`commands`], and `ServerMessage`, `Channel` and `ErrorCode`."
                .into(),
            pieces: vec![Piece::Items(quote! {
                pub mod commands;
                pub mod types;
                mod channels;
                mod errors;
                mod messages;
                pub use channels::*;
                pub use commands::*;
                pub use errors::*;
                pub use messages::*;
                pub use types::*;
                /// The spec this module is generated from: its title, version and sha256.
                pub const SPEC: &str = #spec;
                /// A session on Kalshi's WebSocket API whose messages are [`ServerMessage`]s.
                pub type Session = crate::ws::session::Session<ServerMessage, Channel>;
                /// A subscription of a [`Session`].
                pub type Subscription = crate::ws::session::Subscription<ServerMessage, Channel>;
                #book_aliases
                #order_aliases
            })],
        }
    }

    /// The aliases of the order book and order tracker types, when their settings are given.
    fn feed_aliases(&self) -> (TokenStream, TokenStream) {
        let book_aliases = if self.book.is_some() {
            quote! {
                /// The writer of live order books over [`ServerMessage`]s.
                pub type BookKeeper = crate::ws::orderbook::BookKeeper<ServerMessage>;
                /// A book transition, or any other event of the session.
                pub type BookUpdate = crate::ws::orderbook::BookUpdate<ServerMessage>;
                /// The stream of [`BookUpdate`]s from `OrderBooks::spawn`.
                pub type BookEvents = crate::ws::orderbook::BookEvents<ServerMessage>;
            }
        } else {
            quote!()
        };
        let order_aliases = if self.orders.is_some() {
            quote! {
                /// Routes your orders' [`OrderUpdate`]s to them.
                pub type OrderTracker = crate::ws::orders::OrderTracker<ServerMessage>;
                /// The [`OrderUpdate`]s of one tracked order.
                pub type OrderUpdates = crate::ws::orders::OrderUpdates<ServerMessage>;
            }
        } else {
            quote!()
        };
        (book_aliases, order_aliases)
    }

    /// The pieces of `ws/types.rs` and of `ws/commands.rs` (the commands' parameter types with
    /// their setters and `impl Command`).
    fn type_pieces(&self) -> (Vec<Piece>, Vec<Piece>) {
        let m = &self.types;
        let mut types = Vec::new();
        let mut commands = Vec::new();
        for t in &m.types {
            let target = if t.module == "commands" {
                &mut commands
            } else {
                &mut types
            };
            target.push(Piece::Items(m.type_def(t)));
            if let TypeKind::Struct(fields) = &t.kind {
                target.push(Piece::Text(struct_codec(m, t, fields)));
            }
        }
        for c in &self.commands {
            let t = &m.types[c.ty];
            if matches!(t.kind, TypeKind::Struct(_)) {
                commands.push(Piece::Items(command_impl(t, &c.cmd, c.has_params)));
            }
        }
        (types, commands)
    }

    /// `ServerMessage`, its `impl Incoming`, and the enums of messages that share a `type`.
    fn messages(&self) -> TokenStream {
        let mut arms = MessageArms::default();
        for k in &self.kinds {
            self.message_arms(k, &mut arms);
        }
        let MessageArms {
            variants,
            arms,
            in_place,
            kinds,
            extra,
        } = arms;
        quote! {
            use crate::ws::protocol;

            /// A message from the server, by its `type`.
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum ServerMessage {
                #(#variants)*
                /// A `type` this version of the spec does not list: the type and the whole frame.
                Unknown {
                    /// The `type`.
                    kind: ::std::string::String,
                    /// The frame, as received.
                    raw: ::bytes::Bytes,
                },
            }

            impl protocol::Incoming for ServerMessage {
                const SPEC: &'static str = super::SPEC;

                fn decode(
                    envelope: &protocol::Envelope<'_>,
                    frame: &::bytes::Bytes,
                ) -> ::std::result::Result<Self, crate::DecodeError> {
                    ::std::result::Result::Ok(match envelope.kind.as_ref() {
                        #(#arms)*
                        _ => Self::Unknown {
                            kind: envelope.kind.to_string(),
                            raw: frame.clone(),
                        },
                    })
                }

                fn decode_in_place<'de, D: ::serde::Deserializer<'de>>(
                    kind: &str,
                    msg: D,
                    frame: &::bytes::Bytes,
                ) -> ::std::result::Result<Self, D::Error> {
                    ::std::result::Result::Ok(match kind {
                        #(#in_place)*
                        _ => {
                            <::serde::de::IgnoredAny as ::serde::Deserialize>::deserialize(msg)?;
                            Self::Unknown {
                                kind: kind.to_string(),
                                raw: frame.clone(),
                            }
                        }
                    })
                }

                fn kind(&self) -> &str {
                    match self {
                        #(#kinds)*
                        Self::Unknown { kind, .. } => kind,
                    }
                }
            }

            #(#extra)*
        }
    }

    /// The variant of one `type`, its arms in the decoders and in `kind`, and the enum of its
    /// messages when several share it.
    fn message_arms(&self, k: &ServerKind, out: &mut MessageArms) {
        let m = &self.types;
        let v = ident(&k.variant);
        let wire = &k.wire;
        let doc = format!(" `{wire}`.");
        match &k.body {
            KindBody::One(alt) => {
                let docs = doc_attrs(&[alt.doc.as_deref(), Some(&doc)]);
                match &alt.ty {
                    None => {
                        out.variants.push(quote!(#docs #v,));
                        out.arms.push(quote!(#wire => Self::#v,));
                        out.in_place.push(quote! {
                            #wire => {
                                <::serde::de::IgnoredAny as ::serde::Deserialize>::deserialize(msg)?;
                                Self::#v
                            }
                        });
                        out.kinds.push(quote!(Self::#v => #wire,));
                    }
                    Some(ty) => {
                        let (t, wrap) = payload(m, ty);
                        let label = &alt.name;
                        out.variants.push(quote!(#docs #v(#t),));
                        let decode = wrap(
                            quote!(crate::operation::decode_json(#label, protocol::raw_bytes(envelope.msg))?),
                        );
                        out.arms.push(quote!(#wire => Self::#v(#decode),));
                        let decode = wrap(quote!(::serde::Deserialize::deserialize(msg)?));
                        out.in_place.push(quote!(#wire => Self::#v(#decode),));
                        out.kinds.push(quote!(Self::#v(_) => #wire,));
                    }
                }
            }
            KindBody::Several { name, alts } => {
                let n = ident(name);
                let docs = doc_attrs(&[Some(&format!(
                    "`{wire}`: one of several messages, told apart by shape."
                ))]);
                out.variants.push(quote!(#docs #v(#n),));
                out.arms
                    .push(quote!(#wire => Self::#v(#n::decode(envelope.msg)?),));
                out.in_place.push(quote! {
                    #wire => Self::#v(
                        #n::decode(::std::option::Option::Some(protocol::raw_in_place(msg)?))
                            .map_err(::serde::de::Error::custom)?,
                    ),
                });
                out.kinds.push(quote!(Self::#v(_) => #wire,));
                out.extra.push(alternatives(m, &n, wire, alts));
            }
        }
    }

    /// `impl protocol::BookFeed for ServerMessage`, from the settings' `order_book`.
    fn book_feed(&self) -> TokenStream {
        let Some(b) = &self.book else {
            return quote!();
        };
        let field = |f: &FeedField| ident(&f.name);
        let (snapshot, delta) = (ident(&b.snapshot.variant), ident(&b.delta.variant));
        let (snapshot_wire, delta_wire) = (&b.snapshot.wire, &b.delta.wire);
        let snapshot_ticker = field(&b.snapshot_ticker);
        let levels = b.levels.iter().map(|f| {
            let n = field(f);
            if f.optional {
                quote!(m.#n.as_deref().unwrap_or_default())
            } else {
                quote!(m.#n.as_slice())
            }
        });
        let sides = book_sides(b.asks);
        let [first, second] = &b.side_values;
        let delta_ticker = field(&b.delta_ticker);
        let (price, change, side) = (field(&b.price), field(&b.change), field(&b.side));
        let client_order_id = field(&b.client_order_id);
        let subaccount = subaccount_read(&b.subaccount);
        quote! {
            impl protocol::BookFeed for ServerMessage {
                type Sides = #sides;

                fn is_book(kind: &str) -> bool {
                    ::std::matches!(kind, #snapshot_wire | #delta_wire)
                }

                fn is_snapshot(kind: &str) -> bool {
                    kind == #snapshot_wire
                }

                fn book(
                    &mut self,
                ) -> ::std::option::Option<protocol::BookMessage<'_, Self::Sides>> {
                    match self {
                        Self::#snapshot(m) => ::std::option::Option::Some(
                            protocol::BookMessage::Snapshot(protocol::BookSnapshot {
                                ticker: &m.#snapshot_ticker,
                                sides: [#(#levels),*],
                            }),
                        ),
                        Self::#delta(m) => {
                            let m = &mut **m;
                            let side = match crate::enums::StringEnum::as_str(&m.#side) {
                                #first => ::std::result::Result::Ok(
                                    <Self::Sides as protocol::BookSides>::BOTH[0],
                                ),
                                #second => ::std::result::Result::Ok(
                                    <Self::Sides as protocol::BookSides>::BOTH[1],
                                ),
                                other => ::std::result::Result::Err(other),
                            };
                            ::std::option::Option::Some(protocol::BookMessage::Delta(
                                protocol::BookDelta {
                                    ticker: &mut m.#delta_ticker,
                                    price: m.#price,
                                    delta: m.#change,
                                    side,
                                    client_order_id: &mut m.#client_order_id,
                                    subaccount: #subaccount,
                                },
                            ))
                        }
                        _ => ::std::option::Option::None,
                    }
                }
            }
        }
    }

    /// `OrderUpdate` and `impl protocol::OrderFeed for ServerMessage`, from the settings' `orders`.
    fn order_feed(&self) -> TokenStream {
        let Some(o) = &self.orders else {
            return quote!();
        };
        let m = &self.types;
        let parts = |d: &OrderMessageDef| {
            let variant = ident(&d.message.variant);
            let (held, _) = payload(m, &Ty::Named(d.message.ty));
            let order_id = ident(&d.order_id.name);
            let cid = ident(&d.client_order_id.name);
            let cid = if d.client_order_id.optional {
                quote!(m.#cid.as_deref())
            } else {
                quote!(::std::option::Option::Some(m.#cid.as_str()))
            };
            (variant, held, order_id, cid)
        };
        let (update, update_ty, update_id, update_cid) = parts(&o.update);
        let (fill, fill_ty, fill_id, fill_cid) = parts(&o.fill);
        let update_doc = format!(" Its state: a `{}` message.", o.update.message.wire);
        let fill_doc = format!(" A fill of it: a `{}` message.", o.fill.message.wire);
        quote! {
            /// What happened to a tracked order (see [`OrderTracker`](super::OrderTracker)).
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum OrderUpdate {
                #[doc = #update_doc]
                Order(#update_ty),
                #[doc = #fill_doc]
                Fill(#fill_ty),
            }

            impl OrderUpdate {
                /// The exchange's order id.
                pub fn order_id(&self) -> &crate::OrderId {
                    match self {
                        Self::Order(m) => &m.#update_id,
                        Self::Fill(m) => &m.#fill_id,
                    }
                }
            }

            impl protocol::OrderFeed for ServerMessage {
                type Update = OrderUpdate;

                fn order(
                    &self,
                ) -> ::std::option::Option<protocol::OrderMessage<'_, OrderUpdate>> {
                    match self {
                        Self::#update(m) => ::std::option::Option::Some(protocol::OrderMessage {
                            order_id: &m.#update_id,
                            client_order_id: #update_cid,
                            update: OrderUpdate::Order(m.clone()),
                        }),
                        Self::#fill(m) => ::std::option::Option::Some(protocol::OrderMessage {
                            order_id: &m.#fill_id,
                            client_order_id: #fill_cid,
                            update: OrderUpdate::Fill(m.clone()),
                        }),
                        _ => ::std::option::Option::None,
                    }
                }
            }
        }
    }

    /// `Channel`, its tables from the spec, and the traits the runtime reads it through.
    fn channels(&self) -> TokenStream {
        let vs: Vec<Ident> = self.channels.iter().map(|c| ident(&c.variant)).collect();
        let wires: Vec<&str> = self.channels.iter().map(|c| c.wire.as_str()).collect();
        let docs = self.channels.iter().map(|c| {
            let wire = format!("`{}`", c.wire);
            doc_attrs(&[c.title.as_deref(), Some(&wire), c.description.as_deref()])
        });
        let types = self.channels.iter().map(|c| {
            let t = &c.message_types;
            quote!(&[#(#t),*])
        });
        let rejects = self.channels.iter().map(|c| {
            let t = &c.rejects;
            quote!(&[#(#t),*])
        });
        let actions = self.channels.iter().map(|c| {
            let t = &c.actions;
            quote!(&[#(#t),*])
        });
        let conversions = self.channel_traits();
        quote! {
            use crate::ws::protocol;

            /// A channel that carries data, or one this version of the spec does not list.
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum Channel {
                #( #docs #vs, )*
                /// A channel this version of the spec does not list, by its wire name.
                Unknown(::std::string::String),
            }

            impl Channel {
                /// Every channel the spec lists.
                pub const ALL: &'static [Channel] = &[#(Channel::#vs),*];

                /// The wire name.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#vs => #wires, )*
                        Self::Unknown(name) => name,
                    }
                }

                /// The `type`s of the messages the channel carries (empty when unknown).
                pub fn message_types(&self) -> &'static [&'static str] {
                    match self {
                        #( Self::#vs => #types, )*
                        Self::Unknown(_) => &[],
                    }
                }

                /// The subscribe parameters the spec's prose says the channel does not take.
                pub fn rejected_params(&self) -> &'static [&'static str] {
                    match self {
                        #( Self::#vs => #rejects, )*
                        Self::Unknown(_) => &[],
                    }
                }

                /// The `update_subscription` actions the spec's prose says the channel supports.
                pub fn actions(&self) -> &'static [&'static str] {
                    match self {
                        #( Self::#vs => #actions, )*
                        Self::Unknown(_) => &[],
                    }
                }
            }

            #conversions
        }
    }

    /// `From<&str>`, `FromStr`, `Display` and `protocol::ChannelKind` for `Channel`.
    fn channel_traits(&self) -> TokenStream {
        let vs: Vec<Ident> = self.channels.iter().map(|c| ident(&c.variant)).collect();
        let wires: Vec<&str> = self.channels.iter().map(|c| c.wire.as_str()).collect();
        quote! {
            impl ::std::convert::From<&str> for Channel {
                fn from(name: &str) -> Self {
                    match name {
                        #( #wires => Self::#vs, )*
                        other => Self::Unknown(other.to_string()),
                    }
                }
            }

            impl ::std::str::FromStr for Channel {
                type Err = ::std::convert::Infallible;
                fn from_str(name: &str) -> ::std::result::Result<Self, Self::Err> {
                    ::std::result::Result::Ok(Self::from(name))
                }
            }

            impl ::std::fmt::Display for Channel {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl protocol::ChannelKind for Channel {
                fn as_str(&self) -> &str {
                    Channel::as_str(self)
                }
                fn accepts(&self, param: &str) -> bool {
                    !self.rejected_params().contains(&param)
                }
                fn supports(&self, action: &str) -> bool {
                    self.actions().contains(&action)
                }
            }
        }
    }

    fn errors(&self) -> TokenStream {
        let vs: Vec<Ident> = self.error_codes.iter().map(|c| ident(&c.variant)).collect();
        let codes: Vec<i64> = self.error_codes.iter().map(|c| c.code).collect();
        let names: Vec<&str> = self.error_codes.iter().map(|c| c.name.as_str()).collect();
        let descs = self.error_codes.iter().map(|c| match &c.description {
            Some(d) => quote!(::std::option::Option::Some(#d)),
            None => quote!(::std::option::Option::None),
        });
        let docs = self.error_codes.iter().map(|c| {
            let head = format!("{}: {}", c.code, c.name);
            doc_attrs(&[Some(&head), c.description.as_deref()])
        });
        quote! {
            use crate::ws::protocol;

            /// The code of an `error` reply, or one this version of the spec does not list.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum ErrorCode {
                #( #docs #vs, )*
                /// A code this version of the spec does not list.
                Unknown(i64),
            }

            impl protocol::ErrorCodeKind for ErrorCode {
                // A spec without error codes leaves the catch-all arm alone.
                #[allow(clippy::match_single_binding)]
                fn from_code(code: i64) -> Self {
                    match code {
                        #( #codes => Self::#vs, )*
                        other => Self::Unknown(other),
                    }
                }
                fn code(&self) -> i64 {
                    match self {
                        #( Self::#vs => #codes, )*
                        Self::Unknown(code) => *code,
                    }
                }
                fn name(&self) -> ::std::option::Option<&'static str> {
                    match self {
                        #( Self::#vs => ::std::option::Option::Some(#names), )*
                        Self::Unknown(_) => ::std::option::Option::None,
                    }
                }
                fn description(&self) -> ::std::option::Option<&'static str> {
                    match self {
                        #( Self::#vs => #descs, )*
                        Self::Unknown(_) => ::std::option::Option::None,
                    }
                }
            }
        }
    }
}

/// A message's payload type as a variant holds it, and how to wrap a decoded value into it:
/// generated types are boxed, so that `ServerMessage` stays the size of a pointer or two and a
/// frame's message moves cheaply whatever its type (from 24 to over 400 bytes unboxed); lists and
/// other types that already live on the heap are held as they are.
fn payload(m: &Model, ty: &Ty) -> (TokenStream, fn(TokenStream) -> TokenStream) {
    let t = m.ty(ty);
    match ty {
        Ty::Named(_) => (
            quote!(::std::boxed::Box<#t>),
            |value| quote!(::std::boxed::Box::new(#value)),
        ),
        _ => (t, |value| value),
    }
}

/// The enum of messages sharing one `type`, and its decoder (see `asyncapi` for the rule).
fn alternatives(m: &Model, name: &Ident, wire: &str, alts: &[Alt]) -> TokenStream {
    let mut variants = Vec::new();
    let mut steps = Vec::new();
    for (i, a) in alts.iter().enumerate() {
        let (variant, step) = alternative(m, a, i + 1 == alts.len());
        variants.push(variant);
        steps.push(step);
    }
    let doc = format!(
        " The messages of `type` `{wire}`, told apart by shape: arrays first, then objects with \
         a distinguishing constant, then by their required keys (most first); the last is the \
         fallback."
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            fn decode(
                msg: ::std::option::Option<&str>,
            ) -> ::std::result::Result<Self, crate::DecodeError> {
                #(#steps)*
            }
        }
    }
}

/// One alternative's variant, and its step in the decoder (the `last` is the fallback).
fn alternative(m: &Model, a: &Alt, last: bool) -> (TokenStream, TokenStream) {
    let v = ident(&a.name);
    let label = &a.name;
    let docs = doc_attrs(&[a.doc.as_deref()]);
    let Some(ty) = &a.ty else {
        let step = if last {
            quote!(::std::result::Result::Ok(Self::#v))
        } else {
            quote! {
                if msg.is_none() {
                    return ::std::result::Result::Ok(Self::#v);
                }
            }
        };
        return (quote!(#docs #v,), step);
    };
    let (held, wrap) = payload(m, ty);
    let t = m.ty(ty);
    let variant = quote!(#docs #v(#held),);
    let decode = quote!(crate::operation::decode_json::<#t>(#label, protocol::raw_bytes(msg)));
    let decoded = wrap(quote!(#decode?));
    if last {
        return (
            variant,
            quote!(::std::result::Result::Ok(Self::#v(#decoded))),
        );
    }
    let keys = &a.required;
    let step = if a.is_array {
        quote! {
            if msg.is_some_and(protocol::is_array) {
                return ::std::result::Result::Ok(Self::#v(#decoded));
            }
        }
    } else if !a.consts.is_empty() {
        let boxed = wrap(quote!(value));
        let checks = a.consts.iter().map(|(field, eid, variant)| {
            let f = ident(field);
            let e = m.ty(&Ty::Named(*eid));
            let var = ident(variant);
            quote!(::std::matches!(value.#f, #e::#var))
        });
        quote! {
            if msg.is_some_and(|m| protocol::has_keys(m, &[#(#keys),*])) {
                if let ::std::result::Result::Ok(value) = #decode {
                    if #(#checks)&&* {
                        return ::std::result::Result::Ok(Self::#v(#boxed));
                    }
                }
            }
        }
    } else {
        quote! {
            if msg.is_some_and(|m| protocol::has_keys(m, &[#(#keys),*])) {
                return ::std::result::Result::Ok(Self::#v(#decoded));
            }
        }
    };
    (variant, step)
}

/// `impl Command` for a command's parameter struct (its setters come with the struct, as for
/// every type the client sends).
fn command_impl(t: &TypeDef, cmd: &str, has_params: bool) -> TokenStream {
    let name = ident(&t.name);
    let write = if has_params {
        quote! {
            ::serde_json::to_writer(out, self)?;
            ::std::result::Result::Ok(true)
        }
    } else {
        quote! {
            let _ = out;
            ::std::result::Result::Ok(false)
        }
    };
    quote! {
        impl crate::ws::protocol::Command for #name {
            const CMD: &'static str = #cmd;
            fn write_params(
                &self,
                out: &mut ::std::vec::Vec<u8>,
            ) -> ::std::result::Result<bool, ::serde_json::Error> {
                #write
            }
        }
    }
}

/// The pieces of `ServerMessage` and its impl, one entry per `type`.
#[derive(Default)]
struct MessageArms {
    variants: Vec<TokenStream>,
    arms: Vec<TokenStream>,
    in_place: Vec<TokenStream>,
    kinds: Vec<TokenStream>,
    extra: Vec<TokenStream>,
}

/// The runtime's side type of a book: YES and NO bids (asks implied), or quoted bids and asks.
fn book_sides(asks: BookAsks) -> TokenStream {
    match asks {
        BookAsks::Implied => quote!(crate::sides::Side),
        BookAsks::Quoted => quote!(crate::sides::QuoteSide),
    }
}

/// A delta's subaccount read from the message `m` as the runtime's `Option<i64>`.
fn subaccount_read(f: &FeedField) -> TokenStream {
    let n = ident(&f.name);
    match f.ty {
        Ty::I64 => quote!(m.#n),
        _ => quote!(m.#n.map(::std::convert::From::from)),
    }
}
