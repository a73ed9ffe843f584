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

#![warn(missing_docs)]

pub mod auth;
mod client;
pub mod enums;
mod error;
pub mod money;
pub mod operation;
pub mod value;

#[rustfmt::skip]
mod generated;

pub use auth::{KeyPairSigner, PrivateKey, Signer};
pub use client::{Client, ClientBuilder, Environment};
pub use error::{ApiError, DecodeError, Error, ErrorBody, Result};
pub use generated::{ops, types};
