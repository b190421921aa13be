//! One typed configuration tree: built-in defaults < `gatehouse.toml` (or `--config FILE`) <
//! environment (`GATEHOUSE_*`, plus `DATABASE_URL` and `REDIS_URL`).
//!
//! Everything is validated before the server binds, and a bad value stops start-up with a
//! message naming the setting and what it accepts. With no configuration at all the server runs:
//! SQLite and keys under `./data`, listening on 127.0.0.1:8000.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Deserializer};

/// Environment variables read without the `GATEHOUSE_` prefix, by convention of the ecosystem.
const UNPREFIXED: [&str; 2] = ["database_url", "redis_url"];

/// Whether a new account must prove its email address before it can log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailVerification {
    Required,
    Off,
}

/// A feature that is on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The whole configuration. Field names are the `gatehouse.toml` keys; the environment name is
/// `GATEHOUSE_` + the upper-cased key (`access_ttl` → `GATEHOUSE_ACCESS_TTL`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen address; `:0` or port 0 picks any free port (the chosen one is logged).
    #[serde(deserialize_with = "de::addr")]
    pub addr: SocketAddr,
    /// SQLite file, generated keys and the file mailbox live here.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset means `sqlite://<data_dir>/gatehouse.db`.
    pub database_url: Option<String>,
    /// Enables cross-node revocation fan-out and shared rate-limit counters.
    pub redis_url: Option<String>,
    /// Base of links in emails; unset means `http://<addr>`.
    pub public_url: Option<String>,
    /// Maximum pooled database connections.
    pub db_max_connections: u32,
    /// `iss` claim of access tokens.
    pub issuer: String,
    /// Access token lifetime.
    #[serde(deserialize_with = "de::duration")]
    pub access_ttl: Duration,
    /// Refresh token lifetime, renewed on each rotation.
    #[serde(deserialize_with = "de::duration")]
    pub refresh_ttl: Duration,
    /// How long a refresh token one rotation old is still answered (lost responses, races).
    #[serde(deserialize_with = "de::duration")]
    pub refresh_grace: Duration,
    /// Clock skew tolerated on `exp` between nodes.
    #[serde(deserialize_with = "de::duration")]
    pub jwt_leeway: Duration,
    /// How often each node re-reads revoked sessions from the database (heals missed messages).
    #[serde(deserialize_with = "de::duration")]
    pub revocation_sync: Duration,
    /// How long a node answers from its cache of users before reading one again; changes made
    /// through any node reach the others at once over Redis, without Redis within this time.
    /// `0s` reads the user on every request.
    #[serde(deserialize_with = "de::duration")]
    pub user_cache_ttl: Duration,
    pub email_verification: EmailVerification,
    /// Every role a user can have.
    #[serde(deserialize_with = "de::list")]
    pub roles: Vec<String>,
    /// The roles a user may pick for themself at sign-up; the first is the default.
    #[serde(deserialize_with = "de::list")]
    pub signup_roles: Vec<String>,
    /// Which non-staff roles may invite users of which roles, as `inviter:invitee` pairs
    /// (`employee:client`). Unset: `employee:client` when both roles exist, else none. Staff
    /// may invite any role.
    #[serde(deserialize_with = "de::list_opt")]
    pub role_invites: Option<Vec<String>>,
    /// Lifetime of the set-password link in an invitation.
    #[serde(deserialize_with = "de::duration")]
    pub invite_ttl: Duration,
    /// How long audit-log entries are kept.
    #[serde(deserialize_with = "de::duration")]
    pub audit_retention: Duration,
    pub password_min_length: usize,
    /// Argon2id memory cost in KiB (OWASP: 19456).
    pub argon2_memory_kib: u32,
    /// Argon2id passes (OWASP: 2).
    pub argon2_iterations: u32,
    /// Argon2id lanes (OWASP: 1).
    pub argon2_parallelism: u32,
    /// Hashes computed at once; unset means one per CPU core.
    pub hash_concurrency: Option<usize>,
    /// Requests allowed to wait for a hashing slot before new ones get 503 + Retry-After.
    pub hash_queue: usize,
    /// Largest accepted JSON body in bytes.
    pub max_body_bytes: usize,
    /// Browser origins allowed to call the API (`https://app.example.com`), or `*`; empty: no
    /// CORS headers at all.
    #[serde(deserialize_with = "de::list")]
    pub cors_origins: Vec<String>,
    /// Whether those origins may send credentials (cookies, HTTP authentication).
    pub cors_credentials: bool,
    /// A request taking longer is answered 503.
    #[serde(deserialize_with = "de::duration")]
    pub request_timeout: Duration,
    /// Rate limits and brute-force backoff; `off` for benchmarks and load tests.
    pub rate_limits: Switch,
    /// Failed credential checks per identifier, and per IP+identifier, within
    /// `rate_limit_failure_window`; from then on each failure waits 1 s, doubling.
    pub rate_limit_failures: u32,
    #[serde(deserialize_with = "de::duration")]
    pub rate_limit_failure_window: Duration,
    /// The longest wait the doubling reaches.
    #[serde(deserialize_with = "de::duration")]
    pub rate_limit_backoff_max: Duration,
    /// Requests per IP per minute to the limited (credential, email, registration) endpoints.
    pub rate_limit_requests_per_ip: u32,
    /// Code, reset and resend emails per address per hour.
    pub rate_limit_emails: u32,
    /// Code, reset and resend emails per IP per hour.
    pub rate_limit_emails_per_ip: u32,
    /// Registrations per IP per hour.
    pub rate_limit_registrations_per_ip: u32,
    /// A header a trusted reverse proxy sets to the client's address (`X-Forwarded-For`); its
    /// right-most address is the client. Unset: the socket's address, since clients can forge
    /// headers when no proxy overwrites them.
    pub trusted_proxy_header: Option<String>,
    /// On SIGTERM/Ctrl-C, how long in-flight requests get to finish.
    #[serde(deserialize_with = "de::duration")]
    pub shutdown_grace: Duration,
    /// Log filter, e.g. `info` or `gatehouse=debug,tower_http=info`.
    pub log: String,
    pub log_format: LogFormat,
    /// Where email goes.
    pub mail: MailBackend,
    /// SMTP server for `mail = "smtp"`: `smtp://host:1025`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`.
    pub smtp_url: String,
    /// Sender of every email.
    pub mail_from: String,
    /// Name of the service in email subjects and greetings.
    pub site_name: String,
    /// Lifetime of 6-digit codes (activation, login, reset, email change).
    #[serde(deserialize_with = "de::duration")]
    pub code_ttl: Duration,
    /// Wrong attempts after which a code is void.
    pub code_attempts: u32,
    /// Minimum time between two emailed codes of one purpose to one account.
    #[serde(deserialize_with = "de::duration")]
    pub code_cooldown: Duration,
    /// Lifetime of an emailed password-reset link.
    #[serde(deserialize_with = "de::duration")]
    pub reset_link_ttl: Duration,
    /// Lifetime of the reset token handed out after a reset code is verified.
    #[serde(deserialize_with = "de::duration")]
    pub reset_token_ttl: Duration,
    /// Run the job worker inside `serve` (`serve --no-worker` turns it off).
    pub worker: bool,
    /// How long a claimed job is reserved for its worker before others may take it.
    #[serde(deserialize_with = "de::duration")]
    pub job_lease: Duration,
    /// Tries before a job moves to the dead-letter state.
    pub job_max_attempts: u32,
    /// Delay before the first retry; it doubles with each attempt, up to `job_retry_max`.
    #[serde(deserialize_with = "de::duration")]
    pub job_retry_base: Duration,
    #[serde(deserialize_with = "de::duration")]
    pub job_retry_max: Duration,
    /// How often an idle worker looks for due jobs (jobs enqueued by this node wake it at once).
    #[serde(deserialize_with = "de::duration")]
    pub job_poll: Duration,
}

