//! What a request costs the client: signing per backend next to the bare crypto call, and the
//! client's own overhead (URL, query, body, headers) with the crypto taken out.
//!
//! `cargo bench -p kalshi-api --bench signing` (add `--features ring` for the ring backend).
//! Ed25519 through the client is `ed25519-dalek` with `rustcrypto`, `ring` without it.

use criterion::{criterion_group, criterion_main, Criterion};
use kalshi_api::auth::{PrivateKey, RsaBackend, SignError, Signer};
use kalshi_api::{ops, types, Client, Environment, KeyPairSigner};
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use std::hint::black_box;
use std::time::Duration;

const MESSAGE: &[u8] = b"1703123456789GET/trade-api/v2/portfolio/balance";
const KEY_ID: &str = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";

fn keys() -> (rsa::RsaPrivateKey, ed25519_dalek::SigningKey) {
    use rand_core::RngCore as _;
    let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    (rsa, ed25519_dalek::SigningKey::from_bytes(&seed))
}

fn client_with(key: PrivateKey) -> Client {
    Client::builder(Environment::Production)
        .credentials(KEY_ID, key)
        .build()
        .unwrap()
}

/// For each backend: the bare crypto call, the `Signer` (message to base64 signature), and a whole
/// signed `GetBalance` request built by the client.
fn signing(c: &mut Criterion) {
    let (rsa_key, ed_key) = keys();
    let rsa_pem = rsa_key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let ed_pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        ed_key.to_pkcs8_pem(LineEnding::LF).unwrap()
    };
    let balance = ops::GetBalance::new();

    let mut g = c.benchmark_group("sign");
    g.measurement_time(Duration::from_secs(4));

    // rsa crate
    #[cfg(feature = "rustcrypto")]
    {
        let bare =
            rsa::pss::BlindedSigningKey::<sha2::Sha256>::new_with_salt_len(rsa_key.clone(), 32);
        g.bench_function("rsa/bare", |b| {
            use rsa::signature::RandomizedSigner as _;
            b.iter(|| bare.sign_with_rng(&mut rand_core::OsRng, black_box(MESSAGE)))
        });
        let key = || PrivateKey::from_pem_with_backend(&rsa_pem, RsaBackend::RustCrypto).unwrap();
        let signer = KeyPairSigner::new(KEY_ID, key());
        g.bench_function("rsa/signer", |b| {
            b.iter(|| signer.sign(black_box(MESSAGE)).unwrap())
        });
        let client = client_with(key());
        g.bench_function("rsa/request", |b| {
            b.iter(|| client.build_request(black_box(&balance)).unwrap())
        });
    }

    // ring
    #[cfg(feature = "ring")]
    {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let der = rsa_key.to_pkcs1_der().unwrap();
        let pair = ring::signature::RsaKeyPair::from_der(der.as_bytes()).unwrap();
        let rng = ring::rand::SystemRandom::new();
        g.bench_function("ring/bare", |b| {
            let mut sig = vec![0; pair.public().modulus_len()];
            b.iter(|| {
                pair.sign(
                    &ring::signature::RSA_PSS_SHA256,
                    &rng,
                    black_box(MESSAGE),
                    &mut sig,
                )
                .unwrap()
            })
        });
        let key = || PrivateKey::from_pem_with_backend(&rsa_pem, RsaBackend::Ring).unwrap();
        let signer = KeyPairSigner::new(KEY_ID, key());
        g.bench_function("ring/signer", |b| {
            b.iter(|| signer.sign(black_box(MESSAGE)).unwrap())
        });
        let client = client_with(key());
        g.bench_function("ring/request", |b| {
            b.iter(|| client.build_request(black_box(&balance)).unwrap())
        });
    }

    // Ed25519
    g.bench_function("ed25519/bare", |b| {
        use ed25519_dalek::Signer as _;
        b.iter(|| ed_key.sign(black_box(MESSAGE)))
    });
    let signer = KeyPairSigner::new(KEY_ID, PrivateKey::from_pem(&ed_pem).unwrap());
    g.bench_function("ed25519/signer", |b| {
        b.iter(|| signer.sign(black_box(MESSAGE)).unwrap())
    });
    let client = client_with(PrivateKey::from_pem(&ed_pem).unwrap());
    g.bench_function("ed25519/request", |b| {
        b.iter(|| client.build_request(black_box(&balance)).unwrap())
    });
    g.finish();
}

/// A signer with no crypto, to measure everything else the client does for a signed request.
#[derive(Debug)]
struct NoCrypto;

impl Signer for NoCrypto {
    fn key_id(&self) -> &str {
        KEY_ID
    }
    fn sign(&self, _: &[u8]) -> Result<String, SignError> {
        // As long as an RSA-2048 signature in base64.
        Ok("A".repeat(344))
    }
}

/// The client's own overhead per request: URL with path and query, JSON body, headers, and the
/// signing plumbing (timestamp, message, header values) with the crypto replaced by [`NoCrypto`].
fn overhead(c: &mut Criterion) {
    let public = Client::new(Environment::Production);
    let signed = Client::builder(Environment::Production)
        .signer(NoCrypto)
        .build()
        .unwrap();
    let markets = ops::GetMarkets::new()
        .limit(100)
        .event_ticker("KXHIGHNY-26JAN01")
        .cursor("CgwIARCA6O3m");
    let market = ops::GetMarket::new("KXHIGHNY-26JAN01-T60");
    let mut order = types::CreateOrderV2Request::new(
        "KXHIGHNY-26JAN01-T60",
        types::BookSide::Bid,
        "10.00".parse().unwrap(),
        "0.5600".parse().unwrap(),
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    order.client_order_id = Some("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1".into());
    let create = ops::CreateOrderV2::new(order);
    let cancel = ops::BatchCancelOrdersV2::new(types::BatchCancelOrdersV2Request::new(
        (0..20)
            .map(|i| {
                types::BatchCancelOrdersV2RequestOrdersItem::new(
                    format!("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a{i:02}").into(),
                )
            })
            .collect(),
    ));

    let mut g = c.benchmark_group("client_overhead");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("get_market/unsigned", |b| {
        b.iter(|| public.build_request(black_box(&market)).unwrap())
    });
    g.bench_function("get_markets_query/unsigned", |b| {
        b.iter(|| public.build_request(black_box(&markets)).unwrap())
    });
    g.bench_function("get_balance/signed_no_crypto", |b| {
        b.iter(|| {
            signed
                .build_request(black_box(&ops::GetBalance::new()))
                .unwrap()
        })
    });
    g.bench_function("create_order_v2/signed_no_crypto", |b| {
        b.iter(|| signed.build_request(black_box(&create)).unwrap())
    });
    g.bench_function("batch_cancel_20/signed_no_crypto", |b| {
        b.iter(|| signed.build_request(black_box(&cancel)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, signing, overhead);
criterion_main!(benches);
