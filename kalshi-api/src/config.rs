//! Where the client connects, and configuration from environment variables: read and checked
//! here into a plain [`EnvConfig`], which the client builder consumes
//! ([`ClientBuilder::from_env`](crate::ClientBuilder::from_env)).

use crate::auth::PrivateKey;
use crate::error::{Error, Result};
use std::ffi::OsString;
use zeroize::Zeroizing;

/// Environment variable: the API key id.
const ENV_API_KEY_ID: &str = "KALSHI_API_KEY_ID";
/// Environment variable: the path of the PEM private key file.
const ENV_PRIVATE_KEY_PATH: &str = "KALSHI_PRIVATE_KEY_PATH";
/// Environment variable: the PEM private key text itself (literal `\n` escapes are accepted).
const ENV_PRIVATE_KEY: &str = "KALSHI_PRIVATE_KEY";
/// Environment variable: `prod` (the default) or `demo`.
const ENV_ENVIRONMENT: &str = "KALSHI_ENV";
/// Environment variable: a base URL, path prefix included; overrides `KALSHI_ENV`.
const ENV_BASE_URL: &str = "KALSHI_BASE_URL";
/// Environment variable: a WebSocket URL; overrides the one `KALSHI_ENV` or `KALSHI_BASE_URL` gives.
const ENV_WS_URL: &str = "KALSHI_WS_URL";
/// Environment variable: the margin (perps) WebSocket URL; overrides the one the environment gives.
const ENV_PERPS_WS_URL: &str = "KALSHI_PERPS_WS_URL";

/// Which Kalshi deployment to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// Production: `https://external-api.kalshi.com/trade-api/v2`.
    Production,
    /// Demo (paper trading, separate keys): `https://external-api.demo.kalshi.co/trade-api/v2`.
    Demo,
    /// Any base URL, e.g. a local test server. It includes the path prefix. Its WebSocket URL is
    /// derived (see [`Environment::ws_url`]) unless the client builder sets one.
    Custom(String),
}

impl Environment {
    /// The REST base URL, path prefix included, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => "https://external-api.kalshi.com/trade-api/v2",
            Environment::Demo => "https://external-api.demo.kalshi.co/trade-api/v2",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// The WebSocket URL.
    ///
    /// - Production: `wss://external-api-ws.kalshi.com/trade-api/ws/v2`;
    /// - Demo: `wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2`;
    /// - Custom: the base URL with `http` made `ws` (`https` made `wss`) and `/ws` put before
    ///   its last path segment, as Kalshi lays out its hosts: `http://127.0.0.1:8080/trade-api/v2`
    ///   gives `ws://127.0.0.1:8080/trade-api/ws/v2`.
    pub fn ws_url(&self) -> String {
        match self {
            Environment::Production => "wss://external-api-ws.kalshi.com/trade-api/ws/v2".into(),
            Environment::Demo => "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2".into(),
            Environment::Custom(_) => {
                let base = self.base_url();
                let (scheme, rest) = match base.split_once("://") {
                    Some(("https", rest)) => ("wss", rest),
                    Some(("http", rest)) => ("ws", rest),
                    Some((other, rest)) => (other, rest),
                    None => return base.to_string(),
                };
                let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                let (parent, last) = path.rsplit_once('/').unwrap_or(("", ""));
                if last.is_empty() {
                    format!("{scheme}://{host}/ws")
                } else {
                    format!("{scheme}://{host}{parent}/ws/{last}")
                }
            }
        }
    }
}

impl Environment {
    /// The margin WebSocket URL, where the perps messages are (the servers of Kalshi's perps
    /// AsyncAPI spec; REST perps operations use [`Environment::base_url`], the same hosts):
    ///
    /// - Production: `wss://external-api-margin-ws.kalshi.com/trade-api/ws/v2/margin`;
    /// - Demo: `wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin`;
    /// - Custom: [`Environment::ws_url`] with `/margin` appended, as the spec's path lays it out:
    ///   `http://127.0.0.1:8080/trade-api/v2` gives `ws://127.0.0.1:8080/trade-api/ws/v2/margin`.
    pub fn margin_ws_url(&self) -> String {
        match self {
            Environment::Production => {
                "wss://external-api-margin-ws.kalshi.com/trade-api/ws/v2/margin".into()
            }
            Environment::Demo => {
                "wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin".into()
            }
            Environment::Custom(_) => format!("{}/margin", self.ws_url().trim_end_matches('/')),
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;

    /// Parses `prod`/`production` or `demo`, ignoring case.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "prod" | "production" => Ok(Environment::Production),
            "demo" => Ok(Environment::Demo),
            _ => Err(Error::Config(format!(
                "unknown environment `{s}`: expected `prod` or `demo`"
            ))),
        }
    }
}

