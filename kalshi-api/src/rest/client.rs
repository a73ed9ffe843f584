//! The client: base URL, transport and signing around generated operations.

use crate::auth::{
    AsyncSigner, BearerToken, Credentials, KeyPairSigner, PrivateKey, SignError, SignedHeaders,
    Signer, SignerKind, Signing,
};
use crate::config::{EnvConfig, Environment};
use crate::error::{ApiError, Error, Result};
use crate::operation::{Auth, Operation, OperationInfo, QueryWriter};
use crate::ratelimit::{RateLimiter, Tier};
use crate::retry::{self, is_idempotent, RetryPolicy};
use crate::trace;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use std::sync::Arc;
use std::time::Duration;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A Kalshi client. Cheap to clone: clones share the connection pool, the credentials and the rate
/// limiter.
///
/// Requests go through the optional [`RateLimiter`] (set with [`ClientBuilder::rate_limiter`]) and
/// the optional [`RetryPolicy`] (set with [`ClientBuilder::retry`] or per call site with
/// [`Client::with_retry`]). Without them, each call sends exactly one request.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
    retry: Option<Arc<RetryPolicy>>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash, e.g. `https://host/trade-api/v2`.
    base_url: String,
    /// WebSocket URL, e.g. `wss://host/trade-api/ws/v2`.
    ws_url: String,
    /// The margin (perps) WebSocket URL, e.g. `wss://host/trade-api/ws/v2/margin`.
    margin_ws_url: String,
    credentials: Option<Credentials>,
    /// `Authorization: Bearer …`, marked sensitive, for a client built with an OAuth token.
    bearer: Option<HeaderValue>,
    limiter: Option<RateLimiter>,
}

/// How one request is authenticated.
enum Authenticate<'a> {
    /// Sent as it is.
    Unsigned,
    /// Signed with the API key.
    Signed(&'a Credentials),
    /// With the OAuth bearer token.
    Bearer(&'a HeaderValue),
}

impl Authenticate<'_> {
    /// Authenticates `req`: signs it (awaiting a signer that waits) or adds the bearer token.
    async fn apply(self, req: &mut reqwest::Request, operation: &'static str) -> Result<()> {
        let Authenticate::Signed(c) = self else {
            return self.apply_now(req, operation);
        };
        let headers = match c.sign(req.method().as_str(), req.url().path()) {
            Signing::Ready(headers) => headers,
            Signing::Pending(pending) => pending.finish().await,
        };
        apply_signature(req, headers, operation)
    }

    /// Like [`apply`](Self::apply), without waiting: an error for a signer that waits.
    fn apply_now(self, req: &mut reqwest::Request, operation: &'static str) -> Result<()> {
        match self {
            Authenticate::Unsigned => Ok(()),
            Authenticate::Bearer(token) => {
                req.headers_mut().insert(AUTHORIZATION, token.clone());
                Ok(())
            }
            Authenticate::Signed(c) => match c.sign(req.method().as_str(), req.url().path()) {
                Signing::Ready(headers) => apply_signature(req, headers, operation),
                Signing::Pending(_) => Err(Error::Auth {
                    operation,
                    message: "the client signs with an AsyncSigner: build the request with \
                              `build_request_async`"
                        .into(),
                }),
            },
        }
    }
}

impl Client {
    /// A client without credentials: public operations only.
    pub fn new(env: Environment) -> Self {
        Self::builder(env)
            .build()
            .expect("a client for a built-in environment always builds")
    }

    /// A builder for a client with credentials, timeouts or a custom `reqwest::Client`.
    pub fn builder(env: Environment) -> ClientBuilder {
        ClientBuilder {
            env,
            ws_url: None,
            margin_ws_url: None,
            signer: None,
            bearer: None,
            http: None,
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(30)),
            user_agent: concat!("kalshi-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            limiter: None,
            retry: None,
        }
    }

