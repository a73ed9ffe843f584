//! Numbered margin subaccounts and the transfers that move settled funds between them and the
//! event-contract exchange. A key's primary subaccount (0) holds every position and order; the
//! numbered ones (1 to 63, opened in order) hold settled funds only. Funds can leave the primary
//! up to its available balance, a numbered subaccount up to its funds.

use super::Margin;
use crate::error::ApiError;
use axum::http::StatusCode;

/// The most numbered subaccounts a key can open.
pub(crate) const MAX_SUBACCOUNTS: usize = 63;

/// A 400 `insufficient_balance` for moving `amount` out of what holds `available` (money units).
pub(crate) fn insufficient(amount: i64, available: i64) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "insufficient_balance",
        message: "insufficient balance",
        details: format!(
            "{} requested and {} is available",
            super::account::money_text(amount),
            super::account::money_text(available)
        ),
    }
}

impl Margin {
    /// Opens `key_id`'s next numbered subaccount and returns its number, or a 400 when it has
    /// [`MAX_SUBACCOUNTS`].
    pub(crate) fn open_subaccount(&mut self, key_id: &str) -> Result<i64, ApiError> {
        let account = self.account(key_id);
        if account.subaccounts.len() >= MAX_SUBACCOUNTS {
            return Err(ApiError::invalid(format!(
                "a user has at most {MAX_SUBACCOUNTS} numbered subaccounts"
            )));
        }
        account.subaccounts.push(0);
        Ok(account.subaccounts.len() as i64)
    }

    /// What can leave `key_id`'s subaccount `n`: the primary's available balance, a numbered
    /// one's funds; a 400 for a subaccount the key has not opened.
    fn withdrawable(&self, key_id: &str, n: i64) -> Result<i64, ApiError> {
        let opened = self.accounts.get(key_id).map_or(0, |a| a.subaccounts.len());
        match n {
            0 => Ok(self.balance(key_id).0.available_balance),
            n if n > 0 && n as usize <= opened => {
                Ok(self.accounts[key_id].subaccounts[n as usize - 1])
            }
            _ => Err(ApiError::invalid(format!("no subaccount {n}"))),
        }
    }

    /// Adds `amount` (negative: takes it) to the settled funds of `key_id`'s subaccount `n`, which
    /// exists.
    fn credit(&mut self, key_id: &str, n: i64, amount: i64) {
        let account = self.account(key_id);
        match n {
            0 => account.cash += amount,
            n => account.subaccounts[n as usize - 1] += amount,
        }
    }

    /// Moves `amount` (money units, positive) from subaccount `from` to `to` of `key_id`, once per
    /// `client_transfer_id`: a repeated id changes nothing and is not an error.
    pub(crate) fn transfer_between_subaccounts(
        &mut self,
        key_id: &str,
        client_transfer_id: &str,
        (from, to): (i64, i64),
        amount: i64,
    ) -> Result<(), ApiError> {
        if self
            .account(key_id)
            .transfer_ids
            .contains(client_transfer_id)
        {
            return Ok(());
        }
        if amount <= 0 || from == to {
            return Err(ApiError::invalid(
                "the amount must be positive and the subaccounts different",
            ));
        }
        let available = self.withdrawable(key_id, from)?;
        self.withdrawable(key_id, to)?;
        if amount > available {
            return Err(insufficient(amount, available));
        }
        self.credit(key_id, from, -amount);
        self.credit(key_id, to, amount);
        let ids = &mut self.account(key_id).transfer_ids;
        ids.insert(client_transfer_id.to_string());
        Ok(())
    }

    /// Takes `amount` (money units, positive) out of `key_id`'s primary subaccount, up to its
    /// available balance.
    pub(crate) fn withdraw(&mut self, key_id: &str, amount: i64) -> Result<(), ApiError> {
        let available = self.withdrawable(key_id, 0)?;
        if amount > available {
            return Err(insufficient(amount, available));
        }
        self.credit(key_id, 0, -amount);
        Ok(())
    }

    /// Adds `amount` (money units) to `key_id`'s primary subaccount.
    pub(crate) fn deposit(&mut self, key_id: &str, amount: i64) {
        self.credit(key_id, 0, amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_move_funds_once_and_never_below_zero() {
        let mut margin = Margin::new(1);
        assert_eq!(margin.open_subaccount("k").unwrap(), 1);
        margin
            .transfer_between_subaccounts("k", "t1", (0, 1), 2_500_000)
            .unwrap();
        // The same id again: nothing moves.
        margin
            .transfer_between_subaccounts("k", "t1", (0, 1), 2_500_000)
            .unwrap();
        assert_eq!(margin.accounts["k"].subaccounts, [2_500_000]);
        let err = margin
            .transfer_between_subaccounts("k", "t2", (1, 0), 2_500_001)
            .unwrap_err();
        assert_eq!(err.code, "insufficient_balance");
        let err = margin
            .transfer_between_subaccounts("k", "t3", (0, 2), 1)
            .unwrap_err();
        assert_eq!(err.details, "no subaccount 2");
        for _ in 1..MAX_SUBACCOUNTS {
            margin.open_subaccount("k").unwrap();
        }
        assert!(margin.open_subaccount("k").is_err(), "the 64th");
    }
}
