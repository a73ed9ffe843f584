//! The AsyncAPI input: server messages, commands, channels and error codes, lowered onto the
//! shared schema lowering ([`crate::schema`]).
//!
//! General rules, never a channel, message or schema name:
//!
//! - Server messages are those of operations with `action: send` and JSON content (control frames
//!   in `application/octet-stream` are the WebSocket layer's). Each payload is the envelope
//!   `{type, id, sid, seq, msg}`; `properties.type` must be a `const`, and `msg` becomes the
//!   message's type, named from the message's `name`, or from its key when the name is shared by
//!   several messages or clashes with a reserved name. A message listed by several channels is one
//!   message.
//! - Messages sharing a `type` value are alternatives of one enum, chosen by shape (see
//!   [`KindBody::Several`](crate::ir::ws::KindBody::Several)): a missing `msg` first, then arrays, then objects with required `const`
//!   properties (decoded, then checked), then objects by their required keys, most keys first; the
//!   last alternative (one with no required keys, when there is one) is the fallback.
//! - Commands are the messages of operations with `action: receive` and JSON content whose payload
//!   has a `cmd` const; messages sharing one payload schema are one command, named by the words
//!   their names share (the `cmd` value when they share none).
//! - Data channels are the channels whose address is not a path (`/...`).
//!
//! `messages` finds the messages, `lower` lowers their schemas, `channels` reads the
//! channels and error codes, [`feeds`] checks the feeds the settings name and [`control`] the
//! control messages; [`build`] runs them.

mod channels;
pub mod control;
pub mod feeds;
pub mod load;
mod lower;
mod messages;
pub mod prose;

use crate::error::{Error, Problem};
use crate::ir::ws::WsModel;
use crate::ir::{self, Model};
use crate::settings::Settings;
use serde_yaml::Value;

pub use lower::RESERVED;

/// Reads and lowers an AsyncAPI spec: the WebSocket model and the warnings met (channel prose
/// not understood), or every problem.
pub fn read(text: &str, settings: &Settings) -> Result<(WsModel, Vec<Problem>), Error> {
    let doc = load::load(text)?;
    build(&doc, settings).map_err(Error::Spec)
}

/// Builds the WebSocket model, collecting every problem; returns it with the warnings met.
pub fn build(doc: &Value, settings: &Settings) -> Result<(WsModel, Vec<Problem>), Vec<Problem>> {
    let mut cx = messages::Cx {
        doc,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let title = lower::text(crate::pointer::lookup(doc, "/info/title"))
        .unwrap_or_else(|| "AsyncAPI".into());
    let version = lower::text(crate::pointer::lookup(doc, "/info/version")).unwrap_or_default();
    let servers = messages::servers(&mut cx);
    let cmds = messages::commands(&mut cx);
    let mut lowering = lower::component_lowering(&mut cx, settings, &servers, &cmds);
    let (alts, outputs) = lower::message_bodies(&mut cx, &mut lowering, &servers);
    let commands = lower::commands(&mut cx, &mut lowering, &cmds);
    let kinds = lower::kinds(&mut lowering, alts);
    let channels = channels::channels(&mut cx, &servers, &cmds);
    let error_codes = channels::error_codes(&mut cx);

    let mut problems = std::mem::take(&mut cx.problems);
    problems.append(&mut lowering.problems);
    let types = &lowering.types;
    let book = settings.order_book.as_ref();
    let book = feed(book.map(|s| feeds::book(s, &kinds, types)), &mut problems);
    let orders = settings.orders.as_ref();
    let orders = feed(
        orders.map(|s| feeds::orders(s, &kinds, types)),
        &mut problems,
    );
    let control = settings.control.as_ref();
    let control = feed(
        control.map(|s| control::control(s, &kinds, &commands, types)),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut model = Model {
        title: title.clone(),
        version: version.clone(),
        types: lower::finish_types(lowering.types, outputs, &commands),
        ops: Vec::new(),
        types_path: "crate::generated::ws".into(),
        conversions: settings.enum_conversions.clone(),
        target: ir::Target::default(),
    };
    ir::box_recursion(&mut model);
    let ws = WsModel {
        title,
        version,
        // Set by the caller, which has the spec's whole text.
        sha256: String::new(),
        types: model,
        kinds,
        commands,
        channels,
        error_codes,
        book,
        orders,
        control,
    };
    Ok((ws, cx.warnings))
}

/// A feed the settings name, when they name one and it fits the spec; its problems otherwise.
fn feed<T>(found: Option<Result<T, Vec<Problem>>>, problems: &mut Vec<Problem>) -> Option<T> {
    match found? {
        Ok(feed) => Some(feed),
        Err(mut more) => {
            problems.append(&mut more);
            None
        }
    }
}
