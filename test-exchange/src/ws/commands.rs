//! The four commands and their errors, with the codes of the spec's `x-error-codes`.

use super::product::{error_text, Product};
use super::session::{Closed, Session, Sub};
use crate::spec::code;
use serde_json::{json, Value};

/// A command that failed: its error code and, when the spec's text is not enough, a detail.
struct Failure(u32, Option<String>);

fn fail<T>(code: u32) -> Result<T, Failure> {
    Err(Failure(code, None))
}

/// `market_ticker` or `market_tickers`, if either is there.
fn tickers(params: &Value) -> Result<Option<Vec<String>>, Failure> {
    if let Some(t) = params.get("market_ticker").filter(|v| !v.is_null()) {
        return match t.as_str() {
            Some(t) => Ok(Some(vec![t.to_string()])),
            None => Err(Failure(
                code::INVALID_PARAMETER,
                Some("market_ticker must be a string".into()),
            )),
        };
    }
    match params.get("market_tickers").filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(Value::Array(list)) => list
            .iter()
            .map(|t| t.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            // An empty list names no market: all of them, as leaving it out does.
            .map(|list| Some(list).filter(|l| !l.is_empty()))
            .ok_or_else(|| {
                Failure(
                    code::INVALID_PARAMETER,
                    Some("market_tickers must be strings".into()),
                )
            }),
        Some(_) => Err(Failure(
            code::INVALID_PARAMETER,
            Some("market_tickers must be an array".into()),
        )),
    }
}

impl<P: Product> Session<P> {
    /// Handles one command text, answering every reply (or the error) on the socket.
    pub(super) async fn command(&mut self, text: &str) -> Result<(), Closed> {
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        self.state.ws_switch.commands.lock().unwrap().push(
            parsed
                .clone()
                .unwrap_or_else(|| Value::String(text.to_string())),
        );
        let id = parsed.as_ref().and_then(|v| v.get("id")).cloned();
        let result = match &parsed {
            Some(cmd @ Value::Object(_)) => {
                self.dispatch(cmd, id.clone().unwrap_or(Value::Null)).await
            }
            _ => fail(code::UNABLE_TO_PROCESS_MESSAGE),
        };
        match result {
            Ok(Ok(())) => self.flush().await,
            Ok(Err(closed)) => Err(closed),
            Err(Failure(code, detail)) => {
                let text = match detail {
                    Some(d) => format!("{}: {d}", error_text::<P>(code)),
                    None => error_text::<P>(code).to_string(),
                };
                let mut frame = json!({ "type": "error", "msg": { "code": code, "msg": text } });
                if let Some(id) = id {
                    frame["id"] = id;
                }
                self.feed(&frame).await?;
                self.flush().await
            }
        }
    }

    /// Runs a parsed command: a failure before anything is sent, or the outcome of sending.
    async fn dispatch(&mut self, cmd: &Value, id: Value) -> Result<Result<(), Closed>, Failure> {
        let Some(name) = cmd.get("cmd").and_then(Value::as_str) else {
            return fail(code::UNABLE_TO_PROCESS_MESSAGE);
        };
        if name == "list_subscriptions" {
            let list: Vec<Value> = self
                .subs
                .iter()
                .map(|s| json!({ "channel": s.channel, "sid": s.sid }))
                .collect();
            return Ok(self
                .feed(&json!({ "id": id, "type": "ok", "msg": list }))
                .await);
        }
        if !matches!(name, "subscribe" | "unsubscribe" | "update_subscription") {
            return fail(code::UNKNOWN_COMMAND);
        }
        let Some(params) = cmd.get("params").filter(|p| p.is_object()) else {
            return fail(code::PARAMS_REQUIRED);
        };
        match name {
            "subscribe" => self.subscribe(params, id).await,
            "unsubscribe" => self.unsubscribe(params, id).await,
            _ => self.update(params, id).await,
        }
    }

