//! Client-side copies of Kalshi's two per-account token buckets, so requests wait for tokens
//! instead of being refused with HTTP 429. Reads (GET) draw from one bucket, every other method
//! from the other; waiters are served in the order they asked. A product Kalshi limits apart
//! (perps: `GET /account/limits/perps`) draws from its own pair, a named bucket set.
//!
//! ```
//! use kalshi_api::operation::Method;
//! use kalshi_api::ratelimit::{Bucket, Cost, RateLimiter, Tier};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let limiter = RateLimiter::from(Tier::Basic);
//! // A batch create of three orders: 10 tokens per order, from the write bucket.
//! let tokens = Cost::PerItem(10).tokens(3);
//! limiter.acquire(Bucket::for_method(&Method::POST), tokens).await;
//! # });
//! ```

pub use crate::operation::Cost;
use crate::operation::OperationInfo;
use reqwest::Method;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// One of the account's two token buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// The read bucket: GET requests.
    Read,
    /// The write bucket: every other method (order creation, amendment, cancellation, ...).
    Write,
}

impl Bucket {
    /// The bucket a request with this method draws from: GET reads, everything else writes.
    pub fn for_method(method: &Method) -> Self {
        if method == Method::GET {
            Bucket::Read
        } else {
            Bucket::Write
        }
    }
}

/// Live operation costs, as `GET /account/endpoint_costs` lists them: a default and the routes
/// that differ from it.
///
/// ```
/// use kalshi_api::operation::Method;
/// use kalshi_api::ratelimit::{CostTable, RateLimiter, Tier};
///
/// // From GetAccountEndpointCostsResponse: `default_cost`, then each of `endpoint_costs`.
/// let costs = CostTable::new(10)
///     .route(Method::DELETE, "/trade-api/v2/portfolio/events/orders/{order_id}", 2)
///     .route(Method::GET, "/trade-api/v2/portfolio/orders/:order_id", 2);
/// let limiter = RateLimiter::from(Tier::Premier).with_costs(costs);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostTable {
    default: u32,
    routes: Vec<(Method, String, u32)>,
}

impl CostTable {
    /// A table where every operation costs `default_cost` per request (per item for batches).
    pub fn new(default_cost: u32) -> Self {
        CostTable {
            default: default_cost,
            routes: Vec::new(),
        }
    }

    /// Sets the cost of one route. `path` may carry the `/trade-api/v2` prefix; a `{name}` or
    /// `:name` segment matches any path parameter.
    pub fn route(mut self, method: Method, path: &str, cost: u32) -> Self {
        let path = path.strip_prefix("/trade-api/v2").unwrap_or(path);
        self.routes.retain(|(m, p, _)| !(*m == method && p == path));
        self.routes.push((method, path.to_string(), cost));
        self
    }

    /// The cost of an operation: its route's, or the default; per item when the spec charges the
    /// operation per item.
    pub fn cost(&self, info: &OperationInfo) -> Cost {
        let tokens = self
            .routes
            .iter()
            .find(|(method, path, _)| *method == info.method && same_route(path, info.path))
            .map_or(self.default, |(_, _, cost)| *cost);
        match info.cost {
            Cost::PerItem(_) => Cost::PerItem(tokens),
            Cost::PerRequest(_) => Cost::PerRequest(tokens),
        }
    }
}

/// Whether two path templates name the same route, whatever their parameters are called.
fn same_route(a: &str, b: &str) -> bool {
    let param = |s: &str| s.starts_with(':') || (s.starts_with('{') && s.ends_with('}'));
    let (mut a, mut b) = (
        a.trim_matches('/').split('/'),
        b.trim_matches('/').split('/'),
    );
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y || (param(x) && param(y)) => {}
            _ => return false,
        }
    }
}

