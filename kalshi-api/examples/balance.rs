//! The account balance, signed with a key from the environment.
//!
//! ```text
//! export KALSHI_API_KEY_ID=...            # the key id shown when the key was created
//! export KALSHI_PRIVATE_KEY_PATH=...      # the downloaded .key file (or KALSHI_PRIVATE_KEY=PEM text)
//! export KALSHI_ENV=demo                  # or prod; KALSHI_BASE_URL overrides both
//! cargo run -p kalshi-api --example balance
//! ```

use kalshi_api::{ops, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    if !client.has_credentials() {
        return Err(
            "set KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY)".into(),
        );
    }
    let balance = client.get_balance(ops::GetBalance::new()).await?;
    println!(
        "balance: ${} (portfolio value {} cents) at {} ({})",
        balance.balance_dollars,
        balance.portfolio_value,
        balance.updated_ts,
        client.base_url()
    );
    Ok(())
}
