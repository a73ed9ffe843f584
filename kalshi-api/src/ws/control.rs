//! The protocol's control messages as the session reads and writes them: the replies to its
//! commands (`subscribed`, `unsubscribed`, `ok`, `error`) and the commands themselves (subscribe,
//! unsubscribe, the market updates of a subscription, the list of subscriptions).
//!
//! The session names none of them: the generated `ServerMessage` implements [`Control`] from
//! `control` in `spec/codegen.yaml`, which says which message and which field plays which part,
//! checked against the spec. A control message that changes in a new spec then changes the
//! generated code (and `cargo xtask diff` reports it) instead of a string the session reads.

use super::protocol::{Command, Incoming};

/// The control messages, read and written for the session: implemented by the generated
/// `ServerMessage`.
pub trait Control: Incoming {
    /// The generated `subscribe` command: the session keeps it, with its markets kept current,
    /// to subscribe again after a reconnect.
    type Subscribe: SubscribeParams;

    /// Whether a frame of `type` `kind` is a reply to a command (never data for the user).
    fn is_reply(kind: &str) -> bool;

    /// This message as a reply to a command, if it is one.
    fn reply(&self) -> Option<ControlReply<'_>>;

    /// The wire name of a market action of `update_subscription` (which channels support it is
    /// the channel's to say, by this name).
    fn action(action: MarketsAction) -> &'static str;

    /// Writes `command`'s `params` into `params` (nothing for a command without parameters) and
    /// returns its `cmd` and whether it has parameters.
    fn write_command(
        command: &ControlCommand<'_, Self::Subscribe>,
        params: &mut Vec<u8>,
    ) -> Result<Written, serde_json::Error>;
}

/// A command as [`Control::write_command`] wrote it.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// Its `cmd`.
    pub cmd: &'static str,
    /// Whether it wrote `params`.
    pub has_params: bool,
}

/// Writes a generated command's `params` for [`Control::write_command`].
pub fn command_params<K: Command>(
    command: &K,
    params: &mut Vec<u8>,
) -> Result<Written, serde_json::Error> {
    let has_params = command.write_params(params)?;
    Ok(Written {
        cmd: K::CMD,
        has_params,
    })
}

/// The parameters of the generated `subscribe` command, as the session reads and edits them.
pub trait SubscribeParams: Clone + Send + Sync + std::fmt::Debug + 'static {
    /// The channels, by wire name.
    fn channels(&self) -> Vec<String>;

    /// The wire names of the other parameters it sets (each checked against its channels).
    fn params_set(&self) -> Vec<&'static str>;

    /// Its markets (the single market and the list, without repeats).
    fn markets(&self) -> Vec<String>;

    /// Replaces its markets with `tickers`, as the list.
    fn set_markets(&mut self, tickers: Vec<String>);
}

/// A command the session writes.
#[derive(Debug)]
pub enum ControlCommand<'a, S> {
    /// Subscribe, as the user asked (markets current after a reconnect).
    Subscribe(&'a S),
    /// End the subscriptions `sids`.
    Unsubscribe {
        /// The `sid`s.
        sids: &'a [u64],
    },
    /// Change the markets of one `sid` (`update_subscription`).
    Update {
        /// The `sid`.
        sid: u64,
        /// What to do.
        action: MarketsAction,
        /// The markets.
        tickers: &'a [String],
    },
    /// List the subscriptions of the connection.
    List,
}

/// What `update_subscription` does to the markets it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarketsAction {
    /// Adds them.
    Add,
    /// Removes them.
    Delete,
    /// Sends their snapshots again, changing nothing.
    Snapshot,
}

/// A reply, as [`Control::reply`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlReply<'a> {
    /// One channel of a `subscribe` is subscribed.
    Subscribed {
        /// The channel.
        channel: &'a str,
        /// Its `sid` (`None` when the message carries none that fits).
        sid: Option<u64>,
    },
    /// An `unsubscribe` took effect.
    Unsubscribed,
    /// An update of markets took effect.
    Updated {
        /// The subscription's full market list, when the reply carries it.
        markets: Option<&'a [String]>,
    },
    /// The subscriptions of the connection: channel and `sid` of each.
    Listed(Vec<(&'a str, u64)>),
    /// The command failed.
    Error {
        /// The error code.
        code: i64,
        /// The server's text.
        message: &'a str,
    },
    /// A reply of a shape the session does not read (an answer to a command sent as it is).
    Other,
}

/// A subscription id as the session keeps it, from the integer the message holds (`None` for a
/// negative one).
pub fn sid<T: TryInto<u64>>(value: T) -> Option<u64> {
    value.try_into().ok()
}

/// A subscription id as a command's parameter holds it; an error when it does not fit.
pub fn sid_param<T: TryFrom<u64>>(sid: u64) -> Result<T, serde_json::Error> {
    T::try_from(sid).map_err(|_| {
        <serde_json::Error as serde::ser::Error>::custom(format!(
            "subscription id {sid} does not fit the command's parameter"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_convert_totally() {
        assert_eq!(sid(-1i64), None);
        assert_eq!(sid(7i64), Some(7));
        assert_eq!(sid_param::<i64>(7).unwrap(), 7);
        assert!(sid_param::<i64>(u64::MAX).is_err());
    }
}