    /// A client configured from environment variables; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The WebSocket URL sessions connect to ([`Environment::ws_url`] unless
    /// [`ClientBuilder::ws_url`] set another).
    pub fn ws_url(&self) -> &str {
        &self.inner.ws_url
    }

    /// The margin WebSocket URL perps sessions connect to ([`Environment::margin_ws_url`] unless
    /// [`ClientBuilder::margin_ws_url`] or `KALSHI_PERPS_WS_URL` set another); see
    /// `Session::connect_to`.
    pub fn margin_ws_url(&self) -> &str {
        &self.inner.margin_ws_url
    }

    /// Whether the client can sign requests.
    pub fn has_credentials(&self) -> bool {
        self.inner.credentials.is_some()
    }

    /// Whether the client authenticates with an OAuth bearer token.
    pub fn has_bearer_token(&self) -> bool {
        self.inner.bearer.is_some()
    }

    /// The rate limiter requests wait on, if any.
    pub fn rate_limiter(&self) -> Option<&RateLimiter> {
        self.inner.limiter.as_ref()
    }

    /// The retry policy, if any.
    pub fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry.as_deref()
    }

    /// A clone that retries by `policy` (sharing everything else: connections, credentials, rate
    /// limiter). For one call site that needs another policy, such as retrying an order creation
    /// that carries a `client_order_id` you will reconcile.
    ///
    /// ```no_run
    /// # async fn demo(client: kalshi_api::Client, order: kalshi_api::ops::CreateOrderV2) -> kalshi_api::Result<()> {
    /// use kalshi_api::RetryPolicy;
    ///
    /// let placed = client
    ///     .with_retry(RetryPolicy::default().retry_writes(true))
    ///     .create_order_v2(order)
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_retry(&self, policy: RetryPolicy) -> Client {
        Client {
            inner: self.inner.clone(),
            retry: Some(Arc::new(policy)),
        }
    }

    /// A clone that sends each request once (sharing everything else).
    pub fn without_retry(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            retry: None,
        }
    }

    /// Sends one operation and decodes its answer. Generated endpoint methods call this.
    ///
    /// Each attempt waits for its tokens on the rate limiter, when there is one, then is built and
    /// signed afresh (Kalshi rejects stale timestamps). With a retry policy, a failed attempt is
    /// repeated as [`RetryPolicy::should_retry`] decides: reads and cancels on 429, 5xx, timeouts
    /// and lost connections; POST, PUT and PATCH only when the policy retries writes.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output> {
        // Everything but building the request and decoding the answer is in `send`, which is not
        // generic: compiled once rather than once per operation.
        let info = O::INFO;
        let span = trace::request_span(&info);
        let body = trace::instrument(
            self.send(&info, op.cost_items(), &|| self.build_unsigned(op), &span),
            &span,
        )
        .await?;
        O::decode(&body).map_err(|e| failed(&info, &span, Error::from(e)))
    }

    /// Sends a request built by `build` (called once per attempt, and each attempt signed afresh),
    /// through the rate limiter and the retry policy; returns a success answer's body. Records
    /// what happens on `span`, the call's (see `trace::request_span`).
    async fn send(
        &self,
        info: &OperationInfo,
        cost_items: usize,
        build: &(dyn Fn() -> Result<reqwest::Request> + Sync),
        span: &trace::Span,
    ) -> Result<bytes::Bytes> {
        let start = tokio::time::Instant::now();
        let idempotent = is_idempotent(&info.method);
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            let result = self
                .attempt(info, cost_items, build, attempt, &mut waited, span)
                .await;
            let (Err(err), Some(policy)) = (&result, self.retry.as_deref()) else {
                break result;
            };
            match policy.decide(err, idempotent, attempt, start.elapsed()) {
                Ok(delay) => {
                    let reason = retry::failure_kind(err);
                    trace::record!(span, "retry", reason);
                    trace::info!(
                        operation = info.id,
                        path = info.path,
                        attempt,
                        reason,
                        delay_ms = trace::ms(delay),
                        error = %err,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(reason) => {
                    trace::record!(span, "retry", reason);
                    break result;
                }
            }
        };
        trace::record!(span, "attempts", attempt);
        trace::record!(span, "latency_ms", trace::ms(start.elapsed()));
        result.map_err(|err| failed(info, span, err))
    }

    /// One attempt: tokens, a freshly signed request, the answer. Adds the time spent waiting for
    /// tokens to `waited`. An asynchronous signer is awaited here; a synchronous one signs at once.
    async fn attempt(
        &self,
        info: &OperationInfo,
        cost_items: usize,
        build: &(dyn Fn() -> Result<reqwest::Request> + Sync),
        attempt: u32,
        waited: &mut Duration,
        span: &trace::Span,
    ) -> Result<bytes::Bytes> {
        // Fail before spending tokens on a request that cannot be authenticated.
        let authenticate = self.authenticate(info)?;
        if let Some(limiter) = &self.inner.limiter {
            let queued = tokio::time::Instant::now();
            limiter.acquire_for(info, cost_items).await;
            *waited += queued.elapsed();
            trace::record!(span, "rate_limit_wait_ms", trace::ms(*waited));
        }
        let mut req = build()?;
        authenticate.apply(&mut req, info.id).await?;
        let sent = trace::now(span);
        let answer = match self.inner.http.execute(req).await {
            Ok(resp) => {
                let status = resp.status();
                let request_id = resp
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                resp.bytes().await.map(|bytes| (status, request_id, bytes))
            }
            Err(e) => Err(e),
        };
        let (status, request_id, bytes) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                let err = transport(info.id, e);
                trace::debug!(
                    attempt,
                    latency_ms = trace::since(sent),
                    error = %err,
                    "attempt"
                );
                return Err(err);
            }
        };
        trace::record!(span, "status", status.as_u16());
        if let Some(id) = &request_id {
            trace::record!(span, "request_id", id.as_str());
        }
        trace::debug!(
            attempt,
            status = status.as_u16(),
            request_id = request_id.as_deref(),
            latency_ms = trace::since(sent),
            "attempt"
        );
        if status.is_success() {
            return Ok(bytes);
        }
        let err = Box::new(ApiError::new(info.id, status, bytes, request_id));
        Err(if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Error::RateLimited(err)
        } else {
            Error::Api(err)
        })
    }

    /// Builds the request [`Client::execute`] would send, signed when the operation needs it,
    /// without sending it: to inspect the wire form, or to send it through another transport soon
    /// (the signature's timestamp is taken now, and Kalshi rejects stale ones).
    ///
    /// Fails with [`Error::Auth`] when the operation needs credentials the client lacks, or when
    /// the client signs with an [`AsyncSigner`] (use [`Client::build_request_async`]).
    pub fn build_request<O: Operation>(&self, op: &O) -> Result<reqwest::Request> {
        let info = &O::INFO;
        let authenticate = self.authenticate(info)?;
        let mut req = self.build_unsigned(op)?;
        authenticate.apply_now(&mut req, info.id)?;
        Ok(req)
    }

    /// Like [`Client::build_request`], awaiting the signature when the client signs with an
    /// [`AsyncSigner`].
    pub async fn build_request_async<O: Operation>(&self, op: &O) -> Result<reqwest::Request> {
        let info = &O::INFO;
        let authenticate = self.authenticate(info)?;
        let mut req = self.build_unsigned(op)?;
        authenticate.apply(&mut req, info.id).await?;
        Ok(req)
    }

    /// The request for `op` (URL, query, body), not authenticated yet: attempts sign it afresh.
    fn build_unsigned<O: Operation>(&self, op: &O) -> Result<reqwest::Request> {
        let info = &O::INFO;
        let inner = &*self.inner;

        let mut url = String::with_capacity(inner.base_url.len() + 96);
        url.push_str(&inner.base_url);
        op.write_path(&mut url);
        op.write_query(&mut QueryWriter::new(&mut url));
        let url = reqwest::Url::parse(&url)
            .map_err(|e| Error::Config(format!("{}: request URL `{url}`: {e}", info.id)))?;

        let mut req = reqwest::Request::new(info.method.clone(), url);
        let mut body = Vec::new();
        let has_body = op.write_body(&mut body).map_err(|source| Error::Encode {
            operation: info.id,
            source,
        })?;
        if has_body {
            req.headers_mut().insert(CONTENT_TYPE, APPLICATION_JSON);
            *req.body_mut() = Some(body.into());
        }
        Ok(req)
    }
}

