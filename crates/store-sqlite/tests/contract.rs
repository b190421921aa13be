//! Runs the shared store contract (`gatehouse_domain::contract`) against SQLite, in a fresh
//! database file under a temporary directory.

use std::error::Error;

use chrono::Utc;
use gatehouse_domain::contract::{self, run_each};
use gatehouse_domain::{
    Email, NewUser, ParseError, PublicId, Role, SigningKeyRecord, Store, StoreError, Username,
};
use gatehouse_store_sqlite::SqliteStore;
use tokio::task::JoinSet;

type TestResult = Result<(), Box<dyn Error>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_meets_the_contract() -> TestResult {
    let dir = tempfile::tempdir()?;
    // A parent directory that does not exist yet: `open` creates it.
    let store = SqliteStore::open(&dir.path().join("data").join("gatehouse.db"), 8).await?;
    store.migrate().await?;
    store.migrate().await?;
    let report = run_each(&store).await;
    store.close().await;
    report.assert_passed();
    assert_eq!(report.passed.len(), contract::CHECKS.len());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_url_accepts_both_url_forms() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (i, prefix) in ["sqlite://", "sqlite:"].into_iter().enumerate() {
        let path = dir.path().join(format!("nested{i}")).join("url.db");
        let url = format!("{prefix}{}", path.display());
        let store = SqliteStore::open_url(&url, 2).await?;
        store.migrate().await?;
        store.ping().await?;
        store.close().await;
        assert!(path.exists(), "{url} did not create {}", path.display());
    }
    assert!(SqliteStore::open_url("mysql://nope", 1).await.is_err());
    Ok(())
}

/// Two pools on one file stand for two processes: they agree on one signing key and one
/// secret, and their writers queue on the busy timeout instead of failing with `SQLITE_BUSY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pools_on_one_file_agree() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("shared.db");
    let first = SqliteStore::open(&path, 4).await?;
    first.migrate().await?;
    let second = SqliteStore::open(&path, 4).await?;
    second.migrate().await?;

    let (a, b, x, y) = tokio::join!(
        first.ensure_signing_key(key("first")),
        second.ensure_signing_key(key("second")),
        first.ensure_secret("shared", b"first"),
        second.ensure_secret("shared", b"second"),
    );
    a?;
    b?;
    assert_eq!(x?, y?);
    let keys = first.signing_keys().await?;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys, second.signing_keys().await?);

    let mut writers = JoinSet::new();
    for i in 0..16 {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        writers.spawn(async move { store.create_user(user(i)?).await.map(|u| u.id) });
    }
    let mut ids = Vec::new();
    while let Some(joined) = writers.join_next().await {
        ids.push(joined??);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16);
    first.close().await;
    second.close().await;
    Ok(())
}

fn key(kid: &str) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: kid.to_owned(),
        private_der: kid.as_bytes().to_vec(),
        public_raw: vec![7; 32],
        created_at: Utc::now(),
        retired_at: None,
    }
}

fn user(i: u32) -> Result<NewUser, StoreError> {
    let invalid = |e: ParseError| StoreError::Other(Box::new(e));
    Ok(NewUser {
        public_id: PublicId::random(),
        username: Username::parse(&format!("writer{i}")).map_err(invalid)?,
        email: Email::parse(&format!("writer{i}@example.com")).map_err(invalid)?,
        password_hash: "hash".to_owned(),
        first_name: String::new(),
        last_name: String::new(),
        phone_number: String::new(),
        date_of_birth: None,
        gender: String::new(),
        role: Role::from_store("client".to_owned()),
        is_active: true,
        is_email_verified: false,
        is_staff: false,
        is_superuser: false,
        date_joined: Utc::now(),
    })
}
