//! `TestApp`: one real server per test, on the store the environment names, with one method per
//! endpoint (`endpoints.rs`); plus the assertions every area shares (`assertions.rs`).

mod assertions;
mod email_endpoints;
mod endpoints;
mod mfa_endpoints;

pub use mfa_endpoints::totp_at;

pub use assertions::{
    assert_drf_error, assert_field_error, assert_token_pair, assert_unauthorized, assert_user_shape,
};

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse::app::Running;
use gatehouse::clock::Clock;
use gatehouse::config::{Config, EmailVerification, MailBackend, Switch};
use gatehouse_domain::Store;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A password every policy check accepts for the generated users.
pub const PASSWORD: &str = "Tr0ub4dor&3-staple";
/// Sent on every request, so sessions record it as their device.
pub const USER_AGENT: &str = "gatehouse-tests/1.0";

/// Whether this run is CI, where missing services fail tests instead of skipping them.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The Postgres admin URL and the Redis URL, for tests that need both. Missing in CI: the test
/// fails; elsewhere it prints a skip line and the caller returns.
pub fn postgres_and_redis(test: &str) -> Option<(String, String)> {
    match (env("TEST_DATABASE_URL"), env("TEST_REDIS_URL")) {
        (Some(pg), Some(redis)) => Some((pg, redis)),
        _ if ci() => panic!(
            "{test}: CI=true but TEST_DATABASE_URL and TEST_REDIS_URL are not both set; \
             this test needs PostgreSQL and Redis and must not be skipped in CI"
        ),
        _ => {
            eprintln!("skipped {test}: set TEST_DATABASE_URL and TEST_REDIS_URL to run it");
            None
        }
    }
}

/// One HTTP answer, read to the end. A body that is not JSON is kept as a JSON string.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `body[key]` as a string; panics with the whole answer when it is not one.
    pub fn str(&self, key: &str) -> &str {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key:?} is not a string in {self:#?}"))
    }
}

/// A registered user with one logged-in session.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

/// A running server and a client for it. Dropping it drops its scratch Postgres database.
#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's clock: `clock.advance(..)` instead of sleeping.
    pub clock: Clock,
    pub database_url: String,
    client: reqwest::Client,
    running: Running,
    /// (admin URL, database URL) of a database this app created and drops.
    scratch: Option<(String, String)>,
    /// Data dir (and SQLite file); shared with peers, removed with the last of them.
    dir: Arc<tempfile::TempDir>,
}

impl TestApp {
    /// A server with the test defaults on a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server on a fresh database, with `configure` applied over the test defaults.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let scratch = match env("TEST_DATABASE_URL") {
            Some(admin) => {
                let url = gatehouse_store_postgres::create_scratch_database(&admin)
                    .await
                    .expect("creating a scratch Postgres database");
                Some((admin, url))
            }
            None => None,
        };
        let database_url = scratch.as_ref().map_or_else(
            || format!("sqlite://{}", dir.path().join("gatehouse.db").display()),
            |(_, url)| url.clone(),
        );
        Self::start(dir, database_url, scratch, Clock::manual(), configure).await
    }

    /// A second node on this app's database (and clock), as another process would be.
    pub async fn spawn_peer(&self, configure: impl FnOnce(&mut Config)) -> Self {
        let dir = self.dir.clone();
        Self::start(
            dir,
            self.database_url.clone(),
            None,
            self.clock.clone(),
            configure,
        )
        .await
    }

    async fn start(
        dir: Arc<tempfile::TempDir>,
        database_url: String,
        scratch: Option<(String, String)>,
        clock: Clock,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_owned(),
            database_url: Some(database_url.clone()),
            // Tiny argon2 parameters: hashing is not what these tests measure.
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            // Accounts are active at once unless a test turns verification on; mail stays in
            // memory and jobs run when a test drains them, not in the background.
            email_verification: EmailVerification::Off,
            mail: MailBackend::Memory,
            worker: false,
            // Every test client is 127.0.0.1 and the clock stands still, so flows that send many
            // requests would trip the limits; `limits.rs` turns them on where they are tested.
            rate_limits: Switch::Off,
            ..Config::default()
        };
        configure(&mut config);
        config.validate().expect("test configuration is valid");
        let running = gatehouse::app::start(config, clock.clone())
            .await
            .expect("server starts");
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            addr: running.addr(),
            clock,
            database_url,
            client,
            running,
            scratch,
            dir,
        }
    }

    /// The server's store, for the few arrangements HTTP cannot make.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.running.state().store
    }

    /// Runs every job due now on this node, as its worker would; returns how many ran.
    pub async fn drain_jobs(&self) -> usize {
        self.running.drain_jobs().await.expect("draining jobs")
    }

    /// The data dir (SQLite file, file mailbox), shared with peers.
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends a request, with a JSON body when `body` is given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        let content_type = bytes.as_ref().map(|_| "application/json");
        self.send_raw(
            method,
            path,
            bearer,
            content_type,
            bytes.unwrap_or_default(),
        )
        .await
    }

    /// Sends exactly these bytes with this content type (none when `None`).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = self.client.request(method, self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body is readable");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, None, Some(body)).await
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> Answer {
        self.send(Method::GET, path, bearer, None).await
    }

    // --- conveniences ---

    /// A register body for a user nobody else in this database has.
    pub fn new_user_body() -> Value {
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..10];
        json!({"username": format!("user_{tag}"), "email": format!("user_{tag}@example.com"), "password": PASSWORD})
    }

    /// Registers a fresh user and logs them in once.
    pub async fn register_and_login(&self) -> TestUser {
        let body = Self::new_user_body();
        let registered = self.register(&body).await;
        assert_eq!(registered.status, StatusCode::CREATED, "{registered:#?}");
        let username = body["username"].as_str().unwrap().to_owned();
        let (access, refresh) = self.login_tokens(&username, PASSWORD).await;
        TestUser {
            id: registered.body["id"].as_i64().unwrap(),
            email: body["email"].as_str().unwrap().to_owned(),
            username,
            password: PASSWORD.to_owned(),
            access,
            refresh,
        }
    }

    /// Logs in (a new session) and returns (access, refresh); panics unless it is a 200.
    pub async fn login_tokens(&self, login: &str, password: &str) -> (String, String) {
        let answer = self.login(login, password).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
        (
            answer.str("access").to_owned(),
            answer.str("refresh").to_owned(),
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some((admin, url)) = self.scratch.take() else {
            return;
        };
        // Drop is synchronous and may run on the test's runtime: use a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(gatehouse_store_postgres::drop_database(&admin, &url));
        })
        .join();
        if dropped.is_err() {
            eprintln!(
                "dropping the scratch database {} panicked",
                self.database_url
            );
        }
    }
}

/// The claims of a JWT, read without verifying it.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
        .expect("JSON claims")
}
