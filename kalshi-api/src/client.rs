//! The client: base URL, transport and signing around generated operations.

use crate::auth::{KeyPairSigner, PrivateKey, Signer};
use crate::error::{ApiError, Error, Result};
use crate::operation::{Auth, Operation, QueryWriter};
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use std::ffi::OsString;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

const ACCESS_KEY: HeaderName = HeaderName::from_static("kalshi-access-key");
const ACCESS_TIMESTAMP: HeaderName = HeaderName::from_static("kalshi-access-timestamp");
const ACCESS_SIGNATURE: HeaderName = HeaderName::from_static("kalshi-access-signature");
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

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

/// Which Kalshi deployment to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// Production: `https://external-api.kalshi.com/trade-api/v2`.
    Production,
    /// Demo (paper trading, separate keys): `https://external-api.demo.kalshi.co/trade-api/v2`.
    Demo,
    /// Any base URL, e.g. a local test server. It includes the path prefix.
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

/// A Kalshi client. Cheap to clone: clones share the connection pool and credentials.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash, e.g. `https://host/trade-api/v2`.
    base_url: String,
    credentials: Option<Credentials>,
}

#[derive(Debug)]
struct Credentials {
    signer: Arc<dyn Signer>,
    /// `KALSHI-ACCESS-KEY`, built once.
    key_id: HeaderValue,
}

impl Client {
    /// A client without credentials: public operations only.
    pub fn new(env: Environment) -> Self {
        Self::builder(env)
            .build()
            .expect("a client for a built-in environment always builds")
    }

    /// A builder for a client with credentials, timeouts or a custom `reqwest::Client`.
    pub fn builder(env: Environment) -> ClientBuilder {
        ClientBuilder {
            env,
            signer: None,
            http: None,
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(30)),
            user_agent: concat!("kalshi-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// A client configured from environment variables; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Whether the client can sign requests.
    pub fn has_credentials(&self) -> bool {
        self.inner.credentials.is_some()
    }

    /// Sends one operation and decodes its answer. Generated endpoint methods call this.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output> {
        let id = O::INFO.id;
        let req = self.build_request(op)?;
        let resp = self
            .inner
            .http
            .execute(req)
            .await
            .map_err(|e| transport(id, e))?;
        let status = resp.status();
        let request_id = resp
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp.bytes().await.map_err(|e| transport(id, e))?;
        if status.is_success() {
            return O::decode(&bytes).map_err(Error::from);
        }
        let err = Box::new(ApiError::new(id, status, bytes, request_id));
        Err(if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Error::RateLimited(err)
        } else {
            Error::Api(err)
        })
    }

    /// Builds the request [`Client::execute`] would send, signed when the operation needs it,
    /// without sending it: to inspect the wire form, or to send it through another transport soon
    /// (the signature's timestamp is taken now, and Kalshi rejects stale ones).
    ///
    /// Fails with [`Error::Auth`] when the operation needs credentials the client lacks.
    pub fn build_request<O: Operation>(&self, op: &O) -> Result<reqwest::Request> {
        let info = &O::INFO;
        let inner = &*self.inner;
        let credentials = match (info.auth, &inner.credentials) {
            (Auth::None, _) => None,
            (_, Some(c)) => Some(c),
            (Auth::Optional, None) => None,
            (Auth::Required, None) => {
                return Err(Error::Auth {
                    operation: info.id,
                    message: "this operation needs an API key; build the client with credentials"
                        .into(),
                })
            }
        };

        let mut url = String::with_capacity(inner.base_url.len() + 96);
        url.push_str(&inner.base_url);
        op.write_path(&mut url);
        op.write_query(&mut QueryWriter::new(&mut url));
        let url = reqwest::Url::parse(&url)
            .map_err(|e| Error::Config(format!("{}: request URL `{url}`: {e}", info.id)))?;

        let mut req = reqwest::Request::new(info.method.clone(), url);
        let mut body = Vec::new();
        let has_body = op.write_body(&mut body).map_err(|source| Error::Encode {
            operation: info.id,
            source,
        })?;
        if has_body {
            req.headers_mut().insert(CONTENT_TYPE, APPLICATION_JSON);
            *req.body_mut() = Some(body.into());
        }
        if let Some(c) = credentials {
            sign(&mut req, c, info.id)?;
        }
        Ok(req)
    }
}