    async fn subscribe(
        &mut self,
        params: &Value,
        id: Value,
    ) -> Result<Result<(), Closed>, Failure> {
        let channels = match params.get("channels") {
            Some(Value::Array(c)) if !c.is_empty() => c,
            _ => return fail(code::CHANNELS_REQUIRED),
        };
        let channels = channels
            .iter()
            .map(|c| c.as_str().and_then(Session::<P>::channel))
            .collect::<Option<Vec<_>>>()
            .map_or_else(|| fail(code::UNKNOWN_CHANNEL_NAME), Ok)?;
        let markets = tickers(params)?;
        if channels.contains(&P::ORDERBOOK) && markets.is_none() {
            return fail(code::MARKET_TICKER_REQUIRED);
        }
        self.check_listed(markets.iter().flatten())?;
        let with_ticker = params
            .get("send_initial_snapshot")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        // Catch up to the log's head first, so what follows starts exactly at the snapshots.
        let snapshots = match self.catch_up(markets.as_deref().unwrap_or_default()).await {
            Ok(s) => s,
            Err(closed) => return Ok(Err(closed)),
        };
        // Every ack first, then the initial snapshots, as Kalshi orders them.
        let mut frames = Vec::new();
        let mut initial = Vec::new();
        for channel in channels {
            let sid = self.next_sid;
            self.next_sid += 1;
            self.subs.push(Sub::new(sid, channel, markets.clone()));
            let i = self.subs.len() - 1;
            frames.push(json!({ "id": id, "type": "subscribed", "msg": { "channel": channel, "sid": sid } }));
            if channel == P::ORDERBOOK {
                for (msg, _) in &snapshots {
                    initial.push(self.data(i, "orderbook_snapshot", msg.clone()));
                }
            } else if channel == P::TICKER && with_ticker {
                for (_, ticker) in &snapshots {
                    initial.push(json!({ "type": "ticker", "sid": sid, "msg": ticker }));
                }
            }
        }
        frames.append(&mut initial);
        self.update_interest();
        Ok(self.feed_all(&frames).await)
    }

    async fn unsubscribe(
        &mut self,
        params: &Value,
        id: Value,
    ) -> Result<Result<(), Closed>, Failure> {
        let sids = match params.get("sids") {
            Some(Value::Array(s)) if !s.is_empty() => s
                .iter()
                .map(Value::as_u64)
                .collect::<Option<Vec<_>>>()
                .map_or_else(
                    || {
                        Err(Failure(
                            code::INVALID_PARAMETER,
                            Some("sids must be integers".into()),
                        ))
                    },
                    Ok,
                )?,
            _ => return fail(code::SUBSCRIPTION_IDS_REQUIRED),
        };
        if sids
            .iter()
            .any(|sid| !self.subs.iter().any(|s| s.sid == *sid))
        {
            return fail(code::UNKNOWN_SUBSCRIPTION_ID);
        }
        let mut frames = Vec::new();
        for sid in sids {
            if let Some(i) = self.subs.iter().position(|s| s.sid == sid) {
                let sub = self.subs.remove(i);
                frames
                    .push(json!({ "id": id, "type": "unsubscribed", "sid": sid, "seq": sub.seq }));
            }
        }
        self.update_interest();
        Ok(self.feed_all(&frames).await)
    }

