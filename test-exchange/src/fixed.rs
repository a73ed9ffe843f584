//! Kalshi's fixed-point text: prices in ten-thousandths of a dollar (`"0.5600"`), counts in
//! hundredths of a contract (`"10.00"`), both `i64`, read and written exactly.

/// One dollar in price units.
pub(crate) const DOLLAR: i64 = 10_000;

/// `"0.4200"`: four decimals, as Kalshi's `*_dollars` fields.
pub(crate) fn price_text(p: i64) -> String {
    format!("{}.{:04}", p / DOLLAR, p % DOLLAR)
}

/// `"10.00"` or `"-54.00"`: two decimals, as Kalshi's `*_fp` counts.
pub(crate) fn count_text(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// Parses a non-negative decimal with at most `decimals` fractional digits into units of
/// `10^-decimals` (`"0.56"` with 4 gives 5600).
pub(crate) fn parse_fixed(text: &str, decimals: u32) -> Option<i64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > decimals as usize {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<width$}", width = decimals as usize)
        .parse()
        .unwrap_or(0);
    whole.checked_mul(10_i64.pow(decimals))?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_text_round_trips() {
        assert_eq!(parse_fixed("0.56", 4), Some(5600));
        assert_eq!(parse_fixed("0.5600", 4), Some(5600));
        assert_eq!(parse_fixed("10.00", 2), Some(1000));
        assert_eq!(parse_fixed("1", 2), Some(100));
        assert_eq!(parse_fixed("0.56001", 4), None);
        assert_eq!(parse_fixed("-1", 2), None);
        assert_eq!(price_text(5600), "0.5600");
        assert_eq!(count_text(-5400), "-54.00");
        assert_eq!(count_text(5), "0.05");
    }
}
