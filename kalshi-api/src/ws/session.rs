//! The user's side of a session: connect, subscribe, command, close.

use super::config::SessionConfig;
use super::connect::connect;
use super::control::{Control, MarketsAction, SubscribeParams};
use super::driver::Driver;
use super::error::WsError;
use super::event::SubscriptionId;
use super::pending::{Kind, KindOf, Reply, Request};
use super::protocol::{ChannelKind, Command};
use super::queue::{self, Events};
use crate::{Client, Result};
use std::marker::PhantomData;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A WebSocket session with Kalshi: one connection carrying every subscription, kept alive and
/// replaced when it fails. Cheap to clone; the session closes when [`close`](Self::close) is
/// called or every clone and [`Subscription`] is dropped.
///
/// `M` is the generated server message enum and `C` the generated channel enum; the generated
/// `kalshi_api::ws::Session` alias fills both in.
pub struct Session<M: Control, C> {
    requests: mpsc::UnboundedSender<Request<M>>,
    config: Arc<SessionConfig>,
    _channel: PhantomData<fn() -> C>,
}

impl<M: Control, C> Clone for Session<M, C> {
    fn clone(&self) -> Self {
        Session {
            requests: self.requests.clone(),
            config: self.config.clone(),
            _channel: PhantomData,
        }
    }
}

impl<M: Control, C> std::fmt::Debug for Session<M, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("closed", &self.requests.is_closed())
            .finish_non_exhaustive()
    }
}

impl<M, C> Session<M, C>
where
    M: Control,
    C: ChannelKind + for<'a> From<&'a str>,
{
    /// Connects to the client's WebSocket URL ([`Client::ws_url`]), signing the handshake with
    /// the client's key, and starts the session's task on the current Tokio runtime.
    ///
    /// Returns the session and the stream of its [`Event`](super::Event)s. Fails at once, without
    /// retrying, when the client has no credentials, when the handshake is refused (401/403: a
    /// typed [`WsError::Unauthorized`]) or when the first connection cannot be made; after that,
    /// losses are repaired by reconnecting.
    pub async fn connect(client: &Client, config: SessionConfig) -> Result<(Self, Events<M>)> {
        Self::connect_to(client, client.ws_url(), config).await
    }

    /// [`Session::connect`] to another endpoint of the same account, e.g. the margin WebSocket
    /// ([`Client::margin_ws_url`]) for a session on the perps messages.
    pub async fn connect_to(
        client: &Client,
        url: &str,
        config: SessionConfig,
    ) -> Result<(Self, Events<M>)> {
        let credentials = client
            .credentials()
            .cloned()
            .ok_or_else(|| crate::Error::Auth {
                operation: "websocket handshake",
                message: "a Kalshi WebSocket connection needs an API key; build the client with \
                          credentials"
                    .into(),
            })?;
        let url = url.to_string();
        let socket = connect(&url, &credentials, config.connect_timeout).await?;
        let (tx, events) = queue::channel_for(&config);
        let (requests, rx) = mpsc::unbounded_channel();
        let driver = Driver::<M, C>::new(url, credentials, config.clone(), rx, tx);
        tokio::spawn(driver.run(socket));
        Ok((
            Session {
                requests,
                config: Arc::new(config),
                _channel: PhantomData,
            },
            events,
        ))
    }

    async fn request(&self, kind: KindOf<M>) -> Result<Reply<M>, WsError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::Command { kind, reply: tx })
            .map_err(|_| WsError::Closed)?;
        // The task answers every request, with a timeout error at the latest.
        rx.await.map_err(|_| WsError::Closed)?
    }

    /// Subscribes with the generated `subscribe` command, and returns a handle that stays valid
    /// across reconnects (Kalshi's `sid`s change; the handle does not).
    ///
    /// Strict in what it sends: fails before sending when the command has no channels, or sets a
    /// parameter one of its channels does not accept.
    pub async fn subscribe(&self, command: &M::Subscribe) -> Result<Subscription<M, C>> {
        let channels = command.channels();
        if channels.is_empty() {
            return Err(
                WsError::InvalidCommand("subscribe needs at least one channel".into()).into(),
            );
        }
        for channel in &channels {
            let kind = C::from(channel.as_str());
            for key in command.params_set() {
                if !kind.accepts(key) {
                    return Err(WsError::InvalidCommand(format!(
                        "channel `{channel}` does not accept `{key}`"
                    ))
                    .into());
                }
            }
        }
        let params = command.clone();
        match self
            .request(Kind::Subscribe {
                channels: channels.clone(),
                params,
            })
            .await?
        {
            Reply::Subscribed(id) => Ok(Subscription {
                id,
                channels,
                session: self.clone(),
            }),
            other => Err(unexpected("Session::subscribe", &other).into()),
        }
    }

    /// Lists the server's subscriptions on the current connection: channel and `sid` of each.
    pub async fn list_subscriptions(&self) -> Result<Vec<(String, u64)>> {
        match self.request(Kind::List).await? {
            Reply::Listed(list) => Ok(list),
            other => Err(unexpected("Session::list_subscriptions", &other).into()),
        }
    }

    /// Sends any generated command as it is (a CF Benchmarks or Pyth `update_subscription`
    /// form, say) and returns its first reply, decoded. The session does not track what it
    /// changes; prefer [`subscribe`](Self::subscribe) and the [`Subscription`] methods for what
    /// they cover.
    pub async fn command<K: Command>(&self, command: &K) -> Result<M> {
        let mut params = Vec::new();
        let has = command
            .write_params(&mut params)
            .map_err(|e| WsError::InvalidCommand(format!("encoding `{}`: {e}", K::CMD)))?;
        match self
            .request(Kind::Other {
                cmd: K::CMD,
                params: has.then_some(params),
            })
            .await?
        {
            Reply::Message(m) => Ok(m),
            other => Err(unexpected(K::CMD, &other).into()),
        }
    }

    /// Sends a close frame and ends the session: every pending command fails, and the event
    /// stream ends after [`Event::Closed`](super::Event::Closed).
    pub async fn close(&self) {
        let (done, rx) = oneshot::channel();
        if self.requests.send(Request::Close { done }).is_ok() {
            let _ = rx.await;
        }
    }

    /// The settings the session runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
}

