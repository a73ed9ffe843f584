//! Perps through the generated client against the test exchange over real HTTP: a margin order's
//! life cycle and a fill's exact effect on positions and balances, fills and trades read through
//! the pagination stream, the perps limiter at the account's budget, a bearer-token client refused
//! before sending, subaccounts and transfers, and the `perps_order_roundtrip` example.

mod common;

#[path = "../examples/perps_order_roundtrip.rs"]
#[allow(dead_code)]
mod roundtrip_example;

use common::{ed25519_key, ed25519_pkcs8_pem, ed25519_public};
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::pagination::TryStreamExt;
use kalshi_api::perps::{ops, types};
use kalshi_api::ratelimit::{BucketConfig, RateLimiter, Tier};
use kalshi_api::{Client, Environment, Error, PrivateKey};
use kalshi_test_exchange::{Bucket, Config, Method, RecordedRequest, TestExchange};
use std::collections::HashSet;
use std::time::Duration;

const BTC: &str = "KXBTCPERP";

/// A running exchange accepting one fresh Ed25519 key for any key id (each id is an account), and
/// that key's PEM, for the clients.
struct Venue {
    exchange: TestExchange,
    pem: String,
}

impl Venue {
    async fn start(config: Config) -> Self {
        let key = ed25519_key();
        let exchange = TestExchange::start(config.key_for_any_id(ed25519_public(&key)))
            .await
            .unwrap();
        Venue {
            exchange,
            pem: ed25519_pkcs8_pem(&key),
        }
    }

    /// A builder for a client of the exchange, no proxy, with no credentials yet.
    fn builder(&self) -> kalshi_api::ClientBuilder {
        Client::builder(Environment::Custom(self.exchange.base_url()))
            .http_client(reqwest::Client::builder().no_proxy().build().unwrap())
    }

    /// A builder signing as the account `key_id`.
    fn account(&self, key_id: &str) -> kalshi_api::ClientBuilder {
        self.builder()
            .credentials(key_id, PrivateKey::from_pem(&self.pem).unwrap())
    }

    /// The recorded requests to `path` (relative to the prefix).
    fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        let full = format!("/trade-api/v2{path}");
        let all = self.exchange.requests();
        all.into_iter().filter(|r| r.path == full).collect()
    }
}

fn dollars(text: &str) -> FixedPointDollars {
    text.parse().unwrap()
}

fn count(text: &str) -> FixedPointCount {
    text.parse().unwrap()
}

/// An amount in millionths of a dollar (a price's centi-cents times a count's hundredths), as an
/// exact decimal.
fn micros(amount: i64) -> FixedPointDollars {
    FixedPointDollars::new(amount, 6)
}

/// A `BTC` order from `client_order_id`'s account.
fn order(
    client_order_id: &str,
    side: types::BookSide,
    price: &str,
    contracts: &str,
    tif: types::CreateMarginOrderRequestTimeInForce,
) -> ops::CreateMarginOrder {
    ops::CreateMarginOrder::new(types::CreateMarginOrderRequest::new(
        BTC,
        client_order_id,
        side,
        count(contracts),
        dollars(price),
        tif,
        types::SelfTradePreventionType::TakerAtCross,
    ))
}

fn gtc() -> types::CreateMarginOrderRequestTimeInForce {
    types::CreateMarginOrderRequestTimeInForce::GoodTillCanceled
}

fn ioc() -> types::CreateMarginOrderRequestTimeInForce {
    types::CreateMarginOrderRequestTimeInForce::ImmediateOrCancel
}

/// The one subaccount balance of `client` and its settled funds.
async fn balance(client: &Client) -> (types::MarginSubaccountBalance, FixedPointDollars) {
    let mut answer = client
        .perps()
        .get_margin_balance(ops::GetMarginBalance::new())
        .await
        .unwrap();
    assert_eq!(answer.subaccount_balances.len(), 1);
    (answer.subaccount_balances.remove(0), answer.settled_funds)
}

/// `client`'s one position in `BTC`.
async fn btc_position(client: &Client) -> types::MarginPosition {
    let positions = client
        .perps()
        .get_margin_positions(ops::GetMarginPositions::new())
        .await
        .unwrap()
        .positions;
    let mut mine: Vec<_> = positions
        .into_iter()
        .filter(|p| p.market_ticker == BTC)
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    mine.remove(0)
}

