//! Typed, fast client for the [Kalshi Trade API](https://docs.kalshi.com).
//!
//! Every endpoint of Kalshi's OpenAPI spec is a method on [`Client`] taking a typed request from
//! [`ops`] and returning a typed response from [`types`]. Both modules are generated from the spec by
//! `cargo xtask regen`; everything else in this crate is the hand-written runtime they sit on.
//!
//! ```no_run
//! # async fn demo() -> kalshi_api::Result<()> {
//! use kalshi_api::{ops, Client, Environment};
//!
//! let client = Client::new(Environment::Demo);
//! let page = client.get_markets(ops::GetMarkets::new().limit(5)).await?;
//! for market in &page.markets {
//!     println!("{} {}", market.ticker, market.yes_bid_dollars);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # How responses decode
//!
//! - **Unknown fields** are ignored, so Kalshi can add fields without breaking you.
//! - **Enums are open**: every enum has an `Unknown` variant that keeps a value the spec does not
//!   list, and writes it back unchanged (see [`enums`]).
//! - **Absent "required" fields**: Kalshi sometimes leaves out a field its spec marks required. In
//!   response types such a field decodes to its type's default (`""`, `0`, `false`, an empty list,
//!   zero money, the enum's `""` value) instead of failing the whole answer, so one drifted field
//!   cannot fail a page of 1,000 markets. Where absence matters to your logic (a zero price), check
//!   for the default. Fields the spec marks optional or nullable are `Option`.
//! - **`null` where the spec promises a value**: Kalshi's Go servers send `null` for empty lists
//!   and maps (`"tags_by_categories": {"Elections": null}`). In response types a `null` the spec
//!   does not allow reads as if the value were absent (an empty list or map, the type's default),
//!   at every depth: a field, a list element, a map value, a field of a nested object. Request
//!   types stay strict.
//! - **`oneOf`/`anyOf`** are enums of the alternatives, chosen by the discriminator or else by
//!   trying them in order; in response types a value no alternative reads is kept as raw JSON in
//!   the enum's catch-all variant instead of failing the answer.
//! - **Money** fields are exact decimals ([`money::FixedPointDollars`], [`money::FixedPointCount`]),
//!   never `f64`.
//! - A response that still does not match is [`Error::Decode`], naming the JSON path of the field.
//!
//! # Requests
//!
//! Request types in [`ops`] take their required inputs in `new(...)` and the optional ones through
//! chained setters; request bodies are types from [`types`] with a `new(...)` of their required
//! fields.
//!
//! # Trading at full speed
//!
//! - **Pagination**: [`Client::paginate`] walks a list operation page by page or streams its items;
//!   it stops on the last page and fails rather than loop on a repeated cursor ([`pagination`]).
//! - **Batches**: [`Client::batch`] sends any number of orders to create or cancel, 20 per
//!   request, and returns one result per order, in input order ([`batch`]).
//! - **Rate limiting**: [`ClientBuilder::rate_limiter`] (or [`ClientBuilder::tier`]) makes every
//!   request wait for its tokens (each operation's cost comes from the spec) instead of meeting
//!   HTTP 429 ([`ratelimit`]).
//! - **Retries**: [`ClientBuilder::retry`] retries reads and cancels on 429, 5xx, timeouts and lost
//!   connections; order creation and other writes only when the policy says so ([`retry`]).
//!
//! Without a limiter or a retry policy the client sends exactly one request per call.
//!
//! # API areas
//!
//! Each tag of the spec is a cargo feature (`market`, `orders`, `portfolio`, …; `all-areas`, the
//! default, enables every one): an area's feature compiles its operations, their `Client` methods
//! and the types only they use, so a build pays only for the areas it calls.
//!
//! # The real-time feed
//!
//! With the default `ws` feature, [`ws`] holds the WebSocket API generated from Kalshi's AsyncAPI
//! spec (messages, commands, channels, error codes) and a session that signs its handshake,
//! checks sequence numbers per subscription, repairs gaps with fresh snapshots, and reconnects and
//! resubscribes by itself, telling you each step in order on one stream of events.
//!
//! # Sides
//!
//! Four types name a side (the book's `ws::Side`, the generated outcome and book-side enums);
//! [`sides`] says which is which and converts between them.
//!
//! # Logging
//!
//! With the `tracing` feature (default) each call is a `tracing` span named `request` with the
//! operation, the method and the path template, and its attempts, status, Kalshi's request id,
//! latency, rate-limit wait and retry decisions; a WebSocket session logs its connection events.
//! Install a subscriber (`tracing-subscriber`) to see them: at `info` a healthy client is silent,
//! retries and reconnects show, failures are `warn`. Keys, signatures and `KALSHI-ACCESS-*` headers
//! are never logged.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(not(any(feature = "rustcrypto", feature = "ring")))]
compile_error!(
    "kalshi-api needs a signing backend: enable the `rustcrypto` or `ring` feature (both default)"
);

pub mod auth;
pub mod backoff;
mod config;
pub mod drift;
pub mod enums;
mod error;
mod json_path;
pub mod money;
mod order_id;
#[cfg(feature = "record")]
pub mod record;
mod rest;
pub mod sides;
mod trace;
pub mod value;
mod wire;
#[cfg(feature = "ws")]
pub mod ws;

#[rustfmt::skip]
mod generated;
#[cfg(feature = "perps")]
#[rustfmt::skip]
pub mod perps;

pub use auth::{AsyncSigner, KeyPairSigner, PrivateKey, Signer};
pub use batch::{ItemError, ItemResult};
pub use config::Environment;
pub use error::{ApiError, DecodeError, Error, ErrorBody, Result};
pub use generated::{ops, types};
pub use order_id::OrderId;
pub use ratelimit::{RateLimiter, Tier};
pub use rest::client::{Client, ClientBuilder};
pub use rest::{batch, operation, pagination, ratelimit, retry};
pub use retry::RetryPolicy;
/// The trade, market and user ids of the WebSocket messages (order ids are [`OrderId`]).
pub use uuid::Uuid;
