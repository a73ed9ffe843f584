//! JSON round trips of the composition fixture's generated types, run as an integration test of
//! the crate `snapshots_and_legacy_spec_compile` builds from the committed snapshot (see
//! `codegen/tests/generate.rs`): `oneOf` with and without a discriminator, `anyOf`, an `allOf` of
//! several members, and a nullable alternative.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use snapshot_composition::types::*;

/// Decodes `json`, encodes it again, and requires the same JSON back.
fn round_trip<T: Serialize + DeserializeOwned + std::fmt::Debug>(json: Value) -> T {
    let decoded: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), json, "{decoded:?}");
    decoded
}

#[test]
fn one_of_with_a_discriminator_picks_by_tag_and_keeps_an_unknown_tag() {
    let cat: Pet = round_trip(json!({"kind": "cat", "lives": 9}));
    assert!(matches!(&cat, Pet::Cat(c) if c.lives == 9), "{cat:?}");
    let dog: Pet = round_trip(json!({"kind": "dog", "barks": true}));
    assert!(matches!(&dog, Pet::Dog(d) if d.barks), "{dog:?}");
    let fish: Pet = round_trip(json!({"kind": "fish", "fins": 2}));
    assert!(matches!(fish, Pet::Unknown(_)));
}

#[test]
fn one_of_without_a_discriminator_tries_the_alternatives_in_order() {
    let circle: Shape = round_trip(json!({"radius": 1.5}));
    assert!(matches!(&circle, Shape::Circle(c) if c.radius == 1.5), "{circle:?}");
    let square: Shape = round_trip(json!({"side": 2.0}));
    assert!(matches!(square, Shape::Square(_)));
    let named: Shape = round_trip(json!("blob"));
    assert!(matches!(named, Shape::String(_)));
    let other: Shape = round_trip(json!([1, 2, 3]));
    assert!(matches!(other, Shape::Unknown(_)));
}

#[test]
fn any_of_takes_the_first_alternative_that_fits() {
    assert!(matches!(round_trip::<Limit>(json!(5)), Limit::Integer(5)));
    assert!(matches!(round_trip::<Limit>(json!("all")), Limit::String(_)));
    assert!(matches!(round_trip::<Limit>(json!(true)), Limit::Unknown(_)));
}

#[test]
fn all_of_several_members_is_one_struct_with_every_property() {
    let thing: Thing = round_trip(json!({
        "id": "t-1",
        "created": "2026-01-02T03:04:05Z",
        "name": "widget",
        "tags": ["a", "b"],
        "price": "1.25",
    }));
    assert_eq!((thing.id.as_str(), thing.name.as_str()), ("t-1", "widget"));
    assert_eq!(thing.price.as_deref(), Some("1.25"));
}

#[test]
fn a_page_of_alternatives_and_a_nullable_alternative_decode_whole() {
    let page: ThingsPage = serde_json::from_value(json!({
        "things": [{"id": "t-1", "name": "widget"}],
        "pets": [{"kind": "cat", "lives": 1}, {"kind": "parrot"}],
        "shapes": {"a": {"radius": 1.0}, "b": "blob"},
        "limit": 10,
        "favourite": null,
        "inline_choice": ["x", "y"],
    }))
    .unwrap();
    assert_eq!(page.things.len(), 1);
    assert!(matches!(page.pets[1], Pet::Unknown(_)), "a new alternative fails nothing");
    assert!(page.favourite.is_none(), "null is the nullable alternative");
    assert!(matches!(page.inline_choice, Some(ThingsPageInlineChoice::Array(_))));
    let page: ThingsPage = serde_json::from_value(json!({
        "things": [], "pets": [], "favourite": {"kind": "cat", "lives": 3}
    }))
    .unwrap();
    assert_eq!(page.favourite.map(|c| c.lives), Some(3));
}