/// The best bid and ask of `BTC`, in centi-cents, read through `GetMarginMarketOrderbook`.
async fn best_prices(client: &Client) -> (i64, i64) {
    let book = client
        .perps()
        .get_margin_market_orderbook(ops::GetMarginMarketOrderbook::new(BTC))
        .await
        .unwrap()
        .orderbook;
    let centi =
        |level: &types::PriceLevelDollarsCountFp| dollars(&level.0).to_centi_cents().unwrap();
    (centi(&book.bids[0]), centi(&book.asks[0]))
}

// ---------------------------------------------------------------------------------------------
// An order's life cycle

#[tokio::test]
async fn a_margin_order_lives_through_create_amend_decrease_and_cancel() {
    let venue = Venue::start(Config::new()).await;
    let client = venue.account("trader").build().unwrap();
    let perps = client.perps();
    // A bid well under the best bid (94.99): it rests.
    let create = order("life-1", types::BookSide::Bid, "90.0000", "10", gtc());
    let created = perps.create_margin_order(create).await.unwrap();
    assert_eq!(created.fill_count, count("0"));
    assert_eq!(created.remaining_count, count("10"));
    let id = created.order_id.clone();
    let read = perps.get_margin_order(ops::GetMarginOrder::new(id.as_str()));
    let read = read.await.unwrap().order;
    assert_eq!(
        (read.price, read.side),
        (dollars("90.0000"), types::BookSide::Bid)
    );
    assert_eq!(read.client_order_id, "life-1");
    // It reserves 10% of its notional: $90 x 10 x 10% = $90.
    assert_eq!(
        balance(&client).await.0.resting_orders_margin,
        dollars("90")
    );

    let amend = types::AmendMarginOrderRequest::new(
        BTC,
        types::BookSide::Bid,
        dollars("90.5000"),
        count("12"),
    );
    let amended = perps
        .amend_margin_order(ops::AmendMarginOrder::new(id.as_str(), amend))
        .await
        .unwrap();
    assert_eq!(amended.remaining_count, Some(count("12")));
    let (bids, _) = venue.exchange.margin_order_book(BTC).unwrap();
    assert!(
        bids.contains(&("90.5000".into(), "12.00".into())),
        "{bids:?}"
    );
    assert!(!bids.iter().any(|(p, _)| p == "90.0000"), "{bids:?}");

    let decrease = types::DecreaseMarginOrderRequest::default().reduce_by(count("5"));
    let decreased = perps
        .decrease_margin_order(ops::DecreaseMarginOrder::new(id.as_str(), decrease))
        .await
        .unwrap();
    assert_eq!(decreased.remaining_count, count("7"));
    let read = perps.get_margin_order(ops::GetMarginOrder::new(id.as_str()));
    let read = read.await.unwrap().order;
    assert_eq!(read.last_update_reason, types::LastUpdateReason::Decrease);
    assert_eq!(read.price, dollars("90.5000"));
    // $90.50 x 7 x 10%.
    assert_eq!(
        balance(&client).await.0.resting_orders_margin,
        dollars("63.35")
    );

    let canceled = perps
        .cancel_margin_order(ops::CancelMarginOrder::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!((&canceled.order_id, canceled.reduced_by), (&id, count("7")));
    let again = perps
        .cancel_margin_order(ops::CancelMarginOrder::new(id.as_str()))
        .await
        .unwrap_err();
    assert_eq!(again.status().map(|s| s.as_u16()), Some(409), "{again}");
    let (bids, _) = venue.exchange.margin_order_book(BTC).unwrap();
    assert!(!bids.iter().any(|(p, _)| p == "90.5000"), "{bids:?}");
    let listed = perps
        .get_margin_orders(ops::GetMarginOrders::new().status("canceled"))
        .await
        .unwrap()
        .orders;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (&listed[0].order_id, listed[0].remaining_count),
        (&id, count("0"))
    );
    assert_eq!(balance(&client).await.0.resting_orders_margin, dollars("0"));
}

