//! `kalshi replay DIR --plot TICKER --out FILE.svg`: a market's best YES bid and ask over time,
//! from the books the replay rebuilds, and its trades as points.

use crate::{progress, Failure};
use kalshi_api::record::Replay;
use kalshi_api::ws::{BookKeeper, Event, ServerMessage, Side};
use plotters::prelude::*;
use std::path::Path;

/// What is drawn: seconds since the recording's start against a price in dollars.
#[derive(Debug, Default)]
struct Series {
    bids: Vec<(f64, f64)>,
    asks: Vec<(f64, f64)>,
    trades: Vec<(f64, f64)>,
}

/// Replays the recording and gathers the market's tops and trades.
fn gather(dir: &Path, ticker: &str) -> Result<Series, Failure> {
    let replay = Replay::<ServerMessage>::open(dir)?;
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let mut series = Series::default();
    let mut out = Vec::new();
    let mut start = None;
    for replayed in replay {
        let t = (replayed.wall_ns - *start.get_or_insert(replayed.wall_ns)) as f64 / 1e9;
        if let Event::Message(r) = &replayed.event {
            if let ServerMessage::Trade(trade) = &r.message {
                if trade.market_ticker == ticker {
                    series
                        .trades
                        .push((t, dollars(&trade.yes_price_dollars.to_string())));
                }
            }
        }
        keeper.handle(replayed.event, &mut out);
        if out.is_empty() {
            continue;
        }
        out.clear();
        if let Ok(book) = books.get(ticker) {
            if let Some(bid) = book.best_bid(Side::Yes) {
                series.bids.push((t, dollars(&bid.price.to_string())));
            }
            if let Some(ask) = book.best_ask(Side::Yes) {
                series.asks.push((t, dollars(&ask.price.to_string())));
            }
        }
    }
    Ok(series)
}

/// A price for the plot only (the books themselves stay exact decimals).
fn dollars(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Draws the plot of `ticker` to `out`.
pub fn draw(dir: &Path, ticker: &str, out: &Path) -> Result<(), Failure> {
    let bar = progress::spinner("replaying");
    let series = gather(dir, ticker)?;
    bar.finish_and_clear();
    if series.bids.is_empty() && series.asks.is_empty() && series.trades.is_empty() {
        return Err(format!("no book or trade of {ticker} in the recording").into());
    }
    let end = [&series.bids, &series.asks, &series.trades]
        .iter()
        .flat_map(|s| s.iter().map(|p| p.0))
        .fold(0.0_f64, f64::max)
        .max(1e-3);
    let root = SVGBackend::new(out, (1000, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{ticker}: best YES bid and ask, trades"),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..end, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("seconds")
        .y_desc("dollars")
        .draw()?;
    let bids = LineSeries::new(series.bids.iter().copied(), &BLUE);
    chart
        .draw_series(bids)?
        .label("best bid")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    let asks = LineSeries::new(series.asks.iter().copied(), &RED);
    chart
        .draw_series(asks)?
        .label("best ask")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    let trades = series
        .trades
        .iter()
        .map(|p| Circle::new(*p, 2, BLACK.filled()));
    chart
        .draw_series(trades)?
        .label("trade (YES price)")
        .legend(|(x, y)| Circle::new((x + 10, y), 2, BLACK.filled()));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    eprintln!(
        "{}: {} bids, {} asks, {} trades drawn",
        out.display(),
        series.bids.len(),
        series.asks.len(),
        series.trades.len()
    );
    Ok(())
}