/// The size and speed of one bucket.
///
/// Both numbers come from `GET /account/limits` (`GetAccountApiLimitsResponse`): its `read` and
/// `write` objects (`BucketLimit`) carry `refill_rate`, which is [`refill_per_sec`], and
/// `bucket_capacity`, which is [`capacity`].
///
/// [`refill_per_sec`]: BucketConfig::refill_per_sec
/// [`capacity`]: BucketConfig::capacity
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BucketConfig {
    /// Tokens added per second (`refill_rate`). Zero is treated as 1, since a bucket that never
    /// refills would make every waiter wait forever.
    pub refill_per_sec: u32,
    /// The most tokens the bucket holds, i.e. the largest burst (`bucket_capacity`).
    pub capacity: u32,
}

impl BucketConfig {
    /// A bucket refilling at `refill_per_sec` that holds one second's worth of tokens.
    ///
    /// One second is the smallest capacity Kalshi uses (the spec's `BucketLimit` says the write
    /// buckets of non-Basic tiers hold two seconds). A client bucket no larger than the server's
    /// can never send a burst the server refuses, so this is the safe default when the real
    /// capacity is unknown; read `GET /account/limits` for the exact number.
    pub const fn per_second(refill_per_sec: u32) -> Self {
        BucketConfig {
            refill_per_sec,
            capacity: refill_per_sec,
        }
    }
}

/// Kalshi's published API usage tiers. More tiers exist (Expert, Prestige); configure those
/// with [`RateLimiter::new`] and the numbers from `GET /account/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tier {
    /// 200 read and 100 write tokens per second.
    Basic,
    /// 300 read and 300 write tokens per second.
    Advanced,
    /// 1000 read and 1000 write tokens per second.
    Premier,
    /// 2000 read and 2000 write tokens per second.
    Paragon,
    /// 4000 read and 4000 write tokens per second.
    Prime,
}

impl Tier {
    /// The read bucket of this tier, holding one second's worth of tokens.
    pub const fn read(self) -> BucketConfig {
        BucketConfig::per_second(self.rates().0)
    }

    /// The write bucket of this tier, holding one second's worth of tokens.
    pub const fn write(self) -> BucketConfig {
        BucketConfig::per_second(self.rates().1)
    }

    const fn rates(self) -> (u32, u32) {
        match self {
            Tier::Basic => (200, 100),
            Tier::Advanced => (300, 300),
            Tier::Premier => (1000, 1000),
            Tier::Paragon => (2000, 2000),
            Tier::Prime => (4000, 4000),
        }
    }
}

/// The read and write buckets of one account, shared by every clone.
///
/// [`acquire`](RateLimiter::acquire) waits until the bucket holds the tokens, takes them and
/// returns. Waiters are served first come, first served: each reserves its tokens when it asks and
/// sleeps until they will have refilled, so a large request is never overtaken by smaller ones.
/// Both buckets start full.
///
/// The limiter only knows about requests that go through it: share one (by cloning) between all
/// clients of an account in a process. Another process on the same account, or a restart while the
/// server's bucket is still draining, can still meet a 429.
///
/// Operations whose [`OperationInfo::buckets`] names a set (the perps operations: `perps`) draw
/// from that set's own read and write buckets: the ones [`with_buckets`](Self::with_buckets) gave
/// it, else, from its first request, a fresh pair configured as the main one.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Buckets>,
    sets: Arc<RwLock<Vec<NamedSet>>>,
    costs: Option<Arc<CostTable>>,
}

/// How much refill time a bucket keeps unspent by default: 100 ms.
pub const DEFAULT_RESERVE: Duration = Duration::from_millis(100);

/// A named bucket set and its buckets.
type NamedSet = (String, Arc<Buckets>);

#[derive(Debug)]
struct Buckets {
    read: Mutex<State>,
    write: Mutex<State>,
}

impl Buckets {
    /// A full pair.
    fn new(read: BucketConfig, write: BucketConfig) -> Self {
        let now = Instant::now();
        Buckets {
            read: Mutex::new(State::new(read, now)),
            write: Mutex::new(State::new(write, now)),
        }
    }

    /// A full pair configured as `self` is (rates, capacities and reserve).
    fn fresh_copy(&self) -> Self {
        let (read, write) = (lock(&self.read), lock(&self.write));
        let copy = Buckets::new(read.config, write.config);
        lock(&copy.read).reserve = read.reserve;
        lock(&copy.write).reserve = write.reserve;
        copy
    }

