//! Contract checks for signing keys and secrets.

use futures_util::future::join_all;

use super::support::{Must, at, tag};
use crate::{SigningKeyRecord, Store};

fn candidate(kid: String, seed: u8) -> SigningKeyRecord {
    SigningKeyRecord {
        kid,
        private_der: (0..48).map(|i| seed ^ i).collect(),
        public_raw: vec![seed; 32],
        created_at: at("2030-01-01T00:00:00.000001Z"),
        retired_at: None,
    }
}

pub(super) async fn ensure_signing_key_keeps_one_current(store: &dyn Store) {
    let tag = tag();
    let before = store.signing_keys().await.must("signing_keys");
    // Nodes starting together each offer a key; the store keeps exactly one of them.
    let candidates: Vec<_> = (0..4_u8)
        .map(|i| candidate(format!("key-{tag}-{i}"), i.wrapping_mul(61)))
        .collect();
    let offers = candidates
        .iter()
        .map(|c| store.ensure_signing_key(c.clone()));
    for result in join_all(offers).await {
        result.must("ensure_signing_key");
    }
    let after = store.signing_keys().await.must("signing_keys");
    if before.is_empty() {
        assert_eq!(after.len(), 1, "{after:?}");
        assert!(
            candidates.contains(&after[0]),
            "stored key is not a candidate: {after:?}"
        );
    } else {
        assert_eq!(
            after, before,
            "a current key existed, yet another was stored"
        );
    }
    // Later offers, including one that reuses the stored kid, change nothing.
    let mut reused = candidate(after[0].kid.clone(), 200);
    reused.created_at = at("2031-01-01T00:00:00Z");
    store
        .ensure_signing_key(reused)
        .await
        .must("ensure_signing_key");
    let late = candidate(format!("key-{tag}-late"), 7);
    store
        .ensure_signing_key(late)
        .await
        .must("ensure_signing_key");
    assert_eq!(store.signing_keys().await.must("signing_keys"), after);
}

pub(super) async fn ensure_secret_is_idempotent(store: &dyn Store) {
    let tag = tag();
    let name = format!("secret-{tag}");
    let every_byte: Vec<u8> = (0..=255).collect();
    let first = store
        .ensure_secret(&name, &every_byte)
        .await
        .must("ensure_secret");
    assert_eq!(first, every_byte);
    let second = store
        .ensure_secret(&name, b"other")
        .await
        .must("ensure_secret");
    assert_eq!(second, every_byte);

    let empty = store.ensure_secret(&format!("empty-{tag}"), &[]).await;
    assert_eq!(empty.must("ensure_secret"), Vec::<u8>::new());

    let raced = format!("raced-{tag}");
    let candidates: Vec<Vec<u8>> = (0..8_u8).map(|i| vec![i; 16]).collect();
    let offers = candidates.iter().map(|c| store.ensure_secret(&raced, c));
    let results: Vec<Vec<u8>> = join_all(offers)
        .await
        .into_iter()
        .map(|r| r.must("ensure_secret"))
        .collect();
    assert!(candidates.contains(&results[0]), "{results:?}");
    assert!(results.iter().all(|r| *r == results[0]), "{results:?}");
}
