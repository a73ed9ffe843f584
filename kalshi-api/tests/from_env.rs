//! `Client::from_env`: one test, because environment variables are process-wide.

mod common;

use common::*;
use kalshi_api::auth::KeyErrorKind;
use kalshi_api::{Client, Error};

const VARS: [&str; 5] = [
    "KALSHI_API_KEY_ID",
    "KALSHI_PRIVATE_KEY_PATH",
    "KALSHI_PRIVATE_KEY",
    "KALSHI_ENV",
    "KALSHI_BASE_URL",
];

fn set(vars: &[(&str, &str)]) {
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

fn config_error(vars: &[(&str, &str)]) -> String {
    set(vars);
    match Client::from_env() {
        Err(e @ (Error::Config(_) | Error::Key(_))) => e.to_string(),
        other => panic!("expected a configuration error for {vars:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn from_env_reads_environment_base_url_and_credentials() {
    // Nothing set: a public production client.
    set(&[]);
    let client = Client::from_env().unwrap();
    assert_eq!(
        client.base_url(),
        "https://external-api.kalshi.com/trade-api/v2"
    );
    assert!(!client.has_credentials());

    set(&[("KALSHI_ENV", "demo")]);
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "https://external-api.demo.kalshi.co/trade-api/v2"
    );
    set(&[("KALSHI_ENV", "PROD")]);
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "https://external-api.kalshi.com/trade-api/v2"
    );
    let msg = config_error(&[("KALSHI_ENV", "staging")]);
    assert!(
        msg.contains("KALSHI_ENV") && msg.contains("staging"),
        "{msg}"
    );

    // The base URL overrides the environment.
    set(&[
        ("KALSHI_ENV", "demo"),
        ("KALSHI_BASE_URL", "http://127.0.0.1:9/x/trade-api/v2"),
    ]);
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "http://127.0.0.1:9/x/trade-api/v2"
    );

    // A key file, used for real against the exchange.
    let key = ed25519_key();
    let (_dir, path) = temp_file(&ed25519_pkcs8_pem(&key));
    let exchange = exchange_with(ed25519_public(&key)).await;
    let base = exchange.base_url();
    let path = path.to_str().unwrap();
    set(&[
        ("KALSHI_BASE_URL", &base),
        ("KALSHI_API_KEY_ID", KEY_ID),
        ("KALSHI_PRIVATE_KEY_PATH", path),
    ]);
    let client = Client::from_env().unwrap();
    assert!(client.has_credentials());
    client.execute(&Balance { subaccount: None }).await.unwrap();

    // PEM text, also with `\n` escapes as `.env` files carry it.
    let pem = rsa_pkcs8_pem(rsa_key());
    let exchange = exchange_with(rsa_public(rsa_key())).await;
    let base = exchange.base_url();
    for text in [pem.clone(), pem.trim_end().replace('\n', "\\n")] {
        set(&[
            ("KALSHI_BASE_URL", &base),
            ("KALSHI_API_KEY_ID", KEY_ID),
            ("KALSHI_PRIVATE_KEY", &text),
        ]);
        let client = Client::from_env().unwrap();
        client.execute(&Balance { subaccount: None }).await.unwrap();
    }

    // Half-configured credentials are errors, named by variable.
    let msg = config_error(&[("KALSHI_API_KEY_ID", KEY_ID)]);
    assert!(
        msg.contains("KALSHI_PRIVATE_KEY_PATH") && msg.contains("KALSHI_PRIVATE_KEY"),
        "{msg}"
    );
    let msg = config_error(&[("KALSHI_PRIVATE_KEY_PATH", path)]);
    assert!(msg.contains("KALSHI_API_KEY_ID"), "{msg}");
    let msg = config_error(&[
        ("KALSHI_API_KEY_ID", KEY_ID),
        ("KALSHI_PRIVATE_KEY_PATH", path),
        ("KALSHI_PRIVATE_KEY", &pem),
    ]);
    assert!(msg.contains("only one"), "{msg}");

    // A missing file and bad PEM text name their variable and never echo the text.
    let msg = config_error(&[
        ("KALSHI_API_KEY_ID", KEY_ID),
        ("KALSHI_PRIVATE_KEY_PATH", "/nonexistent/key.pem"),
    ]);
    assert!(
        msg.contains("/nonexistent/key.pem") && msg.contains("KALSHI_PRIVATE_KEY_PATH"),
        "{msg}"
    );
    set(&[
        ("KALSHI_API_KEY_ID", KEY_ID),
        ("KALSHI_PRIVATE_KEY", "secret-looking-garbage"),
    ]);
    let err = Client::from_env().unwrap_err();
    let Error::Key(key_err) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(key_err.kind(), KeyErrorKind::NotPem));
    assert_eq!(key_err.origin(), Some("KALSHI_PRIVATE_KEY"));
    assert!(!err.to_string().contains("secret-looking-garbage"), "{err}");

    // Empty variables count as unset.
    set(&[
        ("KALSHI_API_KEY_ID", ""),
        ("KALSHI_PRIVATE_KEY", ""),
        ("KALSHI_ENV", ""),
    ]);
    assert!(!Client::from_env().unwrap().has_credentials());
    set(&[]);
}