impl Client {
    /// The credentials, for signing the WebSocket handshake.
    #[cfg(feature = "ws")]
    pub(crate) fn credentials(&self) -> Option<&Credentials> {
        self.inner.credentials.as_ref()
    }

    /// How to authenticate `info`: unsigned when public; signed with the API key when the client
    /// has one; else with the bearer token when the spec accepts one for the operation. An error
    /// when the operation needs what the client lacks.
    fn authenticate(&self, info: &OperationInfo) -> Result<Authenticate<'_>> {
        let inner = &*self.inner;
        match (info.auth, &inner.credentials, &inner.bearer) {
            (Auth::None, _, _) => Ok(Authenticate::Unsigned),
            (_, Some(c), _) => Ok(Authenticate::Signed(c)),
            (_, None, Some(token)) if info.bearer => Ok(Authenticate::Bearer(token)),
            (Auth::Optional, None, _) => Ok(Authenticate::Unsigned),
            (Auth::Required, None, Some(_)) => Err(Error::BearerNotAccepted { operation: info.id }),
            (Auth::Required, None, None) => Err(Error::Auth {
                operation: info.id,
                message: "this operation needs an API key; build the client with credentials"
                    .into(),
            }),
        }
    }
}

/// Adds the `KALSHI-ACCESS-*` headers of a signature over `timestamp_ms + METHOD + path`, where
/// the path is the final URL's (prefix included, query excluded), exactly as it goes on the wire.
fn apply_signature(
    req: &mut reqwest::Request,
    headers: std::result::Result<SignedHeaders, SignError>,
    operation: &'static str,
) -> Result<()> {
    let headers = headers.map_err(|e| Error::Auth {
        operation,
        message: e.0,
    })?;
    headers.apply(req.headers_mut());
    Ok(())
}

