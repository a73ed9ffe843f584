//! The loopback server the WebSocket throughput benches share: a bare tokio-tungstenite acceptor
//! on its own one-thread runtime that sends prepared frames as fast as the socket takes them.

use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::Message;

/// Serves `frames` to every client that connects, then waits for the client to close.
pub fn serve(frames: Vec<Message>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                let frames = frames.clone();
                tokio::spawn(async move {
                    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    let (mut sink, mut stream) = ws.split();
                    let reader =
                        tokio::spawn(async move { while stream.next().await.is_some() {} });
                    for f in frames {
                        if sink.feed(f).await.is_err() {
                            return;
                        }
                    }
                    let _ = sink.flush().await;
                    let _ = reader.await;
                });
            }
        });
    });
    addr
}