    fn state(&self, bucket: Bucket) -> &Mutex<State> {
        match bucket {
            Bucket::Read => &self.read,
            Bucket::Write => &self.write,
        }
    }
}

impl RateLimiter {
    /// A limiter with explicit read and write buckets, e.g. from `GET /account/limits`.
    ///
    /// ```
    /// use kalshi_api::ratelimit::{BucketConfig, RateLimiter};
    ///
    /// // `read` and `write` of GetAccountApiLimitsResponse, converted from i64.
    /// let read = BucketConfig { refill_per_sec: 1000, capacity: 1000 };
    /// let write = BucketConfig { refill_per_sec: 1000, capacity: 2000 };
    /// let limiter = RateLimiter::new(read, write);
    /// ```
    pub fn new(read: BucketConfig, write: BucketConfig) -> Self {
        RateLimiter {
            inner: Arc::new(Buckets::new(read, write)),
            sets: Arc::default(),
            costs: None,
        }
    }

    /// Gives the bucket set `set` (an [`OperationInfo::buckets`] name, e.g. `perps`) its own read
    /// and write buckets, full; applies to every clone. For perps, the numbers are the `read` and
    /// `write` of `GET /account/limits/perps` (`client.perps().get_perps_account_api_limits`).
    ///
    /// ```
    /// use kalshi_api::ratelimit::{Bucket, BucketConfig, RateLimiter, Tier};
    ///
    /// let perps = BucketConfig { refill_per_sec: 300, capacity: 300 };
    /// let limiter = RateLimiter::from(Tier::Basic).with_buckets("perps", perps, perps);
    /// assert_eq!(limiter.config_of("perps", Bucket::Write), Some(perps));
    /// ```
    pub fn with_buckets(self, set: &str, read: BucketConfig, write: BucketConfig) -> Self {
        let reserve = lock(&self.inner.read).reserve;
        let buckets = Buckets::new(read, write);
        for bucket in [Bucket::Read, Bucket::Write] {
            lock(buckets.state(bucket)).reserve = reserve;
        }
        let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
        sets.retain(|(name, _)| name != set);
        sets.push((set.to_string(), Arc::new(buckets)));
        drop(sets);
        self
    }

    /// The configuration of one bucket of the set `set`, once it has buckets.
    pub fn config_of(&self, set: &str, bucket: Bucket) -> Option<BucketConfig> {
        let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
        let (_, buckets) = sets.iter().find(|(name, _)| name == set)?;
        let config = lock(buckets.state(bucket)).config;
        Some(config)
    }

    /// The buckets of `set`: the main ones for `None`; a named set's, made on its first use.
    fn set(&self, set: Option<&str>) -> Arc<Buckets> {
        let Some(set) = set else {
            return self.inner.clone();
        };
        let found = |sets: &[NamedSet]| sets.iter().find(|(n, _)| n == set).map(|(_, b)| b.clone());
        if let Some(b) = found(&self.sets.read().unwrap_or_else(PoisonError::into_inner)) {
            return b;
        }
        let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(b) = found(&sets) {
            return b;
        }
        let buckets = Arc::new(self.inner.fresh_copy());
        sets.push((set.to_string(), buckets.clone()));
        buckets
    }

    /// Keeps `reserve` worth of refill unspent in each bucket (default [`DEFAULT_RESERVE`],
    /// 100 ms: 100 tokens of a 1,000-per-second bucket).
    ///
    /// The limiter spaces requests as they leave; the server counts them as they arrive. When one
    /// request is delayed on the way and the next is not, the server sees them closer together than
    /// they were sent, and a client spending the server's whole bucket would meet a 429. Holding
    /// back a reserve absorbs up to that much jitter. It only lowers the first burst: the sustained
    /// rate stays the full refill rate. Applies to every clone.
    pub fn with_reserve(self, reserve: Duration) -> Self {
        let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
        let all = std::iter::once(&self.inner).chain(sets.iter().map(|(_, b)| b));
        for buckets in all {
            for bucket in [Bucket::Read, Bucket::Write] {
                lock(buckets.state(bucket)).reserve = reserve;
            }
        }
        drop(sets);
        self
    }