/// A call failed: the error goes on its span and out as a warning that carries the operation,
/// since at `info` the span itself is off.
fn failed(info: &OperationInfo, span: &trace::Span, err: Error) -> Error {
    trace::record!(span, "error", %err);
    trace::warn!(
        operation = info.id,
        path = info.path,
        status = err.status().map(|s| s.as_u16()),
        request_id = err.api_error().and_then(|e| e.request_id.as_deref()),
        error = %err,
        "request failed"
    );
    err
}

fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source }
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    env: Environment,
    ws_url: Option<String>,
    margin_ws_url: Option<String>,
    signer: Option<SignerKind>,
    bearer: Option<BearerToken>,
    http: Option<reqwest::Client>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: String,
    limiter: Option<RateLimiter>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// A builder configured from environment variables:
    ///
    /// - `KALSHI_BASE_URL`: a base URL, path prefix included (overrides `KALSHI_ENV`);
    /// - `KALSHI_ENV`: `prod` (the default) or `demo`;
    /// - `KALSHI_WS_URL`: a WebSocket URL (overrides the one the environment gives);
    /// - `KALSHI_PERPS_WS_URL`: the margin (perps) WebSocket URL (likewise);
    /// - `KALSHI_API_KEY_ID` with one of `KALSHI_PRIVATE_KEY_PATH` (a PEM file) or
    ///   `KALSHI_PRIVATE_KEY` (PEM text): credentials. With none of the three the client is public.
    ///
    /// Empty variables count as unset. The key is parsed here, once. A half-configured key (an id
    /// without a key, a key without an id, both key variables) is an [`Error::Config`].
    pub fn from_env() -> Result<Self> {
        Ok(Self::from_config(EnvConfig::from_env()?))
    }

    /// A builder for what the environment configured.
    fn from_config(config: EnvConfig) -> Self {
        let mut builder = Client::builder(config.env);
        if let Some(url) = config.ws_url {
            builder = builder.ws_url(url);
        }
        if let Some(url) = config.margin_ws_url {
            builder = builder.margin_ws_url(url);
        }
        if let Some((key_id, key)) = config.credentials {
            builder = builder.credentials(key_id, key);
        }
        builder
    }

    /// The WebSocket URL, overriding the environment's ([`Environment::ws_url`]).
    pub fn ws_url(mut self, url: impl Into<String>) -> Self {
        self.ws_url = Some(url.into());
        self
    }

    /// The margin (perps) WebSocket URL, overriding the environment's
    /// ([`Environment::margin_ws_url`]).
    pub fn margin_ws_url(mut self, url: impl Into<String>) -> Self {
        self.margin_ws_url = Some(url.into());
        self
    }

    /// Signs authenticated requests as API key `key_id` with `key`.
    pub fn credentials(self, key_id: impl Into<String>, key: PrivateKey) -> Self {
        self.signer(KeyPairSigner::new(key_id, key))
    }

    /// Signs authenticated requests with `signer`, which answers at once (bring your own key
    /// handling); it is called on the request's task.
    pub fn signer(mut self, signer: impl Signer + 'static) -> Self {
        self.signer = Some(SignerKind::Now(Arc::new(signer)));
        self
    }

    /// Signs authenticated requests, retries and WebSocket handshakes with `signer`, awaited
    /// without blocking the runtime: an HSM, a cloud KMS, a remote signing service.
    pub fn async_signer(mut self, signer: impl AsyncSigner + 'static) -> Self {
        self.signer = Some(SignerKind::Waits(Arc::new(signer)));
        self
    }

    /// Authenticates with an OAuth access token instead of an API key: sent as
    /// `Authorization: Bearer …` on the operations whose spec accepts it (the perps spec's margin
    /// fills and positions, for authorised partners); every other authenticated operation fails
    /// with [`Error::BearerNotAccepted`] before sending. Not together with an API key.
    ///
    /// ```
    /// use kalshi_api::{Client, Environment};
    ///
    /// let client = Client::builder(Environment::Demo).bearer_token("access-token").build()?;
    /// assert!(!format!("{client:?}").contains("access-token"));
    /// # Ok::<(), kalshi_api::Error>(())
    /// ```
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(BearerToken::new(token));
        self
    }

    /// Uses this `reqwest::Client`; its own timeouts and user agent apply, not the builder's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout for a whole request, from sending to the last byte of the answer (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Waits on `limiter` before each request, so requests queue for tokens instead of meeting
    /// HTTP 429. Share one limiter (clone it) between every client of the same account.
    ///
    /// ```
    /// use kalshi_api::{Client, Environment, RateLimiter, Tier};
    ///
    /// let limiter = RateLimiter::from(Tier::Advanced);
    /// let client = Client::builder(Environment::Demo).rate_limiter(limiter).build()?;
    /// # Ok::<(), kalshi_api::Error>(())
    /// ```
    ///
    /// For the account's exact numbers, build the limiter from `GET /account/limits` and
    /// `GET /account/endpoint_costs` (see [`RateLimiter::new`] and
    /// [`CostTable`](crate::ratelimit::CostTable)).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Shorthand for a [`rate_limiter`](Self::rate_limiter) with a tier's published rates.
    pub fn tier(self, tier: Tier) -> Self {
        self.rate_limiter(RateLimiter::from(tier))
    }

    /// Retries failed requests by `policy` (none by default). Writes that are not idempotent, such
    /// as order creation, are retried only if the policy says so ([`RetryPolicy::retry_writes`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = self.env.base_url().to_string();
        check_base_url(&base_url)?;
        let ws_url = match self.ws_url {
            Some(url) => url.trim().to_string(),
            None => self.env.ws_url(),
        };
        check_ws_url(&ws_url)?;
        let margin_ws_url = match self.margin_ws_url {
            Some(url) => url.trim().to_string(),
            None => self.env.margin_ws_url(),
        };
        check_ws_url(&margin_ws_url)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder().user_agent(self.user_agent);
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?
            }
        };
        let credentials = self
            .signer
            .map(|signer| Credentials::new(signer).map_err(|e| Error::Config(e.0)))
            .transpose()?;
        let bearer = bearer_header(self.bearer.as_ref(), credentials.is_some())?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                ws_url,
                margin_ws_url,
                credentials,
                bearer,
                limiter: self.limiter,
            }),
            retry: self.retry.map(Arc::new),
        })
    }
}

