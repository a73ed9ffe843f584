//! The messages of an AsyncAPI document, found through its operations: the server's (`action:
//! send`, with a `type` const) and the client's commands (`action: receive`, with a `cmd` const).

use super::load;
use crate::error::Problem;
use crate::pointer::{self, key_text, ptr};
use serde_yaml::Value;

/// A YAML mapping.
pub(super) type Object = serde_yaml::Mapping;

/// A message found through the operations.
pub(super) struct Msg<'d> {
    /// Its JSON pointer (after following references).
    pub(super) pointer: String,
    /// Its key (last pointer token).
    pub(super) key: String,
    pub(super) value: &'d Value,
    /// The payload's pointer and value.
    pub(super) payload: (String, &'d Value),
}

/// The document being read and the problems met so far.
pub(super) struct Cx<'d> {
    pub(super) doc: &'d Value,
    pub(super) problems: Vec<Problem>,
    /// Prose not understood: warnings, not problems.
    pub(super) warnings: Vec<Problem>,
}

impl<'d> Cx<'d> {
    pub(super) fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Follows `$ref`s (local JSON pointers) from `v` at `at`.
    pub(super) fn deref(&mut self, v: &'d Value, at: &str) -> Option<(String, &'d Value)> {
        let (mut at, mut v) = (at.to_string(), v);
        for _ in 0..32 {
            let Some(reference) = v.get("$ref") else {
                return Some((at, v));
            };
            let target = reference
                .as_str()
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| pointer::lookup(self.doc, p).map(|t| (p, t)));
            match target {
                Some((p, t)) => {
                    at = p.to_string();
                    v = t;
                }
                None => {
                    self.problem(
                        &at,
                        format!(
                            "`$ref: {}` does not resolve: expected a local reference to an existing entry",
                            key_text(reference)
                        ),
                    );
                    return None;
                }
            }
        }
        self.problem(&at, "`$ref` chain too long (a cycle?)");
        None
    }

    /// The messages of the operations with `action`, JSON ones only, deduplicated.
    fn messages(&mut self, action: &str) -> Vec<Msg<'d>> {
        let default_type = self
            .doc
            .get("defaultContentType")
            .and_then(Value::as_str)
            .unwrap_or("application/json");
        let mut out: Vec<Msg<'d>> = Vec::new();
        let Some(ops) = self.doc.get("operations").and_then(Value::as_mapping) else {
            return out;
        };
        for (op_key, op) in ops {
            let op_ptr = ptr("/operations", &[&key_text(op_key)]);
            match op.get("action").and_then(Value::as_str) {
                Some("send" | "receive") => {}
                _ => {
                    self.problem(
                        &ptr(&op_ptr, &["action"]),
                        "expected `action: send` or `action: receive`",
                    );
                    continue;
                }
            }
            if op.get("action").and_then(Value::as_str) != Some(action) {
                continue;
            }
            let Some(list) = op.get("messages").and_then(Value::as_sequence) else {
                continue;
            };
            for (i, m) in list.iter().enumerate() {
                let m_ptr = ptr(&op_ptr, &["messages", &i.to_string()]);
                let Some((pointer, value)) = self.deref(m, &m_ptr) else {
                    continue;
                };
                if out.iter().any(|o| o.pointer == pointer) {
                    continue;
                }
                let content = value
                    .get("contentType")
                    .and_then(Value::as_str)
                    .unwrap_or(default_type);
                if !(content == "application/json" || content.ends_with("+json")) {
                    continue;
                }
                let Some(payload) = value.get("payload") else {
                    self.problem(&pointer, "a JSON message without `payload`");
                    continue;
                };
                let Some(payload) = self.deref(payload, &ptr(&pointer, &["payload"])) else {
                    continue;
                };
                let key = pointer::unescape(pointer.rsplit('/').next().unwrap_or_default());
                out.push(Msg {
                    pointer,
                    key,
                    value,
                    payload,
                });
            }
        }
        out
    }

    /// The payload's `properties` (an object schema), or a problem.
    pub(super) fn properties(&mut self, m: &Msg<'d>) -> Option<&'d Object> {
        let (at, payload) = &m.payload;
        let props = payload.get("properties").and_then(Value::as_mapping);
        let is_object = payload
            .get("type")
            .is_none_or(|t| t.as_str() == Some("object"));
        match props {
            Some(p) if is_object => Some(p),
            _ => {
                self.problem(
                    at,
                    "message payload: expected an object schema with `properties`",
                );
                None
            }
        }
    }
}