/// The mail backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailBackend {
    /// `<data dir>/mail/<time>-<id>.eml`, readable RFC 5322 files.
    File,
    Smtp,
    /// Kept in memory (tests).
    Memory,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            public_url: None,
            db_max_connections: 16,
            issuer: "gatehouse".to_owned(),
            access_ttl: Duration::from_mins(5),
            refresh_ttl: Duration::from_hours(14 * 24),
            refresh_grace: Duration::from_secs(10),
            jwt_leeway: Duration::ZERO,
            revocation_sync: Duration::from_secs(2),
            user_cache_ttl: Duration::from_secs(2),
            email_verification: EmailVerification::Required,
            roles: vec!["client".to_owned(), "employee".to_owned()],
            signup_roles: vec!["client".to_owned()],
            role_invites: None,
            invite_ttl: Duration::from_hours(72),
            audit_retention: Duration::from_hours(90 * 24),
            password_min_length: 8,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            hash_concurrency: None,
            hash_queue: 256,
            max_body_bytes: 64 * 1024,
            cors_origins: Vec::new(),
            cors_credentials: false,
            request_timeout: Duration::from_secs(30),
            rate_limits: Switch::On,
            rate_limit_failures: 10,
            rate_limit_failure_window: Duration::from_mins(15),
            rate_limit_backoff_max: Duration::from_mins(15),
            rate_limit_requests_per_ip: 60,
            rate_limit_emails: 5,
            rate_limit_emails_per_ip: 30,
            rate_limit_registrations_per_ip: 20,
            trusted_proxy_header: None,
            shutdown_grace: Duration::from_secs(20),
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            mail: MailBackend::File,
            smtp_url: "smtp://127.0.0.1:1025".to_owned(),
            mail_from: "gatehouse <no-reply@localhost>".to_owned(),
            site_name: "gatehouse".to_owned(),
            code_ttl: Duration::from_mins(10),
            code_attempts: 5,
            code_cooldown: Duration::from_mins(1),
            reset_link_ttl: Duration::from_hours(1),
            reset_token_ttl: Duration::from_mins(10),
            worker: true,
            job_lease: Duration::from_secs(30),
            job_max_attempts: 20,
            job_retry_base: Duration::from_secs(2),
            job_retry_max: Duration::from_mins(5),
            job_poll: Duration::from_secs(1),
        }
    }
}

