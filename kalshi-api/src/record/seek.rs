//! A book at a past moment: the recording replayed up to that time through a book keeper, which
//! rebuilds each book from its last snapshot before it and the deltas that followed.

use super::replay::Replay;
use super::RecordError;
use crate::ws::orderbook::{BookError, BookKeeper, OrderBook};
use crate::ws::protocol::{BookFeed, Control};
use crate::ws::Event;
use std::path::Path;
use std::sync::Arc;

/// A book at a past moment, or why there is none.
pub type BookThen<M> = Result<Arc<OrderBook<<M as BookFeed>::Sides>>, BookError>;

/// The book of `ticker` as it stood at `at_ns` (nanoseconds since the Unix epoch; `None`: the
/// end of the recording) in the recording at `path`. The inner error says why there is no valid
/// book then: the market is not in the recording, or its book was stale (a gap not yet repaired,
/// a lost connection).
pub fn book_at<M: BookFeed + Control>(
    path: &Path,
    ticker: &str,
    at_ns: Option<u64>,
) -> Result<BookThen<M>, RecordError> {
    let replay = Replay::<M>::open(path)?;
    let mut keeper = BookKeeper::<M>::new();
    let books = keeper.books();
    let mut out = Vec::new();
    for replayed in replay {
        if at_ns.is_some_and(|at| replayed.wall_ns > at) {
            break;
        }
        // The recording's end is not the market's: a book valid at the end stays readable.
        if let Event::Closed { .. } = replayed.event {
            continue;
        }
        keeper.handle(replayed.event, &mut out);
        out.clear();
    }
    Ok(books.get(ticker))
}
