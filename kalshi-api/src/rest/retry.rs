//! An opt-in policy for retrying failed requests with exponential backoff and full jitter.
//! It retries only failures a later attempt can fix (429, 5xx, timeouts, broken connections), and
//! never re-sends a non-idempotent write such as an order creation unless told to.
//!
//! ```
//! use kalshi_api::operation::Method;
//! use kalshi_api::retry::{is_idempotent, RetryPolicy};
//! use kalshi_api::{ApiError, Error};
//! use std::time::Duration;
//!
//! let policy = RetryPolicy::default().max_attempts(4);
//! let status = reqwest::StatusCode::TOO_MANY_REQUESTS;
//! let err = Error::RateLimited(Box::new(ApiError::new("GetMarkets", status, Default::default(), None)));
//!
//! // A read that met a 429 is retried after at most `base_delay`...
//! let delay = policy.should_retry(&err, is_idempotent(&Method::GET), 1, Duration::ZERO);
//! assert!(delay.is_some_and(|d| d <= Duration::from_millis(100)));
//! // ...an order creation is not.
//! let delay = policy.should_retry(&err, is_idempotent(&Method::POST), 1, Duration::ZERO);
//! assert_eq!(delay, None);
//! ```

use crate::backoff::{full_jitter, Jitter};
use crate::error::Error;
use reqwest::Method;
use std::time::Duration;

/// When and how often to retry a failed request.
///
/// The fields are public to read and set; the methods of the same names set them in a chain.
/// [`Default`]: 3 attempts, 100 ms base delay, 5 s largest delay, 30 s deadline, writes not
/// retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (0 counts as 1: no retries).
    pub max_attempts: u32,
    /// The largest delay before the first retry; each later retry doubles it.
    pub base_delay: Duration,
    /// The cap on any one delay.
    pub max_delay: Duration,
    /// No retry starts later than this after the first attempt started (`None`: no limit). It
    /// bounds when the last attempt starts, not when it ends: the client's request timeout bounds
    /// each attempt.
    pub total_deadline: Option<Duration>,
    /// Retry non-idempotent writes too (POST, PUT, PATCH; see [`is_idempotent`]). Off by default:
    /// a lost answer to an order creation does not say whether the order was placed.
    pub retry_writes: bool,
    jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            total_deadline: Some(Duration::from_secs(30)),
            retry_writes: false,
            jitter: Jitter::Random,
        }
    }
}

impl RetryPolicy {
    /// The [`Default`] policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Sets the number of attempts in all, the first included.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the largest delay before the first retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap on any one delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the time after the first attempt past which no retry starts (`None`: no limit).
    pub fn total_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.total_deadline = deadline;
        self
    }

    /// Sets whether non-idempotent writes (order creation and amendment among them) are retried.
    pub fn retry_writes(mut self, retry: bool) -> Self {
        self.retry_writes = retry;
        self
    }

    /// Draws the jitter from a generator seeded with `seed`, shared by the policy's clones, so the
    /// delays are reproducible. For tests: clients sharing a seed retry in lockstep.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter = Jitter::seeded(seed);
        self
    }

    /// The delay before the next attempt after `attempt` attempts have failed (1 after the first):
    /// random in `[0, min(max_delay, base_delay × 2^(attempt − 1))]` ("full jitter", which
    /// spreads the retries of many clients apart).
    pub fn backoff(&self, attempt: u32) -> Duration {
        full_jitter(self.base_delay, self.max_delay, attempt, &self.jitter)
    }

    /// Whether to try again after `err`, and after what delay; `None` means give up and return
    /// `err`.
    ///
    /// `idempotent` says whether the request may be sent twice ([`is_idempotent`] of its method),
    /// `attempt` counts the attempts made so far (1 after the first failure) and `elapsed` is the
    /// time since the first attempt started. A retry happens when the error is transient
    /// ([`is_transient`]), the request is idempotent or [`retry_writes`](Self::retry_writes) is
    /// set, fewer than `max_attempts` attempts were made, and the drawn delay ends within
    /// `total_deadline`. Each retry must build and sign the request afresh: Kalshi rejects stale
    /// signature timestamps.
    ///
    /// ```no_run
    /// # use kalshi_api::RetryPolicy;
    /// # async fn send() -> kalshi_api::Result<()> { Ok(()) }
    /// # async fn demo() -> kalshi_api::Result<()> {
    /// let policy = RetryPolicy::default();
    /// let start = std::time::Instant::now();
    /// let mut attempt = 0;
    /// loop {
    ///     attempt += 1;
    ///     match send().await {
    ///         Err(err) => match policy.should_retry(&err, true, attempt, start.elapsed()) {
    ///             Some(delay) => tokio::time::sleep(delay).await,
    ///             None => return Err(err),
    ///         },
    ///         ok => return ok,
    ///     }
    /// }
    /// # }
    /// ```
    pub fn should_retry(
        &self,
        err: &Error,
        idempotent: bool,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        self.decide(err, idempotent, attempt, elapsed).ok()
    }

    /// [`should_retry`](Self::should_retry) with the reason when it gives up, for the client's
    /// trace: the delay, or why there is no retry.
    pub(crate) fn decide(
        &self,
        err: &Error,
        idempotent: bool,
        attempt: u32,
        elapsed: Duration,
    ) -> Result<Duration, &'static str> {
        if !is_transient(err) {
            return Err("not transient");
        }
        if !(idempotent || self.retry_writes) {
            return Err("write not retried");
        }
        if attempt >= self.max_attempts.max(1) {
            return Err("attempts exhausted");
        }
        let delay = self.backoff(attempt);
        match self.total_deadline {
            Some(deadline) if elapsed.saturating_add(delay) > deadline => Err("deadline reached"),
            _ => Ok(delay),
        }
    }
}

