//! `kalshi record`: one session, recorded, until Ctrl-C, SIGTERM or the time limit; then the
//! session is closed and the files flushed and closed. Lost connections are followed as the
//! session follows them.

use crate::{progress, Failure, RecordArgs};
use futures_util::StreamExt;
use kalshi_api::record::{RecordConfig, Recorder};
use kalshi_api::ws::{Event, Session, SessionConfig, Subscribe, SubscribeChannelsItem};
use kalshi_api::Client;
use std::time::Duration;

/// Runs the recording on a runtime of its own.
pub fn run(args: RecordArgs) -> Result<(), Failure> {
    tokio::runtime::Runtime::new()?.block_on(record(args))
}

async fn record(args: RecordArgs) -> Result<(), Failure> {
    let client = Client::from_env()?;
    let config = RecordConfig::new(&args.out)
        .channels(args.channels.iter().cloned())
        .markets(args.markets.iter().cloned());
    let recorder = Recorder::start(config)?;
    let (session, mut events) =
        Session::connect(&client, SessionConfig::new().record(&recorder)).await?;
    let channels = args
        .channels
        .iter()
        .map(|c| SubscribeChannelsItem::from(c.as_str()))
        .collect();
    let command = Subscribe::new(channels).market_tickers(args.markets.clone());
    let _subscription = session.subscribe(&command).await?;
    let bar = progress::spinner("recording");
    let stop = stop_signal(args.seconds);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            why = &mut stop => {
                bar.set_message(format!("stopping: {why}"));
                break;
            }
            event = events.next() => match event {
                Some(Event::Closed { error: Some(e) }) => return Err(e.into()),
                Some(_) => show(&bar, &recorder),
                None => break,
            },
        }
    }
    session.close().await;
    // Read what the session gives until its end: everything is then with the recorder.
    while events.next().await.is_some() {}
    let stats = recorder.finish().await?;
    bar.finish_and_clear();
    eprintln!(
        "recorded {} frames ({} records, {} bytes in {} files) to {}; lost {}",
        stats.frames,
        stats.records,
        stats.bytes,
        stats.files,
        args.out.display(),
        stats.lost
    );
    Ok(())
}

fn show(bar: &indicatif::ProgressBar, recorder: &Recorder) {
    let stats = recorder.stats();
    bar.set_message(format!(
        "{} frames, {} bytes written",
        stats.frames, stats.bytes
    ));
}

/// Waits for Ctrl-C, SIGTERM or `seconds`; says which.
async fn stop_signal(seconds: Option<u64>) -> &'static str {
    let limit = async {
        match seconds {
            Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted",
        _ = terminate() => "terminated",
        _ = limit => "time is up",
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}
