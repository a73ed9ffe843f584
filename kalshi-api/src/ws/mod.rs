//! Kalshi's WebSocket API: the generated message, command, channel and error-code types, and the
//! protocol contract they implement.

pub mod protocol;

pub use crate::generated::ws::*;