/// A setting that cannot be used, with the reason in words a user can act on.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads defaults < file < environment. The file is `path` if given (it must exist), else
    /// `./gatehouse.toml` if present.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        match path {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("gatehouse.toml").exists() => {
                figment = figment.merge(Toml::file_exact("gatehouse.toml"));
            }
            None => {}
        }
        let figment = figment
            .merge(Env::prefixed("GATEHOUSE_").ignore(&["config"]))
            .merge(Env::raw().only(&UNPREFIXED));
        let config: Self = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: relations between settings and value ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |setting: &str, accepted: &str| {
            Err(ConfigError(format!("{setting}: expected {accepted}")))
        };
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return bad("DATABASE_URL", "a sqlite://… or postgres://… URL");
        }
        if let Some(url) = &self.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return bad("REDIS_URL", "a redis://… or rediss://… URL");
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad("GATEHOUSE_PUBLIC_URL", "an http:// or https:// URL");
        }
        if self.access_ttl < Duration::from_secs(1) {
            return bad("GATEHOUSE_ACCESS_TTL", "a duration of at least 1s, e.g. 5m");
        }
        if self.refresh_ttl <= self.access_ttl {
            return bad(
                "GATEHOUSE_REFRESH_TTL",
                "a duration longer than GATEHOUSE_ACCESS_TTL, e.g. 14d",
            );
        }
        if self.revocation_sync < Duration::from_millis(100) {
            return bad("GATEHOUSE_REVOCATION_SYNC", "a duration of at least 100ms");
        }
        if self.user_cache_ttl > Duration::from_mins(1) {
            return bad(
                "GATEHOUSE_USER_CACHE_TTL",
                "a duration of at most 1m (0s turns it off)",
            );
        }
        if self.db_max_connections == 0 {
            return bad("GATEHOUSE_DB_MAX_CONNECTIONS", "a number of at least 1");
        }
        if self.hash_concurrency == Some(0) {
            return bad("GATEHOUSE_HASH_CONCURRENCY", "a number of at least 1");
        }
        self.validate_cors()?;
        if self.max_body_bytes < 1024 {
            return bad("GATEHOUSE_MAX_BODY_BYTES", "a number of at least 1024");
        }
        if !(1..=128).contains(&self.password_min_length) {
            return bad("GATEHOUSE_PASSWORD_MIN_LENGTH", "a number from 1 to 128");
        }
        if argon2::Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .is_err()
        {
            return bad(
                "GATEHOUSE_ARGON2_MEMORY_KIB / _ITERATIONS / _PARALLELISM",
                "memory ≥ 8 × parallelism KiB, iterations ≥ 1, parallelism 1–16777215",
            );
        }
        self.role_set().map_err(|e| {
            ConfigError(format!(
                "GATEHOUSE_ROLES / GATEHOUSE_SIGNUP_ROLES / GATEHOUSE_ROLE_INVITES: {e}"
            ))
        })?;
        if self.audit_retention < Duration::from_hours(24) {
            return bad(
                "GATEHOUSE_AUDIT_RETENTION",
                "a duration of at least 1d, e.g. 90d",
            );
        }
        if self.invite_ttl < Duration::from_mins(10) {
            return bad(
                "GATEHOUSE_INVITE_TTL",
                "a duration of at least 10m, e.g. 72h",
            );
        }
        self.validate_mail_and_jobs()?;
        self.validate_limits()?;
        if tracing_subscriber::EnvFilter::try_new(&self.log).is_err() {
            return bad(
                "GATEHOUSE_LOG",
                "a log filter such as info or gatehouse=debug",
            );
        }
        Ok(())
    }

    /// CORS origins are exact origins (scheme, host, port) or `*`, never `*` with credentials.
    fn validate_cors(&self) -> Result<(), ConfigError> {
        let origin = |o: &str| {
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"));
            rest.is_some_and(|host| !host.is_empty() && !host.contains('/'))
                && axum::http::HeaderValue::from_str(o).is_ok()
        };
        if let Some(bad) = self.cors_origins.iter().find(|o| *o != "*" && !origin(o)) {
            return Err(ConfigError(format!(
                "GATEHOUSE_CORS_ORIGINS: {bad:?} is not an origin: expected `*` or \
                 scheme://host[:port] such as https://app.example.com, without a path"
            )));
        }
        if self.cors_credentials && self.cors_origins.iter().any(|o| o == "*") {
            return Err(ConfigError(
                "GATEHOUSE_CORS_CREDENTIALS: expected false while GATEHOUSE_CORS_ORIGINS is `*`: \
                 credentials need the origins named"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// The email, code and job settings.
    fn validate_mail_and_jobs(&self) -> Result<(), ConfigError> {
        let bad = |setting: &str, accepted: &str| {
            Err(ConfigError(format!("{setting}: expected {accepted}")))
        };
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "GATEHOUSE_MAIL_FROM",
                "an address such as `gatehouse <no-reply@example.com>`",
            );
        }
        if self.mail == MailBackend::Smtp
            && lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&self.smtp_url)
                .is_err()
        {
            return bad(
                "GATEHOUSE_SMTP_URL",
                "smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465",
            );
        }
        if self.code_ttl < Duration::from_mins(1) || self.code_ttl > Duration::from_hours(24) {
            return bad("GATEHOUSE_CODE_TTL", "a duration from 1m to 24h");
        }
        if self.code_attempts == 0 {
            return bad("GATEHOUSE_CODE_ATTEMPTS", "a number of at least 1");
        }
        if self.reset_link_ttl < Duration::from_mins(1)
            || self.reset_token_ttl < Duration::from_mins(1)
        {
            return bad(
                "GATEHOUSE_RESET_LINK_TTL / GATEHOUSE_RESET_TOKEN_TTL",
                "a duration of at least 1m",
            );
        }
        if self.job_lease < Duration::from_secs(1) || self.job_poll < Duration::from_millis(10) {
            return bad(
                "GATEHOUSE_JOB_LEASE / GATEHOUSE_JOB_POLL",
                "durations of at least 1s / 10ms",
            );
        }
        if self.job_max_attempts == 0 {
            return bad("GATEHOUSE_JOB_MAX_ATTEMPTS", "a number of at least 1");
        }
        Ok(())
    }

    /// The rate-limit settings.
    fn validate_limits(&self) -> Result<(), ConfigError> {
        let bad = |setting: &str, accepted: &str| {
            Err(ConfigError(format!("{setting}: expected {accepted}")))
        };
        let counts = [
            ("GATEHOUSE_RATE_LIMIT_FAILURES", self.rate_limit_failures),
            (
                "GATEHOUSE_RATE_LIMIT_REQUESTS_PER_IP",
                self.rate_limit_requests_per_ip,
            ),
            ("GATEHOUSE_RATE_LIMIT_EMAILS", self.rate_limit_emails),
            (
                "GATEHOUSE_RATE_LIMIT_EMAILS_PER_IP",
                self.rate_limit_emails_per_ip,
            ),
            (
                "GATEHOUSE_RATE_LIMIT_REGISTRATIONS_PER_IP",
                self.rate_limit_registrations_per_ip,
            ),
        ];
        if let Some((setting, _)) = counts.iter().find(|(_, n)| *n == 0) {
            return bad(
                setting,
                "a number of at least 1 (GATEHOUSE_RATE_LIMITS=off disables limits)",
            );
        }
        if self.rate_limit_failure_window < Duration::from_secs(1) {
            return bad(
                "GATEHOUSE_RATE_LIMIT_FAILURE_WINDOW",
                "a duration of at least 1s, e.g. 15m",
            );
        }
        if self.rate_limit_backoff_max < Duration::from_secs(1) {
            return bad(
                "GATEHOUSE_RATE_LIMIT_BACKOFF_MAX",
                "a duration of at least 1s, e.g. 15m",
            );
        }
        if let Some(name) = &self.trusted_proxy_header
            && axum::http::HeaderName::from_bytes(name.trim().as_bytes()).is_err()
        {
            return bad(
                "GATEHOUSE_TRUSTED_PROXY_HEADER",
                "a header name such as X-Forwarded-For",
            );
        }
        Ok(())
    }

    /// Base of links in emails: `public_url` without a trailing slash, or `http://<addr>`.
    pub fn public_base(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("gatehouse.db").display()))
    }

    /// The role set with its invitation rules, already validated by `validate`.
    pub fn role_set(&self) -> Result<gatehouse_domain::RoleSet, ConfigError> {
        let invites = match &self.role_invites {
            Some(pairs) => pairs.clone(),
            None if ["employee", "client"]
                .iter()
                .all(|r| self.roles.iter().any(|have| have == r)) =>
            {
                vec!["employee:client".to_owned()]
            }
            None => Vec::new(),
        };
        gatehouse_domain::RoleSet::new(self.roles.clone(), self.signup_roles.clone())
            .and_then(|set| set.with_invites(&invites))
            .map_err(|e| ConfigError(e.to_string()))
    }
}