    /// Charges operations as `costs` says (from `GET /account/endpoint_costs`) instead of the
    /// costs the spec states. Applies to this limiter and the clones made from it afterwards.
    pub fn with_costs(mut self, costs: CostTable) -> Self {
        self.costs = Some(Arc::new(costs));
        self
    }

    /// What one request of `info` with `items` batch items costs: from the [`CostTable`] when the
    /// limiter has one, otherwise the spec's [`OperationInfo::cost`].
    pub fn tokens(&self, info: &OperationInfo, items: usize) -> u32 {
        let cost = match &self.costs {
            Some(table) => table.cost(info),
            None => info.cost,
        };
        cost.tokens(items)
    }

    /// Waits for the tokens one request of operation `info` with `items` batch items costs (see
    /// [`Operation::cost_items`](crate::operation::Operation::cost_items)), from the bucket its
    /// method draws from, in the operation's bucket set. [`Client`](crate::Client) calls this
    /// before every attempt.
    pub async fn acquire_for(&self, info: &OperationInfo, items: usize) {
        let tokens = self.tokens(info, items);
        let set = self.set(info.buckets);
        acquire_on(&set, Bucket::for_method(&info.method), tokens).await;
    }

    /// A limiter with a tier's published rates and one second's worth of capacity.
    pub fn for_tier(tier: Tier) -> Self {
        Self::new(tier.read(), tier.write())
    }

    /// The configuration of one bucket (a zero refill rate already raised to 1).
    pub fn config(&self, bucket: Bucket) -> BucketConfig {
        lock(self.inner.state(bucket)).config
    }

    /// Waits until `bucket` holds `tokens` tokens and takes them.
    ///
    /// Callers are served in the order their futures are first polled, which is when they take
    /// their place (released in that order to the timer's 1 ms resolution). A request for more than the bucket's capacity does not wait forever: it waits
    /// until the bucket is full, takes everything and leaves the bucket in debt, so the callers
    /// behind it wait until the excess has refilled as well. Zero tokens return at once.
    ///
    /// Dropping the future while it waits gives the tokens back only if nobody has queued behind
    /// it; otherwise they stay spent, which delays later callers but never causes a 429.
    pub async fn acquire(&self, bucket: Bucket, tokens: u32) {
        acquire_on(&self.inner, bucket, tokens).await;
    }
}

/// [`RateLimiter::acquire`] on the buckets `set`.
async fn acquire_on(set: &Buckets, bucket: Bucket, tokens: u32) {
    if tokens == 0 {
        return;
    }
    let state = set.state(bucket);
    let (reservation, now) = {
        let mut state = lock(state);
        let now = Instant::now();
        (state.reserve(tokens, now), now)
    };
    if reservation.ready_at <= now {
        return;
    }
    let mut rollback = Rollback {
        state,
        reservation,
        armed: true,
    };
    tokio::time::sleep_until(reservation.ready_at).await;
    rollback.armed = false;
}

impl From<Tier> for RateLimiter {
    fn from(tier: Tier) -> Self {
        Self::for_tier(tier)
    }
}

/// The lock is never held across a panic point that leaves the state half-updated, so a poisoned
/// lock still holds a consistent state.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One bucket, kept as the instant at which it will be full again if nobody takes more (the
/// "theoretical arrival time" of GCRA). At or before now, the bucket is full; each taken token
/// pushes it one refill interval later; beyond `capacity` intervals ahead, the bucket is in debt.
#[derive(Debug)]
struct State {
    config: BucketConfig,
    full_at: Instant,
    /// Refill time kept unspent (see [`RateLimiter::with_reserve`]).
    reserve: Duration,
}