/// A short name for what failed, the reason given when a failure is retried.
pub(crate) fn failure_kind(err: &Error) -> &'static str {
    match err {
        Error::RateLimited(_) => "rate limited",
        Error::Api(e) if e.status.is_server_error() => "server error",
        Error::Api(_) => "client error",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        _ => "other",
    }
}

/// Whether a failure may go away on its own, so that sending the same request again can succeed.
///
/// Transient: 429 ([`Error::RateLimited`]; Kalshi sends no `Retry-After`, so the backoff decides
/// the wait), 5xx answers, [`Error::Timeout`], and [`Error::Transport`] failures of the connection
/// (refused, reset, closed mid-body). Not transient: every other 4xx, a request reqwest could not
/// build or a redirect loop, authentication, configuration, key, encoding and decoding errors, and
/// a pagination cursor that does not advance, which fail the same way every time.
pub fn is_transient(err: &Error) -> bool {
    match err {
        Error::RateLimited(_) => true,
        Error::Api(e) => {
            e.status.is_server_error() || e.status == reqwest::StatusCode::TOO_MANY_REQUESTS
        }
        Error::Timeout { .. } => true,
        // reqwest reports a body cut short by the connection as a decode error, so only the
        // failures of the request itself are excluded.
        Error::Transport { source, .. } => {
            !(source.is_builder() || source.is_redirect() || source.is_status())
        }
        Error::Auth { .. }
        | Error::BearerNotAccepted { .. }
        | Error::Config(_)
        | Error::Key(_)
        | Error::Encode { .. }
        | Error::Decode(_)
        | Error::RepeatedCursor { .. } => false,
        // REST requests never fail with a WebSocket error; a session repairs its own.
        #[cfg(feature = "ws")]
        Error::WebSocket(_) => false,
        #[cfg(feature = "record")]
        Error::Record(_) => false,
    }
}