/// What the `KALSHI_*` environment variables configure, read and checked; the private key is
/// parsed once, here.
pub(crate) struct EnvConfig {
    /// `KALSHI_BASE_URL`, else `KALSHI_ENV`, else production.
    pub(crate) env: Environment,
    /// `KALSHI_WS_URL`.
    pub(crate) ws_url: Option<String>,
    /// `KALSHI_PERPS_WS_URL`.
    pub(crate) margin_ws_url: Option<String>,
    /// `KALSHI_API_KEY_ID` and the key from `KALSHI_PRIVATE_KEY_PATH` or `KALSHI_PRIVATE_KEY`.
    pub(crate) credentials: Option<(String, PrivateKey)>,
}

impl EnvConfig {
    /// Reads the process's environment; see
    /// [`ClientBuilder::from_env`](crate::ClientBuilder::from_env) for the variables.
    pub(crate) fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// Reads the variables through `var`. Empty variables count as unset; a half-configured key
    /// (an id without a key, a key without an id, both key variables) is an [`Error::Config`].
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        // Empty counts as unset; non-UTF-8 text is an error (paths may be any OS string).
        let os = |name: &str| var(name).filter(|v| !v.is_empty());
        let text = |name: &str| -> Result<Option<String>> {
            os(name)
                .map(|v| {
                    v.into_string()
                        .map_err(|_| Error::Config(format!("{name} is not valid UTF-8")))
                })
                .transpose()
        };

        let env = match (text(ENV_BASE_URL)?, text(ENV_ENVIRONMENT)?) {
            (Some(url), _) => Environment::Custom(url.trim().to_string()),
            (None, Some(name)) => name.parse().map_err(|_| {
                Error::Config(format!(
                    "{ENV_ENVIRONMENT} is `{name}`: expected `prod` or `demo`"
                ))
            })?,
            (None, None) => Environment::Production,
        };
        let ws_url = text(ENV_WS_URL)?;
        let margin_ws_url = text(ENV_PERPS_WS_URL)?;

        let key_id = text(ENV_API_KEY_ID)?;
        let path = os(ENV_PRIVATE_KEY_PATH);
        let pem = text(ENV_PRIVATE_KEY)?.map(Zeroizing::new);
        let key = match (&path, pem) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(format!(
                    "both {ENV_PRIVATE_KEY_PATH} and {ENV_PRIVATE_KEY} are set; set only one"
                )))
            }
            (Some(path), None) => Some(PrivateKey::from_pem_file(path).map_err(|e| {
                let origin = format!(
                    "private key file `{}` ({ENV_PRIVATE_KEY_PATH})",
                    std::path::Path::new(path).display()
                );
                e.with_origin(origin)
            })?),
            (None, Some(pem)) => {
                // `.env` files and CI secrets often carry the PEM on one line with `\n` escapes.
                let pem = if pem.contains('\n') {
                    pem
                } else {
                    Zeroizing::new(pem.replace("\\n", "\n"))
                };
                Some(PrivateKey::from_pem(&pem).map_err(|e| e.with_origin(ENV_PRIVATE_KEY))?)
            }
            (None, None) => None,
        };
        let credentials = match (key_id, key) {
            (Some(id), Some(key)) => Some((id, key)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::Config(format!(
                    "{ENV_API_KEY_ID} is set but neither {ENV_PRIVATE_KEY_PATH} nor {ENV_PRIVATE_KEY} is"
                )))
            }
            (None, Some(_)) => {
                return Err(Error::Config(format!(
                    "a private key is set but {ENV_API_KEY_ID} is not"
                )))
            }
        };
        Ok(Self {
            env,
            ws_url,
            margin_ws_url,
            credentials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Environment;

    #[test]
    fn each_environment_knows_its_websocket_url() {
        assert_eq!(
            Environment::Production.ws_url(),
            "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
        );
        assert_eq!(
            Environment::Demo.ws_url(),
            "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"
        );
        let local = Environment::Custom("http://127.0.0.1:8080/trade-api/v2/".into());
        assert_eq!(local.ws_url(), "ws://127.0.0.1:8080/trade-api/ws/v2");
        let tls = Environment::Custom("https://example.com/trade-api/v2".into());
        assert_eq!(tls.ws_url(), "wss://example.com/trade-api/ws/v2");
        let bare = Environment::Custom("http://127.0.0.1:9".into());
        assert_eq!(bare.ws_url(), "ws://127.0.0.1:9/ws");
        assert_eq!(
            local.margin_ws_url(),
            "ws://127.0.0.1:8080/trade-api/ws/v2/margin"
        );
    }

    /// The margin URLs are the perps AsyncAPI spec's servers, `protocol://host pathname`.
    #[test]
    fn the_margin_urls_are_the_perps_specs_servers() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/perps/asyncapi.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let url = |server: &str| {
            let s = &doc["servers"][server];
            let part = |k: &str| s[k].as_str().unwrap().to_string();
            format!(
                "{}://{}{}",
                part("protocol"),
                part("host"),
                part("pathname")
            )
        };
        assert_eq!(Environment::Production.margin_ws_url(), url("production"));
        assert_eq!(Environment::Demo.margin_ws_url(), url("demo"));
    }
}
