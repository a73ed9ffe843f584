//! The REST runtime: the client that sends generated operations, and what surrounds a request
//! (rate limits, retries, pagination, batches).

pub mod batch;
pub(crate) mod client;
pub mod operation;
pub mod pagination;
pub mod ratelimit;
pub mod retry;
