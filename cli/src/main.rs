//! `kalshi`: records Kalshi's WebSocket feed to disk and replays it (a book at a moment, the
//! recording's figures, a plot), on the `kalshi-api` recorder.
//!
//! By file: `record.rs` runs a recording session until Ctrl-C, SIGTERM or a time limit;
//! `book.rs`, `stats.rs` and `plot.rs` read a recording back; `progress.rs` is the spinner.

#![forbid(unsafe_code)]

mod book;
mod plot;
mod progress;
mod record;
mod stats;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "kalshi",
    version,
    about = "Record Kalshi's WebSocket feed and replay it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Record channels of markets to a folder, with the environment `Client::from_env` reads
    /// (`KALSHI_API_KEY_ID`, `KALSHI_PRIVATE_KEY_PATH`, `KALSHI_ENV`, `KALSHI_WS_URL`, ...).
    Record(RecordArgs),
    /// Read a recording back.
    Replay(ReplayArgs),
}

/// `kalshi record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// A channel to record (`orderbook_delta`, `trade`, `ticker`, ...); repeat for more.
    #[arg(long = "channel", required = true)]
    pub channels: Vec<String>,
    /// A market to record; repeat for more.
    #[arg(long = "market", required = true)]
    pub markets: Vec<String>,
    /// The folder the recording goes to.
    #[arg(long)]
    pub out: PathBuf,
    /// Stop after this many seconds (else at Ctrl-C or SIGTERM).
    #[arg(long)]
    pub seconds: Option<u64>,
}

/// `kalshi replay`: one of `--book`, `--stats`, `--plot`.
#[derive(Debug, Args)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["book", "stats", "plot"])))]
pub struct ReplayArgs {
    /// The recording's folder (or one of its files).
    pub dir: PathBuf,
    /// Print this market's book as one JSON line: `{"ticker","yes","no"}`, bids best first.
    #[arg(long)]
    pub book: Option<String>,
    /// With `--book`: the book as it stood then (RFC 3339, or nanoseconds since the epoch).
    #[arg(long, requires = "book")]
    pub at: Option<String>,
    /// Print counts per channel and market, gaps, reconnects and the time span, as JSON.
    #[arg(long)]
    pub stats: bool,
    /// Draw this market's best bid and ask and its trades over time.
    #[arg(long, requires = "out")]
    pub plot: Option<String>,
    /// With `--plot`: the SVG file to write.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Record(args) => record::run(args),
        Command::Replay(args) => replay(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kalshi: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The error every command returns.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

fn replay(args: ReplayArgs) -> Result<(), Failure> {
    if let Some(ticker) = &args.book {
        return book::print(&args.dir, ticker, args.at.as_deref());
    }
    if let (Some(ticker), Some(out)) = (&args.plot, &args.out) {
        return plot::draw(&args.dir, ticker, out);
    }
    stats::print(&args.dir)
}