/// What the balance of an account holding `position` contracts (signed, hundredths) entered at
/// `entry` (centi-cents) should read at `mark` (centi-cents), by the exchange's margin rules:
/// initial margin 10% and maintenance 5% of the notional at the mark, equity the settled funds
/// plus the unrealized profit, available the equity less initial and resting-order margin.
fn expected_balance(
    settled: FixedPointDollars,
    position: i64,
    entry: i64,
    mark: i64,
    resting: FixedPointDollars,
) -> [(&'static str, FixedPointDollars); 5] {
    let notional = (mark * position).abs();
    let equity = settled + micros((mark - entry) * position);
    let initial = micros(notional / 10);
    [
        ("position_value", micros(mark * position)),
        ("initial_margin", initial),
        ("maintenance_margin", micros(notional / 20)),
        ("account_equity", equity),
        ("available_balance", equity - initial - resting),
    ]
}

/// The fields [`expected_balance`] names, as read.
fn read_balance(b: &types::MarginSubaccountBalance) -> [(&'static str, FixedPointDollars); 5] {
    [
        ("position_value", b.position_value),
        ("initial_margin", b.initial_margin),
        ("maintenance_margin", b.maintenance_margin),
        ("account_equity", b.account_equity),
        ("available_balance", b.available_balance),
    ]
}

#[tokio::test]
async fn a_fill_moves_positions_and_balances_by_exactly_what_it_implies() {
    let venue = Venue::start(Config::new()).await;
    let maker = venue.account("maker").build().unwrap();
    let taker = venue.account("taker").build().unwrap();
    let (_, maker_funds) = balance(&maker).await;
    let (_, taker_funds) = balance(&taker).await;
    // The maker rests an ask inside the spread; the taker buys 4 through it.
    let ask = order("mk-1", types::BookSide::Ask, "95.0000", "10", gtc());
    let resting = maker.perps().create_margin_order(ask).await.unwrap();
    let bid = order("tk-1", types::BookSide::Bid, "95.0100", "4", ioc());
    let taken = taker.perps().create_margin_order(bid).await.unwrap();
    assert_eq!(
        (taken.fill_count, taken.remaining_count),
        (count("4"), count("0"))
    );
    assert_eq!(taken.average_fill_price, Some(dollars("95.0000")));

    // The fill as the taker's fills list it: 4 at the resting price, 5 bps of $380 in fees.
    let fills = taker
        .perps()
        .get_margin_fills(ops::GetMarginFills::new())
        .await
        .unwrap()
        .fills;
    assert_eq!(fills.len(), 1, "{fills:?}");
    let fill = &fills[0];
    assert!(fill.is_taker && fill.side == types::BookSide::Bid);
    let (price, size) = (dollars(&fill.price), fill.count);
    let notional = price.to_centi_cents().unwrap() * size.to_hundredths().unwrap();
    let fee = micros(notional * 5 / 10_000);
    assert_eq!(
        (price, size, dollars(&fill.fees)),
        (dollars("95"), count("4"), fee)
    );
    let maker_fill = maker
        .perps()
        .get_margin_fills(ops::GetMarginFills::new())
        .await
        .unwrap()
        .fills
        .remove(0);
    assert_eq!(
        (maker_fill.order_id, maker_fill.count),
        (resting.order_id, size)
    );
    assert!(!maker_fill.is_taker && dollars(&maker_fill.fees).is_zero());

    // Positions: +4 and -4 entered at the fill price.
    let (long, short) = (btc_position(&taker).await, btc_position(&maker).await);
    assert_eq!((long.position, long.entry_price), (size, price));
    assert_eq!((short.position, short.entry_price), (-size, price));
    assert_eq!((long.fees, short.fees), (fee, dollars("0")));

    // Balances: the taker's settled funds lose the fee, the maker's do not move; the rest follows
    // from the positions valued at the mark (the book's mid) and the maker's 6 still resting.
    let (bid, ask) = best_prices(&taker).await;
    let mark = (bid + ask) / 2;
    let entry = price.to_centi_cents().unwrap();
    let hundredths = size.to_hundredths().unwrap();
    let (taker_balance, taker_after) = balance(&taker).await;
    assert_eq!(taker_after, taker_funds - fee);
    assert_eq!(taker_after, dollars("9999.81"));
    let expected = expected_balance(taker_after, hundredths, entry, mark, dollars("0"));
    assert_eq!(read_balance(&taker_balance), expected);
    let (maker_balance, maker_after) = balance(&maker).await;
    assert_eq!(maker_after, maker_funds);
    let maker_resting = micros(entry * 600 / 10);
    assert_eq!(maker_balance.resting_orders_margin, maker_resting);
    let expected = expected_balance(maker_after, -hundredths, entry, mark, maker_resting);
    assert_eq!(read_balance(&maker_balance), expected);
    assert_eq!(long.unrealized_pnl, micros((mark - entry) * hundredths));
    println!(
        "1 fill of {size} at {price}: fee {fee}, mark {}, taker available {}",
        FixedPointDollars::from_centi_cents(mark),
        taker_balance.available_balance
    );
}

// ---------------------------------------------------------------------------------------------
// Pagination

/// Places `n` one-contract IOC bids from `taker` against an ask of `n` the maker rests; returns
/// the taker's order ids, oldest first.
async fn trade_n_times(maker: &Client, taker: &Client, n: usize) -> Vec<kalshi_api::OrderId> {
    let ask = order(
        "liq",
        types::BookSide::Ask,
        "95.0000",
        &n.to_string(),
        gtc(),
    );
    maker.perps().create_margin_order(ask).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let bid = order(
            &format!("t{i}"),
            types::BookSide::Bid,
            "95.0000",
            "1",
            ioc(),
        );
        let taken = taker.perps().create_margin_order(bid).await.unwrap();
        assert_eq!(taken.fill_count, count("1"), "order {i}");
        ids.push(taken.order_id);
    }
    ids
}

#[tokio::test]
async fn fills_and_trades_stream_across_pages_each_once_newest_first() {
    let venue = Venue::start(Config::new()).await;
    let maker = venue.account("maker").build().unwrap();
    let taker = venue.account("taker").build().unwrap();
    let n = 25;
    let placed = trade_n_times(&maker, &taker, n).await;

    venue.exchange.clear_requests();
    let mut stream = taker.paginate(ops::GetMarginFills::new().limit(10)).items();
    let mut fills = Vec::new();
    while let Some(fill) = stream.try_next().await.unwrap() {
        fills.push(fill);
    }
    let pages = venue.requests_to("/margin/fills");
    assert_eq!(
        (fills.len(), pages.len()),
        (n, 3),
        "25 fills in pages of 10"
    );
    let ids: HashSet<&str> = fills.iter().map(|f| f.fill_id.as_str()).collect();
    assert_eq!(ids.len(), n, "a fill came twice");
    // Newest first: the taker's orders in reverse.
    let order_ids: Vec<_> = fills.iter().map(|f| f.order_id.clone()).collect();
    let newest_first: Vec<_> = placed.iter().rev().cloned().collect();
    assert_eq!(order_ids, newest_first);
    let query = |r: &RecordedRequest| r.query.clone().unwrap_or_default();
    assert!(pages.iter().all(|r| query(r).contains("limit=10")));
    assert_eq!(
        pages
            .iter()
            .map(|r| query(r).contains("cursor="))
            .collect::<Vec<_>>(),
        [false, true, true]
    );

    // The maker's side of the same trades, in pages of 7.
    let maker_fills = maker
        .paginate(ops::GetMarginFills::new().limit(7))
        .collect_items()
        .await
        .unwrap();
    let maker_ids: Vec<&str> = maker_fills.iter().map(|f| f.fill_id.as_str()).collect();
    let taker_ids: Vec<&str> = fills.iter().map(|f| f.fill_id.as_str()).collect();
    assert_eq!(maker_ids, taker_ids, "one trade, two sides, same order");

    // The public trades: the same 25, newest first.
    venue.exchange.clear_requests();
    let trades = maker
        .paginate(ops::GetMarginTrades::new(BTC).limit(10))
        .collect_items()
        .await
        .unwrap();
    let trade_ids: Vec<&str> = trades.iter().map(|t| t.trade_id.as_str()).collect();
    assert_eq!(trade_ids, taker_ids);
    assert_eq!(venue.requests_to("/margin/trades").len(), 3);
    println!("{n} fills and {n} trades in pages of 10 (3 pages each), maker fills in pages of 7");
}

// ---------------------------------------------------------------------------------------------
// Rate limits

/// Kalshi's basic perps tier (200 read and 100 write tokens a second, one second's capacity),
/// which the exchange enforces on the margin routes and reports at `GET /account/limits/perps`.
fn basic_perps() -> (Bucket, Bucket) {
    let bucket = |rate| Bucket {
        refill_per_sec: rate,
        capacity: rate,
    };
    (bucket(200), bucket(100))
}

/// Sends `reads` fills reads and `writes` far-from-market bids, each from a task of its own, all
/// at once.
async fn perps_burst(client: &Client, reads: usize, writes: usize) {
    let tasks: Vec<_> = (0..reads + writes)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                // 429s are counted from the exchange's records.
                if i < reads {
                    let _ = client
                        .perps()
                        .get_margin_fills(ops::GetMarginFills::new())
                        .await;
                } else {
                    let id = format!("burst-{i}");
                    let bid = order(&id, types::BookSide::Bid, "50.0000", "1", gtc());
                    let _ = client.perps().create_margin_order(bid).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// The limiter's bucket for one side of `GetAccountApiLimitsResponse`.
fn bucket_config(limit: &types::BucketLimit) -> BucketConfig {
    BucketConfig {
        refill_per_sec: u32::try_from(limit.refill_rate).unwrap(),
        capacity: u32::try_from(limit.bucket_capacity).unwrap(),
    }
}

fn refused(exchange: &TestExchange) -> usize {
    let requests = exchange.requests();
    requests.iter().filter(|r| r.status == 429).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_perps_limiter_at_the_accounts_budget_meets_no_429() {
    let (read, write) = basic_perps();
    let venue = Venue::start(Config::new().perps_rate_limit(read, write)).await;
    // 60 reads of 10 tokens (600 against 200 a second) and 20 writes of 10 (200 against 100).
    let (reads, writes) = (60, 20);

    // The documented path: read the account's perps limits and give the limiter's `perps` set
    // those buckets. The main buckets are Premier's (1,000 a second): a `perps` set copied from
    // them, as it is until configured, would let the burst meet 429s.
    let client = venue
        .account("burst")
        .rate_limiter(RateLimiter::from(Tier::Premier))
        .build()
        .unwrap();
    let limits = client
        .perps()
        .get_perps_account_api_limits(ops::GetPerpsAccountApiLimits::new())
        .await
        .unwrap();
    let (perps_read, perps_write) = (bucket_config(&limits.read), bucket_config(&limits.write));
    // `with_buckets` applies to every clone of the limiter, the client's included.
    let limiter = client.rate_limiter().unwrap().clone();
    let _ = limiter.with_buckets("perps", perps_read, perps_write);
    let set = client.rate_limiter().unwrap();
    assert_eq!(
        set.config_of("perps", kalshi_api::ratelimit::Bucket::Read),
        Some(perps_read)
    );

    // Control: without a limiter the exchange refuses part of the burst.
    let unlimited = venue.account("burst").build().unwrap();
    perps_burst(&unlimited, reads, writes).await;
    let control = refused(&venue.exchange);
    println!(
        "without a limiter: {control} of {} answered 429",
        reads + writes
    );
    assert!(control > 0, "the exchange's perps buckets refused nothing");
    // Let the exchange's buckets refill (the client's are full: it has not sent since).
    tokio::time::sleep(Duration::from_millis(1100)).await;

    venue.exchange.clear_requests();
    let start = std::time::Instant::now();
    perps_burst(&client, reads, writes).await;
    let elapsed = start.elapsed();
    let requests = venue.exchange.requests();
    let seen = refused(&venue.exchange);
    println!(
        "{reads} reads and {writes} writes at the account's budget ({} read, {} write tokens/s): \
         {} sent, {seen} answered 429, in {elapsed:.2?}",
        perps_read.refill_per_sec,
        perps_write.refill_per_sec,
        requests.len()
    );
    assert_eq!(requests.len(), reads + writes);
    assert_eq!(seen, 0, "the limiter let a request meet a 429");
    // They waited: 600 read tokens from a bucket of 200 refilling at 200 a second take 2 s.
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Bearer tokens

#[tokio::test]
async fn a_bearer_client_is_refused_a_key_only_operation_before_sending_anything() {
    let token = "tok-perps-exchange";
    let venue = Venue::start(Config::new().bearer_token(token, "partner")).await;
    let client = venue.builder().bearer_token(token).build().unwrap();

    let balance = client
        .perps()
        .get_margin_balance(ops::GetMarginBalance::new())
        .await
        .unwrap_err();
    let bid = order("bearer-1", types::BookSide::Bid, "90.0000", "1", gtc());
    let create = client.perps().create_margin_order(bid).await.unwrap_err();
    for err in [&balance, &create] {
        assert!(matches!(err, Error::BearerNotAccepted { .. }), "{err:?}");
    }
    assert!(
        venue.exchange.requests().is_empty(),
        "the exchange saw {:?}",
        venue.exchange.requests()
    );

    // The same client reaches the exchange where the spec accepts its token.
    let fills = client
        .perps()
        .get_margin_fills(ops::GetMarginFills::new())
        .await
        .unwrap();
    assert!(fills.fills.is_empty());
    let seen = venue.exchange.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert!(seen[0].header("kalshi-access-signature").is_none());
}

// ---------------------------------------------------------------------------------------------
// Subaccounts and transfers

#[tokio::test]
async fn funds_move_between_subaccounts_and_from_the_event_contract_exchange() {
    let venue = Venue::start(Config::new()).await;
    let client = venue.account("funds").build().unwrap();
    let perps = client.perps();
    let opened = perps
        .create_margin_subaccount(ops::CreateMarginSubaccount::new())
        .await
        .unwrap();
    assert_eq!(opened.subaccount_number, 1);
    // $25 to subaccount 1, sent twice with one client_transfer_id: applied once.
    let id = uuid::Uuid::from_u128(0x5d9e_3a40_0000_4000_8000_0000_0000_0001);
    let transfer = types::ApplySubaccountTransferRequest::new(id, 0, 1, 2500);
    for _ in 0..2 {
        let op = ops::ApplyMarginSubaccountTransfer::new(transfer.clone());
        perps.apply_margin_subaccount_transfer(op).await.unwrap();
    }
    // $100 (1,000,000 centi-cents) in from the event-contract balance, through the perps type of
    // the operation both specs list.
    let before = client.get_balance(kalshi_api::ops::GetBalance::new());
    let before = before.await.unwrap().balance;
    let intra = types::IntraExchangeInstanceTransferRequest::new(
        types::ExchangeInstance::EventContract,
        types::ExchangeInstance::Margined,
        1_000_000,
    );
    let op = ops::IntraExchangeInstanceTransfer::new(intra);
    let moved = perps.intra_exchange_instance_transfer(op).await.unwrap();
    assert!(!moved.transfer_id.is_empty());
    let after = client.get_balance(kalshi_api::ops::GetBalance::new());
    assert_eq!(after.await.unwrap().balance, before - 10_000, "cents");

    let answer = perps
        .get_margin_balance(ops::GetMarginBalance::new())
        .await
        .unwrap();
    let funds: Vec<(i64, FixedPointDollars)> = answer
        .subaccount_balances
        .iter()
        .map(|b| (b.subaccount, b.available_balance))
        .collect();
    assert_eq!(funds, [(0, dollars("10075")), (1, dollars("25"))]);
    assert_eq!(answer.settled_funds, dollars("10100"));
}

// ---------------------------------------------------------------------------------------------
// The example

#[tokio::test]
async fn the_perps_order_roundtrip_example_creates_amends_decreases_and_cancels() {
    let venue = Venue::start(Config::new()).await;
    let client = venue.account("example").build().unwrap();
    let mut out = Vec::new();
    let trip = roundtrip_example::run(&client, None, &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    let calls: Vec<(Method, String)> = venue
        .exchange
        .requests()
        .into_iter()
        .filter(|r| r.method != Method::GET)
        .map(|r| (r.method, r.path.replace(trip.order_id.as_str(), "{id}")))
        .collect();
    let path = |p: &str| format!("/trade-api/v2/margin/orders{p}");
    assert_eq!(
        calls,
        [
            (Method::POST, path("")),
            (Method::POST, path("/{id}/amend")),
            (Method::POST, path("/{id}/decrease")),
            (Method::DELETE, path("/{id}")),
        ],
        "{out}"
    );
    // The first listed market; a bid 10% under its best bid (94.99), on the tick.
    assert_eq!(trip.ticker, BTC);
    assert_eq!(trip.price, dollars("85.49"), "{out}");
    assert!(trip.price < dollars("94.99"));
    let order = client
        .perps()
        .get_margin_order(ops::GetMarginOrder::new(trip.order_id.as_str()))
        .await
        .unwrap()
        .order;
    assert_eq!(order.remaining_count, count("0"), "{out}");
    assert_eq!(order.fill_count, count("0"), "it never traded: {out}");
    for step in ["placed", "amended", "decreased", "canceled"] {
        assert!(out.contains(step), "{step}: {out}");
    }
    // The guard main runs first.
    let production = Client::new(Environment::Production);
    assert!(roundtrip_example::refuse_production(&production).is_err());
    assert!(roundtrip_example::refuse_production(&client).is_ok());
}