/// Deserializers for the human-friendly forms settings take in files and the environment.
mod de {
    use super::{Deserialize, Deserializer, Duration, SocketAddr};
    use serde::de::Error;

    /// `"5m"`, `"14d"`, `"10s"`, `"250ms"`.
    pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(u64),
        }
        let raw = match Raw::deserialize(d)? {
            Raw::Text(text) => text,
            Raw::Number(n) => {
                return Err(D::Error::custom(format!(
                    "{n} has no unit: expected a duration such as {n}s, {n}m or {n}h"
                )));
            }
        };
        humantime::parse_duration(raw.trim()).map_err(|e| {
            D::Error::custom(format!(
                "{e}: expected a duration such as 30s, 5m, 2h or 14d"
            ))
        })
    }

    /// `"127.0.0.1:8000"`, `"[::1]:8000"`, or `":8000"` (loopback).
    pub fn addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
        let raw = String::deserialize(d)?;
        let raw = raw.trim();
        let full = if raw.starts_with(':') {
            format!("127.0.0.1{raw}")
        } else {
            raw.to_owned()
        };
        full.parse().map_err(|_| {
            D::Error::custom(format!(
                "{raw:?} is not an address: expected HOST:PORT such as 127.0.0.1:8000 or :0"
            ))
        })
    }

    /// An optional `list`.
    pub fn list_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        list(d).map(Some)
    }

    /// A list as a TOML array or a comma-separated string (`client,employee`).
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let items = match Raw::deserialize(d)? {
            Raw::One(s) => s.split(',').map(|s| s.trim().to_owned()).collect(),
            Raw::Many(v) => v
                .into_iter()
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>(),
        };
        Ok(items.into_iter().filter(|s| !s.is_empty()).collect())
    }
}