    async fn update(&mut self, params: &Value, id: Value) -> Result<Result<(), Closed>, Failure> {
        let sid = match (params.get("sid"), params.get("sids")) {
            (Some(sid), _) if !sid.is_null() => sid.as_u64(),
            (_, Some(Value::Array(sids))) if sids.len() == 1 => sids[0].as_u64(),
            _ => None,
        };
        let Some(sid) = sid else {
            return fail(code::EXACTLY_ONE_SUBSCRIPTION_ID_IS_REQUIRED);
        };
        let Some(action) = params.get("action").and_then(Value::as_str) else {
            return fail(code::ACTION_REQUIRED);
        };
        let Some(i) = self.subs.iter().position(|s| s.sid == sid) else {
            return fail(code::UNKNOWN_SUBSCRIPTION_ID);
        };
        let given = tickers(params)?;
        match action {
            "add_markets" | "delete_markets" => {
                let Some(given) = given else {
                    return fail(code::MARKET_TICKER_REQUIRED);
                };
                self.check_listed(given.iter())?;
                let is_book = self.subs[i].channel == P::ORDERBOOK;
                let current = self.subs[i].markets.clone();
                let mut frames = Vec::new();
                if action == "add_markets" {
                    let added: Vec<String> = given
                        .iter()
                        .filter(|t| current.as_ref().is_some_and(|c| !c.contains(t)))
                        .cloned()
                        .collect();
                    let snapshots = match self.catch_up(if is_book { &added } else { &[] }).await {
                        Ok(s) => s,
                        Err(closed) => return Ok(Err(closed)),
                    };
                    if let Some(markets) = &mut self.subs[i].markets {
                        markets.extend(added);
                    }
                    frames.push(self.ok(i, &id));
                    for (msg, _) in snapshots {
                        frames.push(self.data(i, "orderbook_snapshot", msg));
                    }
                } else {
                    if let Some(markets) = &mut self.subs[i].markets {
                        markets.retain(|t| !given.contains(t));
                    }
                    frames.push(self.ok(i, &id));
                }
                self.update_interest();
                Ok(self.feed_all(&frames).await)
            }
            "get_snapshot" => {
                if self.subs[i].channel != P::ORDERBOOK {
                    return fail(code::UNSUPPORTED_ACTION);
                }
                let wanted = given
                    .or_else(|| self.subs[i].markets.clone())
                    .unwrap_or_default();
                self.check_listed(wanted.iter())?;
                let snapshots = match self.catch_up(&wanted).await {
                    Ok(s) => s,
                    Err(closed) => return Ok(Err(closed)),
                };
                let frames: Vec<Value> = snapshots
                    .into_iter()
                    .map(|(msg, _)| {
                        let mut frame = self.data(i, "orderbook_snapshot", msg);
                        frame["id"] = id.clone();
                        frame
                    })
                    .collect();
                Ok(self.feed_all(&frames).await)
            }
            _ => fail(code::UNSUPPORTED_ACTION),
        }
    }

    /// The `ok` answer to an update: the subscription's markets after it, and its last `seq`.
    fn ok(&self, i: usize, id: &Value) -> Value {
        let sub = &self.subs[i];
        json!({
            "id": id,
            "type": "ok",
            "sid": sub.sid,
            "seq": sub.seq,
            "msg": { "market_tickers": sub.markets.clone().unwrap_or_default() },
        })
    }

    fn check_listed<'a>(
        &self,
        mut tickers: impl Iterator<Item = &'a String>,
    ) -> Result<(), Failure> {
        match tickers.find(|t| !P::listed(&self.state, t)) {
            Some(t) => Err(Failure(
                code::INVALID_PARAMETER,
                Some(format!("unknown market ticker `{t}`")),
            )),
            None => Ok(()),
        }
    }

    /// Delivers every event up to the log's head and returns, taken at that same head, the
    /// snapshot `msg` and the ticker `msg` of each of `markets`.
    async fn catch_up(&mut self, markets: &[String]) -> Result<Vec<(Value, Value)>, Closed> {
        let (pending, snapshots) = {
            let mut world = P::hub(&self.state).world.lock().unwrap();
            let pending = world.since(self.cursor);
            let ts = crate::clock::now_ms();
            let snapshots = markets
                .iter()
                .filter_map(|m| P::snapshot(&self.state, &mut world, m, ts))
                .collect();
            (pending, snapshots)
        };
        self.deliver(&pending).await?;
        Ok(snapshots)
    }

    async fn feed_all(&mut self, frames: &[Value]) -> Result<(), Closed> {
        for frame in frames {
            self.feed(frame).await?;
        }
        Ok(())
    }
}
