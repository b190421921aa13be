//! Driving the real binary: `import-django` runs, a server on the imported database, logins.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gatehouse_domain::Store;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// gatehouse's own database for one test, and a data dir for its keys and mail.
#[derive(Debug)]
pub struct Gatehouse {
    pub dir: tempfile::TempDir,
    pub database_url: String,
}

impl Gatehouse {
    /// The binary with this database, tiny argon2 costs and no stray configuration.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GATEHOUSE_DATA_DIR", self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("GATEHOUSE_ARGON2_MEMORY_KIB", "64")
            .env("GATEHOUSE_ARGON2_ITERATIONS", "1")
            .env("GATEHOUSE_LOG", "warn");
        command
    }

    /// Runs `gatehouse import-django ARGS…`; returns the output with stdout as text.
    pub fn import(&self, args: &[&str]) -> (Output, String) {
        let out = self
            .command()
            .arg("import-django")
            .args(args)
            .output()
            .expect("the binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out, stdout)
    }

    /// Like `import`, and insists it succeeded.
    pub fn import_ok(&self, args: &[&str]) -> String {
        let (out, stdout) = self.import(args);
        assert!(
            out.status.success(),
            "import failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        gatehouse::store::open(&self.database_url, 1)
            .await
            .expect("store opens")
    }

    /// The stored hash of the user `login` names.
    pub async fn hash_of(&self, login: &str) -> String {
        let store = self.store().await;
        let credentials = store.credentials_by_login(login).await.expect("lookup");
        store.close().await;
        credentials.expect("the user exists").password_hash
    }

    pub fn serve(&self) -> Server {
        let mut child = self
            .command()
            .arg("serve")
            .env("GATEHOUSE_ADDR", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("a first line");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .expect("an address")
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
        Server { child, url }
    }
}

/// A running `gatehouse serve`; stopped (SIGTERM, then waited for) on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// `POST /api/v1/auth/token/`; returns the status and body.
    pub async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        self.post(
            "/api/v1/auth/token/",
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

/// gatehouse on a fresh SQLite file in a fresh data dir.
pub fn sqlite_gatehouse() -> Gatehouse {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}", dir.path().join("gatehouse.db").display());
    Gatehouse { dir, database_url }
}

/// Fails unless `output` contains every one of `expected`.
pub fn assert_lines(output: &str, expected: &[&str]) {
    for line in expected {
        assert!(output.contains(line), "missing {line:?} in:\n{output}");
    }
}
