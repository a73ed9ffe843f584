//! A plain tokio-tungstenite client of the exchange's WebSocket endpoints.

use super::Api;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};

/// The socket type.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An upgrade request for `url`, signed over `sign_path`.
pub fn request(api: &Api, url: &str, sign_path: &str) -> tungstenite::handshake::client::Request {
    let mut req = url.into_client_request().unwrap();
    for (name, value) in api.signed_headers("GET", sign_path) {
        req.headers_mut().insert(name, value.parse().unwrap());
    }
    req
}

/// A plain client of one WebSocket endpoint.
pub struct Client {
    pub ws: Socket,
    next_id: u64,
}

impl Client {
    /// Connects to the event-contract endpoint.
    pub async fn connect(api: &Api) -> Self {
        Self::connect_to(api, &api.exchange.ws_url()).await
    }

    /// Connects to the margin (perps) endpoint.
    pub async fn connect_margin(api: &Api) -> Self {
        Self::connect_to(api, &api.exchange.margin_ws_url()).await
    }

    /// Connects to `url`, signed over its path.
    pub async fn connect_to(api: &Api, url: &str) -> Self {
        let path = reqwest::Url::parse(url).unwrap().path().to_string();
        let (ws, response) = tokio_tungstenite::connect_async(request(api, url, &path))
            .await
            .unwrap();
        assert_eq!(response.status(), 101);
        Self { ws, next_id: 1 }
    }

    pub async fn send(&mut self, cmd: &str, params: Option<Value>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut frame = json!({ "id": id, "cmd": cmd });
        if let Some(params) = params {
            frame["params"] = params;
        }
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
        id
    }

    /// The next frame, pings and pongs included.
    pub async fn frame(&mut self) -> Message {
        tokio::time::timeout(Duration::from_secs(10), self.ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket open")
            .unwrap()
    }

    /// The next JSON text frame.
    pub async fn json(&mut self) -> Value {
        loop {
            if let Message::Text(text) = self.frame().await {
                return serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            }
        }
    }

    /// The next JSON frame `pick` accepts, skipping others.
    pub async fn until(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.json().await;
            if pick(&v) {
                return v;
            }
        }
    }

    /// Every JSON frame until none arrives for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Ok(Some(Ok(m))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Text(text) = m {
                frames.push(serde_json::from_str(&text).unwrap());
            }
        }
        frames
    }
}

pub fn is_type(t: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["type"] == t
}

pub async fn subscribe(client: &mut Client, channels: &[&str], tickers: &[&str]) -> Vec<u64> {
    let id = client
        .send(
            "subscribe",
            Some(json!({ "channels": channels, "market_tickers": tickers })),
        )
        .await;
    let mut sids = Vec::new();
    for channel in channels {
        let v = client.until(is_type("subscribed")).await;
        assert_eq!(v["id"], id);
        assert_eq!(v["msg"]["channel"], *channel);
        sids.push(v["msg"]["sid"].as_u64().unwrap());
    }
    sids
}