/// Whether a request with this method may be sent twice without a different outcome, so that a
/// retry after a lost answer is safe.
///
/// - GET, HEAD, OPTIONS, TRACE: reads.
/// - DELETE: Kalshi's DELETEs cancel or remove (an order, a batch of orders, all orders, an order
///   group, an RFQ or quote, an API key). Cancelling twice is harmless: when the first attempt
///   succeeded but its answer was lost, the retry finds nothing and the caller sees its 404. A
///   repeated `CancelAllOrders` also cancels orders placed in between, the safe direction.
/// - POST, PUT, PATCH and anything else: no. POST creates orders (`CreateOrderV2`,
///   `BatchCreateOrdersV2`), amends and decreases them and moves money, and Kalshi documents no
///   deduplication rule for `client_order_id`: re-sending a create whose answer was lost can place
///   a second order, and a repeated decrease decreases twice. Kalshi's PUTs are actions (trigger
///   or reset an order group, accept or confirm a quote), not RFC 9110's idempotent replacements.
///   Opt in with [`RetryPolicy::retry_writes`].
pub fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::TRACE,
        Method::DELETE,
    ]
    .contains(method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, DecodeError};
    use reqwest::StatusCode;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn api(status: u16) -> Error {
        let e = Box::new(ApiError::new(
            "GetMarkets",
            StatusCode::from_u16(status).unwrap(),
            Default::default(),
            None,
        ));
        if status == 429 {
            Error::RateLimited(e)
        } else {
            Error::Api(e)
        }
    }

    fn json_error() -> serde_json::Error {
        serde_json::from_str::<u8>("x").unwrap_err()
    }

    /// As the client maps reqwest's errors.
    fn transport(source: reqwest::Error) -> Error {
        let operation = "GetMarkets";
        if source.is_timeout() {
            Error::Timeout { operation, source }
        } else {
            Error::Transport { operation, source }
        }
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }

    async fn refused() -> Error {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/");
        transport(http().get(url).send().await.unwrap_err())
    }

    async fn timed_out() -> Error {
        // The kernel accepts the connection into the backlog; nobody ever answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let err = http().get(url).timeout(ms(50)).send().await.unwrap_err();
        drop(listener);
        transport(err)
    }

    async fn cut_short() -> Error {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                assert!(n > 0, "the client closed before sending its request");
                request.extend_from_slice(&buf[..n]);
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort")
                .unwrap();
        });
        let response = http().get(url).send().await.unwrap();
        let err = response.bytes().await.unwrap_err();
        server.join().unwrap();
        transport(err)
    }

    async fn unbuildable() -> Error {
        transport(http().get("not a url").send().await.unwrap_err())
    }

    #[tokio::test]
    async fn transient_errors_are_told_apart() {
        let key = crate::auth::PrivateKey::from_pem("not a key").unwrap_err();
        let decode = DecodeError::new("GetMarkets", ".".into(), json_error(), b"x");
        let refused = refused().await;
        assert!(
            matches!(&refused, Error::Transport { source, .. } if source.is_connect()),
            "{refused:?}"
        );
        let timed_out = timed_out().await;
        assert!(matches!(timed_out, Error::Timeout { .. }), "{timed_out:?}");
        let cut_short = cut_short().await;
        assert!(
            matches!(&cut_short, Error::Transport { .. }),
            "{cut_short:?}"
        );
        let unbuildable = unbuildable().await;
        assert!(
            matches!(&unbuildable, Error::Transport { source, .. } if source.is_builder()),
            "{unbuildable:?}"
        );

        let table: Vec<(&str, Error, bool)> = vec![
            ("429", api(429), true),
            ("500", api(500), true),
            ("502", api(502), true),
            ("503", api(503), true),
            ("504", api(504), true),
            ("400", api(400), false),
            ("401", api(401), false),
            ("403", api(403), false),
            ("404", api(404), false),
            ("409", api(409), false),
            ("timeout", timed_out, true),
            ("connection refused", refused, true),
            ("body cut short", cut_short, true),
            ("unbuildable request", unbuildable, false),
            (
                "auth",
                Error::Auth {
                    operation: "GetBalance",
                    message: "no key".into(),
                },
                false,
            ),
            ("config", Error::Config("bad base URL".into()), false),
            ("key", Error::Key(key), false),
            (
                "encode",
                Error::Encode {
                    operation: "CreateOrderV2",
                    source: json_error(),
                },
                false,
            ),
            ("decode", Error::from(decode), false),
            (
                "repeated cursor",
                Error::RepeatedCursor {
                    operation: "GetMarkets",
                    cursor: "abc".into(),
                    pages: 2,
                },
                false,
            ),
        ];
        let policy = RetryPolicy::default().jitter_seed(1);
        let writes = RetryPolicy::default().jitter_seed(1).retry_writes(true);
        for (name, err, transient) in &table {
            assert_eq!(is_transient(err), *transient, "{name}");
            let retried = |policy: &RetryPolicy, idempotent| {
                policy
                    .should_retry(err, idempotent, 1, Duration::ZERO)
                    .is_some()
            };
            assert_eq!(retried(&policy, true), *transient, "{name}, idempotent");
            assert!(!retried(&policy, false), "{name}: a write is never retried");
            assert_eq!(retried(&writes, false), *transient, "{name}, retry_writes");
        }
    }

    #[test]
    fn reads_and_cancels_are_idempotent_and_other_writes_are_not() {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::TRACE,
            Method::DELETE,
        ] {
            assert!(is_idempotent(&method), "{method}");
        }
        let custom = Method::from_bytes(b"PURGE").unwrap();
        for method in [
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::CONNECT,
            custom,
        ] {
            assert!(!is_idempotent(&method), "{method}");
        }
    }

    #[test]
    fn delays_grow_within_their_bounds() {
        let policy = RetryPolicy::default()
            .base_delay(ms(100))
            .max_delay(Duration::from_secs(5))
            .jitter_seed(7);
        let mut previous_mean = Duration::ZERO;
        for attempt in 1..=10u32 {
            let ceiling = (ms(100) * 2u32.pow(attempt - 1)).min(Duration::from_secs(5));
            let samples: Vec<Duration> = (0..2000).map(|_| policy.backoff(attempt)).collect();
            let max = *samples.iter().max().unwrap();
            let min = *samples.iter().min().unwrap();
            let mean = samples.iter().sum::<Duration>() / 2000;
            assert!(max <= ceiling, "attempt {attempt}: {max:?} > {ceiling:?}");
            // Full jitter: the draws cover the whole range, centred on half the ceiling.
            assert!(max > ceiling * 9 / 10, "attempt {attempt}: max {max:?}");
            assert!(min < ceiling / 10, "attempt {attempt}: min {min:?}");
            assert!(
                mean > ceiling * 4 / 10 && mean < ceiling * 6 / 10,
                "attempt {attempt}: mean {mean:?} of {ceiling:?}"
            );
            if ceiling < Duration::from_secs(5) {
                assert!(mean > previous_mean, "attempt {attempt}: the delays grow");
            }
            previous_mean = mean;
        }
        // Huge attempt counts saturate instead of overflowing.
        assert!(policy.backoff(u32::MAX) <= Duration::from_secs(5));
        let unbounded = RetryPolicy::default()
            .max_delay(Duration::MAX)
            .jitter_seed(7);
        unbounded.backoff(u32::MAX);
    }

    #[test]
    fn a_seed_makes_the_delays_reproducible() {
        let draw = |policy: &RetryPolicy| (1..=5).map(|a| policy.backoff(a)).collect::<Vec<_>>();
        let a = RetryPolicy::default().jitter_seed(42);
        let b = RetryPolicy::default().jitter_seed(42);
        let c = RetryPolicy::default().jitter_seed(43);
        let first = draw(&a);
        assert_eq!(first, draw(&b));
        assert_ne!(first, draw(&c));
        // Clones share the generator: a clone continues the sequence.
        let clone = a.clone();
        assert_eq!(draw(&clone), draw(&b));
    }

    #[test]
    fn max_attempts_is_respected() {
        let err = api(503);
        let policy = RetryPolicy::default().max_attempts(3).total_deadline(None);
        let retries: Vec<bool> = (1..=4)
            .map(|attempt| {
                policy
                    .should_retry(&err, true, attempt, Duration::ZERO)
                    .is_some()
            })
            .collect();
        assert_eq!(retries, [true, true, false, false]);
        for policy in [RetryPolicy::never(), RetryPolicy::default().max_attempts(0)] {
            assert_eq!(policy.should_retry(&err, true, 1, Duration::ZERO), None);
        }
    }

    #[test]
    fn no_retry_ends_past_the_deadline() {
        let err = api(500);
        let policy = |deadline| {
            RetryPolicy::default()
                .max_attempts(u32::MAX)
                .base_delay(Duration::from_secs(1))
                .max_delay(Duration::from_secs(1))
                .total_deadline(deadline)
                .jitter_seed(3)
        };
        let limited = policy(Some(Duration::from_secs(10)));
        let free = policy(None);
        let elapsed = ms(9500);
        let (mut kept, mut dropped) = (0, 0);
        for attempt in 1..=200 {
            // Same seed: `free` draws the delay `limited` drew.
            let drawn = free.should_retry(&err, true, attempt, elapsed).unwrap();
            match limited.should_retry(&err, true, attempt, elapsed) {
                Some(delay) => {
                    assert_eq!(delay, drawn);
                    assert!(elapsed + delay <= Duration::from_secs(10));
                    kept += 1;
                }
                None => {
                    assert!(elapsed + drawn > Duration::from_secs(10));
                    dropped += 1;
                }
            }
        }
        assert!(kept > 0 && dropped > 0, "kept {kept}, dropped {dropped}");
        // Past the deadline nothing is retried.
        for attempt in 1..=50 {
            let late = Duration::from_secs(10) + Duration::from_nanos(1);
            assert_eq!(limited.should_retry(&err, true, attempt, late), None);
        }
    }

    #[test]
    fn the_default_policy() {
        let policy = RetryPolicy::new();
        assert_eq!(policy.max_attempts, 3);
        assert_eq!(policy.base_delay, ms(100));
        assert_eq!(policy.max_delay, Duration::from_secs(5));
        assert_eq!(policy.total_deadline, Some(Duration::from_secs(30)));
        assert!(!policy.retry_writes);
        assert!(policy.backoff(1) <= ms(100));
    }
}
