//! The WebSocket side of the model: what the AsyncAPI lowering decides and `emit::ws` reads.

use super::{Model, Ty, TypeId};

/// Everything the WebSocket emit needs.
#[derive(Debug)]
pub struct WsModel {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The payload and parameter types (no operations).
    pub types: Model,
    /// One entry per distinct `type` value of the server's JSON messages, in spec order.
    pub kinds: Vec<ServerKind>,
    /// The commands a client sends.
    pub commands: Vec<CommandDef>,
    /// The channels that carry server data.
    pub channels: Vec<ChannelDef>,
    /// `x-error-codes`.
    pub error_codes: Vec<ErrorCodeDef>,
}

/// A `type` value and what its `msg` decodes into.
#[derive(Debug)]
pub struct ServerKind {
    /// The wire `type`.
    pub wire: String,
    /// Variant name in `ServerMessage`.
    pub variant: String,
    /// What the variant holds.
    pub body: KindBody,
}

/// The contents of a `ServerMessage` variant.
#[derive(Debug)]
pub enum KindBody {
    /// One message has this `type`.
    One(Alt),
    /// Several messages share the `type`: a generated enum of them, chosen by shape.
    Several {
        /// The enum's name.
        name: String,
        /// The alternatives, in the order they are tried (the last is the fallback).
        alts: Vec<Alt>,
    },
}

/// One server message.
#[derive(Debug)]
pub struct Alt {
    /// Rust name of the message (variant name among alternatives, and the decode label).
    pub name: String,
    /// The `msg` type; `None` when the payload has no `msg`.
    pub ty: Option<Ty>,
    /// Summary or title.
    pub doc: Option<String>,
    /// `msg` is an array.
    pub is_array: bool,
    /// The `msg` object's required keys (wire names).
    pub required: Vec<String>,
    /// Required `const` properties that tell this message apart: Rust field name, the field's
    /// enum type, and the variant of the constant.
    pub consts: Vec<(String, TypeId, String)>,
}

/// A command.
#[derive(Debug)]
pub struct CommandDef {
    /// The `cmd` value.
    pub cmd: String,
    /// Its parameter struct (in the types of [`WsModel::types`]).
    pub ty: TypeId,
    /// Whether the payload has `params`.
    pub has_params: bool,
}

/// A data channel.
#[derive(Debug)]
pub struct ChannelDef {
    /// Wire name (its address).
    pub wire: String,
    /// Variant name.
    pub variant: String,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// The `type` values of the server messages it carries.
    pub message_types: Vec<String>,
    /// Subscribe parameters it does not accept (from the prose).
    pub rejects: Vec<String>,
    /// `update_subscription` actions it supports (from the prose).
    pub actions: Vec<String>,
}

/// An error code.
#[derive(Debug)]
pub struct ErrorCodeDef {
    /// The number.
    pub code: i64,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Variant name.
    pub variant: String,
}
