//! Emit of `impl protocol::Control for ServerMessage` and `impl protocol::SubscribeParams` for the
//! subscribe command, from the settings' `control` as `asyncapi::control` checked it: the session
//! reads the replies and writes the commands through these, naming none of them.

use super::ident;
use crate::ir::ws::{CommandUse, ControlDef, FeedField, ReplyMatch};
use crate::ir::{Field, Model, Ty, TypeDef, TypeKind};
use proc_macro2::TokenStream;
use quote::quote;

/// The `Control` impl and the subscribe command's `SubscribeParams` impl.
pub(super) fn control(m: &Model, c: &ControlDef) -> TokenStream {
    let subscribe = m.ty(&Ty::Named(c.subscribe.0.ty));
    let reply_types = &c.reply_types;
    let replies = reply_arms(c);
    let actions = action_arms(c);
    let commands = command_arms(m, c);
    let params = subscribe_params(m, c);
    quote! {
        impl protocol::Control for ServerMessage {
            type Subscribe = #subscribe;

            fn is_reply(kind: &str) -> bool {
                ::std::matches!(kind, #(#reply_types)|*)
            }

            fn reply(&self) -> ::std::option::Option<protocol::ControlReply<'_>> {
                let reply = match self {
                    #replies
                    _ if <Self as protocol::Control>::is_reply(protocol::Incoming::kind(self)) => {
                        protocol::ControlReply::Other
                    }
                    _ => return ::std::option::Option::None,
                };
                ::std::option::Option::Some(reply)
            }

            fn action(action: protocol::MarketsAction) -> &'static str {
                match action {
                    #actions
                }
            }

            fn write_command(
                command: &protocol::ControlCommand<'_, Self::Subscribe>,
                params: &mut ::std::vec::Vec<u8>,
            ) -> ::std::result::Result<protocol::Written, ::serde_json::Error> {
                match command {
                    #commands
                }
            }
        }

        #params
    }
}