/// A server message: its `type` const and its `msg` schema.
pub(super) struct Server<'d> {
    pub(super) msg: Msg<'d>,
    /// The `type` value.
    pub(super) wire: String,
    /// The pointer and schema of `msg`, when it has one.
    pub(super) body: Option<(String, &'d Value)>,
    /// The name its Rust type takes (the message's `name`, or its key when that is shared or
    /// reserved).
    pub(super) name: String,
}

/// A command: its `cmd` const, one per payload schema.
pub(super) struct Cmd<'d> {
    pub(super) cmd: String,
    /// The payload's pointer.
    pub(super) payload: String,
    /// The names of the messages sharing the payload.
    pub(super) names: Vec<String>,
    /// The pointer and schema of `params`, when it has them.
    pub(super) params: Option<(String, &'d Value)>,
}

/// A message's `name`, or its key.
fn message_name(m: &Msg<'_>) -> String {
    m.value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&m.key)
        .to_string()
}

/// The server messages, each named from its `name`, or from its key when the name is shared by
/// several messages or is not a Rust type name as written.
pub(super) fn servers<'d>(cx: &mut Cx<'d>) -> Vec<Server<'d>> {
    let mut servers: Vec<Server<'_>> = Vec::new();
    for m in cx.messages("send") {
        let Some(props) = cx.properties(&m) else {
            continue;
        };
        let type_ptr = ptr(&m.payload.0, &["properties", "type"]);
        let Some(wire) = props.get("type").and_then(load::const_str) else {
            cx.problem(
                &type_ptr,
                "message payload: expected a `type` property with a `const` string value",
            );
            continue;
        };
        let body = props
            .get("msg")
            .map(|v| (ptr(&m.payload.0, &["properties", "msg"]), v));
        servers.push(Server {
            wire: wire.to_string(),
            body,
            name: message_name(&m),
            msg: m,
        });
    }
    let rename: Vec<bool> = servers
        .iter()
        .map(|s| {
            let shared = servers.iter().filter(|o| o.name == s.name).count() > 1;
            shared || crate::names::type_name(&s.name) != crate::names::camel(&s.name)
        })
        .collect();
    for (s, rename) in servers.iter_mut().zip(rename) {
        if rename {
            s.name = s.msg.key.clone();
        }
    }
    servers
}

/// The commands: payloads with a `cmd` const, messages sharing one payload schema merged.
pub(super) fn commands<'d>(cx: &mut Cx<'d>) -> Vec<Cmd<'d>> {
    let mut cmds: Vec<Cmd<'_>> = Vec::new();
    for m in cx.messages("receive") {
        let Some(props) = cx.properties(&m) else {
            continue;
        };
        let Some(cmd) = props.get("cmd").and_then(load::const_str) else {
            continue;
        };
        let name = message_name(&m);
        if let Some(c) = cmds.iter_mut().find(|c| c.payload == m.payload.0) {
            c.names.push(name);
            continue;
        }
        let params = props
            .get("params")
            .map(|v| (ptr(&m.payload.0, &["properties", "params"]), v));
        cmds.push(Cmd {
            cmd: cmd.to_string(),
            payload: m.payload.0.clone(),
            names: vec![name],
            params,
        });
    }
    cmds
}

impl Cmd<'_> {
    /// The name of the command's type: its message's, or the words its messages' names share
    /// (the `cmd` value when they share none).
    pub(super) fn name(&self) -> String {
        if self.names.len() == 1 {
            return self.names[0].clone();
        }
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        Some(common_words(&names))
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| self.cmd.clone())
    }
}

/// The words (`_`-separated) that every name starts with.
fn common_words(names: &[&str]) -> String {
    let split: Vec<Vec<&str>> = names.iter().map(|n| n.split('_').collect()).collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let n = (0..first.len())
        .take_while(|&i| split.iter().all(|s| s.get(i) == first.get(i)))
        .count();
    first[..n].join("_")
}

#[cfg(test)]
mod tests {
    use super::common_words;

    #[test]
    fn shared_command_names() {
        assert_eq!(
            common_words(&["update_subscription_add", "update_subscription_delete"]),
            "update_subscription"
        );
        assert_eq!(common_words(&["a_b", "c_d"]), "");
        assert_eq!(common_words(&["subscribe"]), "subscribe");
    }
}