impl<M: Control, C> Session<M, C> {
    /// A handle that does not keep the session open.
    pub(crate) fn downgrade(&self) -> WeakSession {
        let requests = self.requests.downgrade();
        let ask = move |sub, tickers| {
            let Some(requests) = requests.upgrade() else {
                return;
            };
            // Nobody waits for the answer: the receiving end is dropped here.
            let (reply, _) = oneshot::channel();
            let kind = Kind::Snapshot { sub, tickers };
            let _ = requests.send(Request::Command { kind, reply });
        };
        WeakSession { ask: Arc::new(ask) }
    }
}

/// A session handle that does not keep the session open: for the session's own helpers (the
/// order book keeper) that must not outlive the user's handles. It knows nothing of the
/// session's message types, so the book keeper needs none of the session's bounds.
#[derive(Clone)]
pub(crate) struct WeakSession {
    ask: Arc<dyn Fn(SubscriptionId, Vec<String>) + Send + Sync>,
}

impl std::fmt::Debug for WeakSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakSession").finish_non_exhaustive()
    }
}

impl WeakSession {
    /// Asks for fresh snapshots of `tickers` on subscription `sub` without waiting: the
    /// connection task decides what to send, as for every snapshot request. Does nothing once
    /// the session is closed. A failure is not reported: the books stay stale and the next gap
    /// or reconnect asks again.
    pub(crate) fn get_snapshot(&self, sub: SubscriptionId, tickers: Vec<String>) {
        (self.ask)(sub, tickers);
    }
}

