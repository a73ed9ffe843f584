//! The comparisons: items matched by their spec identity (operationId, schema name, wire name)
//! through one generic matcher, then their Rust-visible shapes compared as text
//! (`Option<types::Market>`), since the two models' type ids do not correspond. `matcher` holds
//! the matcher and the collectors of changes, `text` how a type reads; one file per area.

mod matcher;
mod operations;
mod text;
mod types;
mod websocket;

pub(super) use operations::operations;
pub(super) use types::types;
pub(super) use websocket::websocket;