/// The furthest ahead of now a bucket's debt reaches: the refill time of the largest request at the
/// slowest rate (`u32::MAX` tokens at one per second, about 136 years). However many callers
/// queue for such costs (from `GET /account/endpoint_costs`, say) and drop their futures, every
/// instant the limiter computes stays representable.
const MAX_DEBT: Duration = Duration::from_secs(u32::MAX as u64);

/// One caller's place in the queue.
#[derive(Debug, Clone, Copy)]
struct Reservation {
    /// When the caller may go.
    ready_at: Instant,
    /// `full_at` before this reservation, restored if it is cancelled while last in line.
    previous_full_at: Instant,
    /// `full_at` after this reservation.
    full_at: Instant,
}

impl State {
    fn new(mut config: BucketConfig, now: Instant) -> Self {
        config.refill_per_sec = config.refill_per_sec.max(1);
        State {
            config,
            full_at: now,
            reserve: DEFAULT_RESERVE,
        }
    }

    /// Takes `tokens` from the bucket and says when the caller may go: when the bucket holds
    /// `tokens`, or is full if `tokens` exceeds the capacity.
    fn reserve(&mut self, tokens: u32, now: Instant) -> Reservation {
        let start = self.full_at.max(now);
        // `start` is at most `now + MAX_DEBT`, and so is one refill time: the sum is representable.
        let full_at = (start + self.refill_time(tokens, Round::Up)).min(now + MAX_DEBT);
        // The caller may go once the bucket lacks at most `capacity - needed` tokens, less the
        // reserve.
        let needed = tokens.min(self.config.capacity);
        let slack = self
            .refill_time(self.config.capacity - needed, Round::Down)
            .saturating_sub(self.reserve);
        let ready_at = start.checked_sub(slack).map_or(now, |t| t.max(now));
        let previous_full_at = self.full_at;
        self.full_at = full_at;
        Reservation {
            ready_at,
            previous_full_at,
            full_at,
        }
    }

    /// How long the bucket takes to refill `tokens`, rounded so the limiter errs on the slow side.
    fn refill_time(&self, tokens: u32, round: Round) -> Duration {
        let rate = u64::from(self.config.refill_per_sec);
        let scaled = u64::from(tokens) * 1_000_000_000;
        let nanos = match round {
            Round::Up => scaled.div_ceil(rate),
            Round::Down => scaled / rate,
        };
        Duration::from_nanos(nanos)
    }
}

#[derive(Debug, Clone, Copy)]
enum Round {
    Up,
    Down,
}