/// A subscription: one `subscribe` command's channels and markets. Valid across reconnects.
pub struct Subscription<M: Control, C> {
    id: SubscriptionId,
    channels: Vec<String>,
    session: Session<M, C>,
}

impl<M: Control, C> std::fmt::Debug for Subscription<M, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("channels", &self.channels)
            .finish()
    }
}

impl<M, C> Subscription<M, C>
where
    M: Control,
    C: ChannelKind + for<'a> From<&'a str>,
{
    /// Its id, which its messages and events carry.
    pub fn id(&self) -> SubscriptionId {
        self.id
    }

    /// Its channels.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The session it belongs to.
    pub fn session(&self) -> &Session<M, C> {
        &self.session
    }

    /// Its current markets (kept across reconnects).
    pub async fn markets(&self) -> Result<Vec<String>> {
        match self.session.request(Kind::Markets(self.id)).await? {
            Reply::Markets(m) => Ok(m),
            other => Err(unexpected("Subscription::markets", &other).into()),
        }
    }

    /// Adds markets (`update_subscription`, `add_markets`, on each of its channels).
    pub async fn add_markets<T: AsRef<str>>(&self, tickers: &[T]) -> Result<()> {
        self.update(MarketsAction::Add, tickers).await
    }

    /// Removes markets (`delete_markets`). Removing every market is refused: a subscription
    /// without markets would mean every market after a reconnect; unsubscribe instead.
    pub async fn remove_markets<T: AsRef<str>>(&self, tickers: &[T]) -> Result<()> {
        let current = self.markets().await?;
        if current
            .iter()
            .all(|m| tickers.iter().any(|t| t.as_ref() == m))
        {
            return Err(WsError::InvalidCommand(
                "removing every market of a subscription; unsubscribe instead".into(),
            )
            .into());
        }
        self.update(MarketsAction::Delete, tickers).await
    }

    /// Asks for fresh snapshots of `tickers` without changing the subscription (Kalshi's
    /// `get_snapshot`, on its channels that support it); they arrive on the event stream.
    pub async fn get_snapshot<T: AsRef<str>>(&self, tickers: &[T]) -> Result<()> {
        if tickers.is_empty() {
            let action = M::action(MarketsAction::Snapshot);
            return Err(WsError::InvalidCommand(format!("`{action}` needs markets")).into());
        }
        let tickers = tickers.iter().map(|t| t.as_ref().to_string()).collect();
        let kind = Kind::Snapshot {
            sub: self.id,
            tickers,
        };
        match self.session.request(kind).await? {
            Reply::Done => Ok(()),
            other => Err(unexpected("Subscription::update", &other).into()),
        }
    }

    async fn update<T: AsRef<str>>(&self, action: MarketsAction, tickers: &[T]) -> Result<()> {
        if tickers.is_empty() {
            let action = M::action(action);
            return Err(WsError::InvalidCommand(format!("`{action}` needs markets")).into());
        }
        let tickers = tickers.iter().map(|t| t.as_ref().to_string()).collect();
        match self
            .session
            .request(Kind::Update {
                sub: self.id,
                action,
                tickers,
            })
            .await?
        {
            Reply::Done => Ok(()),
            other => Err(unexpected("Subscription::update", &other).into()),
        }
    }

    /// Unsubscribes; its messages stop.
    pub async fn unsubscribe(self) -> Result<()> {
        match self.session.request(Kind::Unsubscribe(self.id)).await? {
            Reply::Done => Ok(()),
            other => Err(unexpected("Subscription::unsubscribe", &other).into()),
        }
    }
}

fn unexpected<M>(command: &'static str, reply: &Reply<M>) -> WsError {
    let detail = match reply {
        Reply::Subscribed(..) => "a subscription",
        Reply::Done => "an acknowledgement",
        Reply::Listed(_) => "a subscription list",
        Reply::Message(_) => "a message",
        Reply::Markets(_) => "a market list",
    };
    WsError::UnexpectedReply {
        command,
        detail: detail.into(),
    }
}