/// The pattern of a reply in `ServerMessage`, binding its `msg` to `m` when it holds one.
fn pattern(r: &ReplyMatch) -> TokenStream {
    let v = ident(&r.variant);
    let bind = if r.holds { quote!((m)) } else { quote!() };
    match &r.alt {
        Some((name, alt)) => {
            let (name, alt) = (ident(name), ident(alt));
            quote!(Self::#v(#name::#alt #bind))
        }
        None => quote!(Self::#v #bind),
    }
}

/// A string field of `from` as `&str`.
fn text(from: &TokenStream, f: &FeedField) -> TokenStream {
    let n = ident(&f.name);
    if f.optional {
        quote!(#from.#n.as_deref().unwrap_or_default())
    } else {
        quote!(#from.#n.as_str())
    }
}

/// An integer field of `from` as a subscription id (`Option<u64>`).
fn sid(from: &TokenStream, f: &FeedField) -> TokenStream {
    let n = ident(&f.name);
    if f.optional {
        quote!(#from.#n.and_then(protocol::sid))
    } else {
        quote!(protocol::sid(#from.#n))
    }
}

fn reply_arms(c: &ControlDef) -> TokenStream {
    let m = quote!(m);
    let item = quote!(item);
    let (subscribed, channel, sub_sid) = &c.subscribed;
    let (subscribed, channel, sub_sid) = (pattern(subscribed), text(&m, channel), sid(&m, sub_sid));
    let unsubscribed = pattern(&c.unsubscribed);
    let (updated, markets) = &c.updated;
    let updated = pattern(updated);
    let markets = {
        let n = ident(&markets.name);
        if markets.optional {
            quote!(m.#n.as_deref())
        } else {
            quote!(::std::option::Option::Some(m.#n.as_slice()))
        }
    };
    let (listed, list_channel, list_sid) = &c.listed;
    let (listed, list_channel, list_sid) = (
        pattern(listed),
        text(&item, list_channel),
        sid(&item, list_sid),
    );
    let (error, code, msg) = &c.error;
    let (error, message) = (pattern(error), text(&m, msg));
    let code = {
        let n = ident(&code.name);
        match &code.ty {
            Ty::I64 => quote!(m.#n),
            Ty::I32 => quote!(::std::convert::From::from(m.#n)),
            _ => quote!(crate::enums::IntEnum::value(&m.#n)),
        }
    };
    quote! {
        #subscribed => protocol::ControlReply::Subscribed {
            channel: #channel,
            sid: #sub_sid,
        },
        #unsubscribed => protocol::ControlReply::Unsubscribed,
        #updated => protocol::ControlReply::Updated { markets: #markets },
        #listed => protocol::ControlReply::Listed(
            m.iter()
                .filter_map(|item| ::std::option::Option::Some((#list_channel, #list_sid?)))
                .collect(),
        ),
        #error => protocol::ControlReply::Error {
            code: #code,
            message: #message,
        },
    }
}

/// The arms from `protocol::MarketsAction` to its variants.
fn action_arms(c: &ControlDef) -> TokenStream {
    let names = [quote!(Add), quote!(Delete), quote!(Snapshot)];
    let arms = names
        .iter()
        .zip(&c.actions)
        .map(|(name, (_, wire))| quote!(protocol::MarketsAction::#name => #wire,));
    quote!(#(#arms)*)
}

/// The fields of a command's parameter struct.
fn fields<'m>(m: &'m Model, used: &CommandUse) -> &'m [Field] {
    match &m.types[used.ty].kind {
        TypeKind::Struct(fields) => fields,
        _ => &[],
    }
}

/// Whether `ty` is a string, aliases followed.
fn is_text<'t>(types: &'t [TypeDef], mut ty: &'t Ty) -> bool {
    for _ in 0..32 {
        match ty {
            Ty::Named(id) => match &types[*id].kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => return false,
            },
            other => return *other == Ty::String,
        }
    }
    false
}

/// A struct literal of a command: the named fields set, every other one unset.
fn literal(m: &Model, used: &CommandUse, set: &[(&FeedField, TokenStream)]) -> TokenStream {
    let all = fields(m, used);
    let path = m.ty(&Ty::Named(used.ty));
    let inits = all.iter().map(|f| {
        let n = ident(&f.name);
        match set.iter().find(|(s, _)| s.name == f.name) {
            Some((s, value)) if s.optional => quote!(#n: ::std::option::Option::Some(#value)),
            Some((_, value)) => quote!(#n: #value),
            None => quote!(#n: ::std::option::Option::None),
        }
    });
    quote!(#path { #(#inits),* })
}

fn command_arms(m: &Model, c: &ControlDef) -> TokenStream {
    let (unsubscribe, sids) = &c.unsubscribe;
    let sids_value = quote! {
        sids.iter()
            .map(|sid| protocol::sid_param(*sid))
            .collect::<::std::result::Result<::std::vec::Vec<_>, _>>()?
    };
    let unsubscribe = literal(m, unsubscribe, &[(sids, sids_value)]);
    let (update, update_sids, markets, action) = &c.update;
    let action_ty = m.ty(&action.ty);
    let variants = c.actions.iter().map(|(variant, _)| ident(variant));
    let names = [quote!(Add), quote!(Delete), quote!(Snapshot)];
    let update = literal(
        m,
        update,
        &[
            (
                update_sids,
                quote!(::std::vec::Vec::from([protocol::sid_param(*sid)?])),
            ),
            (markets, quote!(tickers.to_vec())),
            (action, quote!(chosen)),
        ],
    );
    let list = literal(m, &c.list, &[]);
    quote! {
        protocol::ControlCommand::Subscribe(command) => protocol::command_params(*command, params),
        protocol::ControlCommand::Unsubscribe { sids } => {
            protocol::command_params(&#unsubscribe, params)
        }
        protocol::ControlCommand::Update { sid, action, tickers } => {
            let chosen = match action {
                #(protocol::MarketsAction::#names => #action_ty::#variants,)*
            };
            protocol::command_params(&#update, params)
        }
        protocol::ControlCommand::List => protocol::command_params(&#list, params),
    }
}

/// `impl protocol::SubscribeParams` for the subscribe command.
fn subscribe_params(m: &Model, c: &ControlDef) -> TokenStream {
    let (used, channels, market, markets) = &c.subscribe;
    let all = fields(m, used);
    let path = m.ty(&Ty::Named(used.ty));
    let channel_list = ident(&channels.name);
    let channel_text = match &channels.ty {
        Ty::Vec(item) if is_text(&m.types, item) => quote!(::std::clone::Clone::clone(c)),
        _ => quote!(::std::string::ToString::to_string(
            crate::enums::StringEnum::as_str(c)
        )),
    };
    let set = all.iter().filter(|f| f.name != channels.name).map(|f| {
        let (n, wire) = (ident(&f.name), &f.wire);
        if f.is_option() {
            quote!(if self.#n.is_some() { set.push(#wire); })
        } else {
            quote!(set.push(#wire);)
        }
    });
    let (market, markets) = (ident(&market.name), ident(&markets.name));
    quote! {
        impl protocol::SubscribeParams for #path {
            fn channels(&self) -> ::std::vec::Vec<::std::string::String> {
                self.#channel_list.iter().map(|c| #channel_text).collect()
            }

            fn params_set(&self) -> ::std::vec::Vec<&'static str> {
                let mut set = ::std::vec::Vec::new();
                #(#set)*
                set
            }

            fn markets(&self) -> ::std::vec::Vec<::std::string::String> {
                let mut all: ::std::vec::Vec<::std::string::String> =
                    self.#market.iter().cloned().collect();
                for ticker in self.#markets.iter().flatten() {
                    if !all.contains(ticker) {
                        all.push(::std::clone::Clone::clone(ticker));
                    }
                }
                all
            }

            fn set_markets(&mut self, tickers: ::std::vec::Vec<::std::string::String>) {
                self.#market = ::std::option::Option::None;
                self.#markets = ::std::option::Option::Some(tickers);
            }
        }
    }
}