/// The `Authorization` header of a bearer token: none without one; an error with an API key too
/// (one way to authenticate per client) or when the token cannot be a header value.
fn bearer_header(token: Option<&BearerToken>, has_key: bool) -> Result<Option<HeaderValue>> {
    let Some(token) = token else {
        return Ok(None);
    };
    if has_key {
        return Err(Error::Config(
            "both an API key and a bearer token are set; build the client with one".into(),
        ));
    }
    token.header().map(Some).ok_or_else(|| {
        Error::Config("the bearer token is empty or not a valid header value".into())
    })
}

/// A base URL is absolute http(s), without query or fragment.
fn check_base_url(base_url: &str) -> Result<()> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL `{base_url}` must be http or https"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{base_url}` must not have a query or fragment"
        )));
    }
    Ok(())
}

/// A WebSocket URL is absolute ws(s), without fragment.
fn check_ws_url(ws_url: &str) -> Result<()> {
    let url = reqwest::Url::parse(ws_url)
        .map_err(|e| Error::Config(format!("WebSocket URL `{ws_url}`: {e}")))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(Error::Config(format!(
            "WebSocket URL `{ws_url}` must be ws or wss"
        )));
    }
    if url.fragment().is_some() {
        return Err(Error::Config(format!(
            "WebSocket URL `{ws_url}` must not have a fragment"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn kalshi_ws_url_overrides_the_derived_url() {
        let vars = |name: &str| match name {
            "KALSHI_BASE_URL" => Some(OsString::from("http://127.0.0.1:1/trade-api/v2")),
            "KALSHI_WS_URL" => Some(OsString::from("ws://127.0.0.1:2/elsewhere")),
            "KALSHI_PERPS_WS_URL" => Some(OsString::from("ws://127.0.0.1:3/margin")),
            _ => None,
        };
        let client = ClientBuilder::from_config(EnvConfig::from_vars(vars).unwrap())
            .build()
            .unwrap();
        assert_eq!(client.ws_url(), "ws://127.0.0.1:2/elsewhere");
        assert_eq!(client.margin_ws_url(), "ws://127.0.0.1:3/margin");
        let derived = ClientBuilder::from_config(
            EnvConfig::from_vars(|name: &str| {
                (name == "KALSHI_BASE_URL")
                    .then(|| OsString::from("http://127.0.0.1:1/trade-api/v2"))
            })
            .unwrap(),
        )
        .build()
        .unwrap();
        assert_eq!(derived.ws_url(), "ws://127.0.0.1:1/trade-api/ws/v2");
        assert_eq!(
            derived.margin_ws_url(),
            "ws://127.0.0.1:1/trade-api/ws/v2/margin"
        );
        let bad = ClientBuilder::from_config(
            EnvConfig::from_vars(|name: &str| {
                (name == "KALSHI_WS_URL").then(|| OsString::from("http://not-a-socket"))
            })
            .unwrap(),
        )
        .build()
        .unwrap_err();
        assert!(bad.to_string().contains("must be ws or wss"), "{bad}");
    }
}
