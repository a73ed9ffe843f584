//! The messages waiting to be written to the socket, and the wire form of a command,
//! `{"id":N,"cmd":…,"params":…}`, with the ids counted per session.

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Message;

/// What the connection task will write next.
#[derive(Debug)]
pub(crate) struct Outbox {
    next_id: u64,
    messages: Vec<Message>,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox {
            next_id: 1,
            messages: Vec::new(),
        }
    }
}

impl Outbox {
    /// Queues `{"id":N,"cmd":cmd,"params":params}` (no `params` when `None`) and returns its id.
    pub(crate) fn command(&mut self, cmd: &str, params: Option<&[u8]>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut text = String::with_capacity(32 + cmd.len() + params.map_or(0, <[u8]>::len));
        text.push_str("{\"id\":");
        text.push_str(itoa::Buffer::new().format(id));
        text.push_str(",\"cmd\":");
        text.push_str(&serde_json::to_string(cmd).expect("a string serializes"));
        if let Some(params) = params {
            text.push_str(",\"params\":");
            text.push_str(std::str::from_utf8(params).expect("serde_json writes UTF-8"));
        }
        text.push('}');
        self.messages.push(Message::Text(text.into()));
        id
    }

    /// Queues a ping.
    pub(crate) fn ping(&mut self) {
        self.messages.push(Message::Ping(Bytes::new()));
    }

    /// Takes what is queued, in order.
    pub(crate) fn take(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.messages)
    }

    /// Drops what is queued (the connection is gone); ids keep counting.
    pub(crate) fn clear(&mut self) {
        self.messages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_numbered_and_written_as_kalshi_reads_them() {
        let mut out = Outbox::default();
        assert_eq!(out.command("list_subscriptions", None), 1);
        assert_eq!(out.command("unsubscribe", Some(br#"{"sids":[3]}"#)), 2);
        out.ping();
        let texts: Vec<String> = out
            .take()
            .into_iter()
            .filter_map(|m| match m {
                Message::Text(t) => Some(t.as_str().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            texts,
            [
                r#"{"id":1,"cmd":"list_subscriptions"}"#,
                r#"{"id":2,"cmd":"unsubscribe","params":{"sids":[3]}}"#
            ]
        );
        out.command("x", None);
        out.clear();
        assert!(out.take().is_empty());
        assert_eq!(out.command("x", None), 4);
    }
}
