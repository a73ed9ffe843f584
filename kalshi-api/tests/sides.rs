//! The side types convert where they mean the same thing (kalshi_api::sides): the runtime's
//! `Side` and the generated outcome and book-side enums, REST and WebSocket.

use kalshi_api::sides::{other_side_price, Side};
use kalshi_api::{types, ws};

#[test]
fn a_side_is_the_outcome_of_the_same_name_and_back() {
    for side in [Side::Yes, Side::No] {
        let rest = types::OutcomeSide::from(side);
        assert_eq!(rest.to_string(), side.as_str());
        assert_eq!(Side::try_from(rest), Ok(side));
        let wire = ws::MarketSide::from(side);
        assert_eq!(wire.to_string(), side.as_str());
        assert_eq!(Side::try_from(wire), Ok(side));
    }
    // An outcome a newer spec adds has no side: the error hands it back.
    let scalar: types::OutcomeSide = serde_json::from_str(r#""scalar""#).unwrap();
    assert_eq!(Side::try_from(scalar.clone()), Err(scalar));
}

#[test]
fn the_book_side_that_buys_an_outcome_is_bid_for_yes_and_ask_for_no() {
    assert_eq!(types::BookSide::from(Side::Yes), types::BookSide::Bid);
    assert_eq!(types::BookSide::from(Side::No), types::BookSide::Ask);
    assert_eq!(ws::BookSide::from(Side::No), ws::BookSide::Ask);
    assert_eq!(Side::try_from(types::BookSide::Ask), Ok(Side::No));
    assert_eq!(Side::try_from(ws::BookSide::Bid), Ok(Side::Yes));
}

#[test]
fn a_yes_ask_is_the_no_bid_at_one_minus_its_price() {
    let ask = "0.4200".parse().unwrap();
    assert_eq!(other_side_price(ask).to_string(), "0.5800");
    assert_eq!(other_side_price(other_side_price(ask)), ask);
}