/// Adds the `KALSHI-ACCESS-*` headers: a signature over `timestamp_ms + METHOD + path`, where the
/// path is the final URL's (prefix included, query excluded), exactly as it goes on the wire.
fn sign(req: &mut reqwest::Request, c: &Credentials, operation: &'static str) -> Result<()> {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::Config("system clock is before 1970".into()))?
        .as_millis();
    let mut ts_buf = itoa::Buffer::new();
    let ts = ts_buf.format(ms as u64);
    let method = req.method().as_str();
    let path = req.url().path();
    let mut message = String::with_capacity(ts.len() + method.len() + path.len());
    message.push_str(ts);
    message.push_str(method);
    message.push_str(path);
    let signature = c.signer.sign(message.as_bytes()).map_err(|e| Error::Auth {
        operation,
        message: e.to_string(),
    })?;
    let mut signature = HeaderValue::from_str(&signature).map_err(|_| Error::Auth {
        operation,
        message: "the signer returned a signature that is not a valid header value".into(),
    })?;
    signature.set_sensitive(true);
    let headers = req.headers_mut();
    headers.insert(ACCESS_KEY, c.key_id.clone());
    headers.insert(
        ACCESS_TIMESTAMP,
        HeaderValue::from_str(ts).expect("digits are a valid header value"),
    );
    headers.insert(ACCESS_SIGNATURE, signature);
    Ok(())
}

fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source }
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    env: Environment,
    signer: Option<Arc<dyn Signer>>,
    http: Option<reqwest::Client>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: String,
}

impl ClientBuilder {
    /// A builder configured from environment variables:
    ///
    /// - `KALSHI_BASE_URL`: a base URL, path prefix included (overrides `KALSHI_ENV`);
    /// - `KALSHI_ENV`: `prod` (the default) or `demo`;
    /// - `KALSHI_API_KEY_ID` with one of `KALSHI_PRIVATE_KEY_PATH` (a PEM file) or
    ///   `KALSHI_PRIVATE_KEY` (PEM text): credentials. With none of the three the client is public.
    ///
    /// Empty variables count as unset. The key is parsed here, once. A half-configured key (an id
    /// without a key, a key without an id, both key variables) is an [`Error::Config`].
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
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
        let mut builder = Client::builder(env);

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
        match (key_id, key) {
            (Some(id), Some(key)) => builder = builder.credentials(id, key),
            (None, None) => {}
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
        }
        Ok(builder)
    }

    /// Signs authenticated requests as API key `key_id` with `key`.
    pub fn credentials(self, key_id: impl Into<String>, key: PrivateKey) -> Self {
        self.signer(KeyPairSigner::new(key_id, key))
    }

    /// Signs authenticated requests with `signer` (bring your own: an HSM, a remote signer).
    pub fn signer(mut self, signer: impl Signer + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// Uses this `reqwest::Client`; its own timeouts and user agent apply, not the builder's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout for a whole request, from sending to the last byte of the answer (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = self.env.base_url().to_string();
        check_base_url(&base_url)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder().user_agent(self.user_agent);
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?
            }
        };
        let credentials = match self.signer {
            Some(signer) => {
                let mut key_id = HeaderValue::from_str(signer.key_id()).map_err(|_| {
                    Error::Config("the API key id is not a valid header value".into())
                })?;
                key_id.set_sensitive(true);
                Some(Credentials { signer, key_id })
            }
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials,
            }),
        })
    }
}

/// A base URL is absolute http(s), without query or fragment.
fn check_base_url(base_url: &str) -> Result<()> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL `{base_url}` must be http or https"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{base_url}` must not have a query or fragment"
        )));
    }
    Ok(())
}