/// Gives a cancelled waiter's tokens back when that is exactly "as if it never asked": when no
/// later reservation was made on top of it.
struct Rollback<'a> {
    state: &'a Mutex<State>,
    reservation: Reservation,
    armed: bool,
}

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut state = lock(self.state);
        if state.full_at == self.reservation.full_at {
            state.full_at = self.reservation.previous_full_at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;

    const MS: Duration = Duration::from_millis(1);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// A tier's limiter without the reserve, so waits are exactly the refill times.
    fn exact(tier: Tier) -> RateLimiter {
        RateLimiter::from(tier).with_reserve(Duration::ZERO)
    }

    /// `actual` is no earlier than `expected` (the rate is never exceeded) and at most one timer
    /// tick later.
    #[track_caller]
    fn assert_at(actual: Duration, expected: Duration) {
        assert!(
            actual >= expected && actual <= expected + MS,
            "expected {expected:?}, got {actual:?}"
        );
    }

    #[test]
    fn the_largest_costs_at_the_slowest_rate_keep_the_debt_bounded() {
        let now = Instant::now();
        let slowest = BucketConfig {
            refill_per_sec: 0,
            capacity: u32::MAX,
        };
        let mut state = State::new(slowest, now);
        for _ in 0..1000 {
            let r = state.reserve(u32::MAX, now);
            assert!(r.full_at <= now + MAX_DEBT);
            assert!(r.ready_at <= r.full_at);
        }
        assert_eq!(state.full_at, now + MAX_DEBT);
    }

    #[test]
    fn tiers_have_the_published_rates() {
        let table = [
            (Tier::Basic, 200, 100),
            (Tier::Advanced, 300, 300),
            (Tier::Premier, 1000, 1000),
            (Tier::Paragon, 2000, 2000),
            (Tier::Prime, 4000, 4000),
        ];
        for (tier, read, write) in table {
            assert_eq!(tier.read(), BucketConfig::per_second(read), "{tier:?}");
            assert_eq!(tier.write(), BucketConfig::per_second(write), "{tier:?}");
            assert_eq!(
                tier.write().capacity,
                write,
                "{tier:?}: one second of tokens"
            );
        }
    }

    #[test]
    fn costs_per_request_and_per_item() {
        assert_eq!(Cost::default().tokens(0), 10);
        assert_eq!(Cost::PerRequest(2).tokens(50), 2);
        assert_eq!(Cost::PerItem(10).tokens(20), 200);
        assert_eq!(Cost::PerItem(2).tokens(0), 0);
        assert_eq!(Cost::PerItem(u32::MAX).tokens(2), u32::MAX);
        assert_eq!(Cost::PerItem(10).tokens(usize::MAX), u32::MAX);
    }

    #[test]
    fn get_reads_and_everything_else_writes() {
        assert_eq!(Bucket::for_method(&Method::GET), Bucket::Read);
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(Bucket::for_method(&method), Bucket::Write, "{method}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_runs_at_the_refill_rate_after_the_capacity() {
        // Basic write: 100 tokens per second, 100 in the bucket.
        let limiter = exact(Tier::Basic);
        let start = Instant::now();
        let mut done = Vec::new();
        for _ in 0..50 {
            limiter.acquire(Bucket::Write, 10).await;
            done.push(start.elapsed());
        }
        // The first ten spend the full bucket at once; the other 40 come one per 100 ms.
        assert!(done[..10].iter().all(Duration::is_zero), "{done:?}");
        for (i, at) in done[10..].iter().enumerate() {
            assert_at(*at, ms(100 * (i as u64 + 1)));
        }
        assert_at(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_refills_up_to_its_capacity_only() {
        let limiter = exact(Tier::Basic);
        limiter.acquire(Bucket::Write, 100).await;
        // Half a second refills half the bucket.
        tokio::time::sleep(ms(500)).await;
        let start = Instant::now();
        limiter.acquire(Bucket::Write, 50).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(100));
        // A long idle time refills no more than the capacity.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        limiter.acquire(Bucket::Write, 100).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(100));
    }

    /// A perps operation (bucket set `perps`) draws from its own pair: an empty main write
    /// bucket does not delay it, and its own budget is the one `with_buckets` gave.
    #[tokio::test(start_paused = true)]
    async fn a_bucket_set_draws_from_its_own_buckets() {
        let perps = BucketConfig::per_second(50);
        let limiter = exact(Tier::Basic).with_buckets("perps", perps, perps);
        let mut margin_order = info(Method::POST, "/margin/orders", Cost::PerRequest(10));
        margin_order.buckets = Some("perps");
        let start = Instant::now();
        limiter.acquire(Bucket::Write, 100).await;
        for _ in 0..5 {
            limiter.acquire_for(&margin_order, 1).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "50 perps tokens at once");
        limiter.acquire_for(&margin_order, 1).await;
        assert_at(start.elapsed(), ms(200));
        // A set never configured starts as a full copy of the main pair.
        let mut other = margin_order.clone();
        other.buckets = Some("other");
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire_for(&other, 1).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(
            limiter.config_of("other", Bucket::Write),
            Some(Tier::Basic.write())
        );
        assert_eq!(limiter.config_of("perps", Bucket::Read), Some(perps));
        assert_eq!(limiter.config_of("absent", Bucket::Read), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_buckets_are_independent() {
        let limiter = exact(Tier::Basic);
        let start = Instant::now();
        limiter.acquire(Bucket::Write, 100).await;
        // The write bucket is empty; the read bucket is untouched.
        limiter.acquire(Bucket::Read, 200).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        // Each now refills at its own rate: 200/s for reads, 100/s for writes.
        limiter.acquire(Bucket::Read, 20).await;
        assert_at(start.elapsed(), ms(100));
        limiter.acquire(Bucket::Write, 20).await;
        assert_at(start.elapsed(), ms(200));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_finish_in_request_order() {
        let limiter =
            RateLimiter::new(BucketConfig::per_second(100), BucketConfig::per_second(100))
                .with_reserve(Duration::ZERO);
        limiter.acquire(Bucket::Write, 100).await;
        let start = Instant::now();
        // Mixed costs, one above the capacity: small requests must not overtake large ones.
        let costs = [
            10, 2, 150, 2, 10, 30, 2, 2, 100, 5, 2, 40, 2, 10, 10, 3, 250, 2, 7, 2,
        ];
        let requested = Arc::new(StdMutex::new(Vec::new()));
        let completed = Arc::new(StdMutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, cost) in costs.into_iter().enumerate() {
            let (limiter, requested, completed) =
                (limiter.clone(), requested.clone(), completed.clone());
            tasks.push(tokio::spawn(async move {
                // No await between recording the request and reserving: on this single-threaded
                // runtime the two happen together.
                requested.lock().unwrap().push(i);
                limiter.acquire(Bucket::Write, cost).await;
                completed.lock().unwrap().push(i);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let requested = requested.lock().unwrap().clone();
        assert_eq!(requested.len(), costs.len());
        assert_eq!(*completed.lock().unwrap(), requested);
        // From an empty bucket, the last caller goes once every token asked for has refilled.
        let total: u32 = costs.iter().sum();
        assert_at(start.elapsed(), ms(u64::from(total) * 10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cost_above_capacity_completes_and_leaves_debt() {
        let limiter = exact(Tier::Basic);
        let start = Instant::now();
        // A full bucket lets it go at once...
        limiter.acquire(Bucket::Write, 250).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        // ...and the next caller waits for the 150-token debt and its own 10 tokens.
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(1600));

        // From an empty bucket it waits until the bucket is full (one second).
        let start = Instant::now();
        limiter.acquire(Bucket::Write, 250).await;
        assert_at(start.elapsed(), ms(1000));
        // Saturated costs still complete.
        let limiter = RateLimiter::new(
            BucketConfig::per_second(4000),
            BucketConfig::per_second(4000),
        )
        .with_reserve(Duration::ZERO);
        limiter.acquire(Bucket::Read, u32::MAX).await;
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_the_buckets() {
        let limiter = exact(Tier::Basic);
        let clone = limiter.clone();
        let start = Instant::now();
        clone.acquire(Bucket::Write, 100).await;
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(100));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_tokens_return_at_once_and_a_zero_rate_still_refills() {
        let limiter = RateLimiter::new(
            BucketConfig {
                refill_per_sec: 0,
                capacity: 0,
            },
            Tier::Basic.write(),
        )
        .with_reserve(Duration::ZERO);
        assert_eq!(limiter.config(Bucket::Read).refill_per_sec, 1);
        let start = Instant::now();
        limiter.acquire(Bucket::Read, 0).await;
        limiter.acquire(Bucket::Read, 1).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire(Bucket::Read, 2).await;
        assert_at(start.elapsed(), ms(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_last_waiter_gives_its_tokens_back() {
        let limiter = exact(Tier::Basic);
        limiter.acquire(Bucket::Write, 100).await;
        let start = Instant::now();
        let waited = tokio::time::timeout(ms(50), limiter.acquire(Bucket::Write, 50)).await;
        assert!(waited.is_err(), "50 tokens take 500 ms");
        // As if the cancelled caller never asked: 10 tokens refill 100 ms after the drain.
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_waiter_with_callers_behind_keeps_its_tokens_spent() {
        let limiter = exact(Tier::Basic);
        limiter.acquire(Bucket::Write, 100).await;
        let start = Instant::now();
        let mut first = Box::pin(limiter.acquire(Bucket::Write, 50));
        // One poll reserves 500 ms of tokens.
        assert!(tokio::time::timeout(Duration::ZERO, first.as_mut())
            .await
            .is_err());
        let behind = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter.acquire(Bucket::Write, 10).await;
                start.elapsed()
            })
        };
        tokio::task::yield_now().await;
        drop(first);
        // The caller behind keeps its place (600 ms), and so does everyone after it.
        assert_at(behind.await.unwrap(), ms(600));
        limiter.acquire(Bucket::Write, 10).await;
        assert_at(start.elapsed(), ms(700));
    }

    #[test]
    fn reservations_round_towards_waiting_longer() {
        let now = Instant::now();
        // 3 tokens per second: one token takes 333_333_333.3 ns.
        let mut state = State::new(
            BucketConfig {
                refill_per_sec: 3,
                capacity: 3,
            },
            now,
        );
        state.reserve = Duration::ZERO;
        let r = state.reserve(3, now);
        assert_eq!(r.ready_at, now);
        assert_eq!(r.full_at, now + Duration::from_nanos(1_000_000_000));
        let r = state.reserve(1, now);
        assert_eq!(r.full_at, now + Duration::from_nanos(1_333_333_334));
        // Ready once one token is back: when the bucket would be full, minus two tokens' time
        // rounded down.
        assert_eq!(
            r.ready_at,
            now + Duration::from_nanos(1_000_000_000 - 666_666_666)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_reserve_lowers_the_burst_but_not_the_sustained_rate() {
        // Basic write, 100 tokens per second; 100 ms of reserve holds back 10 tokens.
        let limiter = RateLimiter::from(Tier::Basic);
        let start = Instant::now();
        let mut done = Vec::new();
        for _ in 0..20 {
            limiter.acquire(Bucket::Write, 10).await;
            done.push(start.elapsed());
        }
        // Nine go at once, then one every 100 ms.
        assert!(done[..9].iter().all(Duration::is_zero), "{done:?}");
        for (i, at) in done[9..].iter().enumerate() {
            assert_at(*at, ms(100 * (i as u64 + 1)));
        }
    }

    fn info(method: Method, path: &'static str, cost: Cost) -> OperationInfo {
        OperationInfo {
            id: "Op",
            method,
            path,
            auth: crate::operation::Auth::None,
            bearer: false,
            cost,
            buckets: None,
        }
    }

    #[test]
    fn a_cost_table_overrides_the_spec_by_route() {
        let table = CostTable::new(12)
            .route(Method::GET, "/trade-api/v2/portfolio/orders/:order_id", 3)
            .route(Method::DELETE, "/portfolio/events/orders/batched", 4)
            .route(Method::DELETE, "/portfolio/events/orders/batched", 5);
        let get_order = info(
            Method::GET,
            "/portfolio/orders/{order_id}",
            Cost::PerRequest(2),
        );
        assert_eq!(table.cost(&get_order), Cost::PerRequest(3));
        // Same path, other method: the default.
        let other = info(
            Method::DELETE,
            "/portfolio/orders/{order_id}",
            Cost::PerRequest(2),
        );
        assert_eq!(table.cost(&other), Cost::PerRequest(12));
        // A per-item operation stays per item; the last entry for a route wins.
        let batch = info(
            Method::DELETE,
            "/portfolio/events/orders/batched",
            Cost::PerItem(2),
        );
        assert_eq!(table.cost(&batch), Cost::PerItem(5));
        let create = info(
            Method::POST,
            "/portfolio/events/orders/batched",
            Cost::PerItem(10),
        );
        assert_eq!(table.cost(&create), Cost::PerItem(12));
        // Parameters match parameters only, and lengths must agree.
        let list = info(Method::GET, "/portfolio/orders", Cost::DEFAULT);
        assert_eq!(table.cost(&list), Cost::PerRequest(12));
        let limiter = RateLimiter::from(Tier::Basic).with_costs(table);
        assert_eq!(limiter.tokens(&batch, 20), 100);
        assert_eq!(RateLimiter::from(Tier::Basic).tokens(&batch, 20), 40);
    }
}
