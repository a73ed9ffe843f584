//! OAuth bearer tokens: the other way Kalshi lets some operations be called (the perps spec's
//! `kalshiOauthAccessToken`, for partners a member authorised). Sent as `Authorization: Bearer`
//! only on the operations whose spec `security` accepts it.

use reqwest::header::HeaderValue;
use std::fmt;
use zeroize::Zeroizing;

/// An OAuth access token. `Debug` never shows it; the text is zeroed when dropped.
#[derive(Clone)]
pub struct BearerToken(Zeroizing<String>);

impl BearerToken {
    /// Wraps `token` (the access token itself, without `Bearer `).
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken(Zeroizing::new(token.into()))
    }

    /// The `Authorization` header value, built once per client and marked sensitive (so
    /// `reqwest` and `http` never show it either); `None` when the token cannot be a header value.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let token = self.0.trim();
        if token.is_empty() {
            return None;
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = BearerToken::new("s3cr3t-access-token");
        let shown = format!("{token:?} {:?}", token.header().unwrap());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(token.header().unwrap(), "Bearer s3cr3t-access-token");
        assert!(BearerToken::new(" ").header().is_none());
        assert!(BearerToken::new("a\nb").header().is_none());
    }
}
