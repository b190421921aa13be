//! The `gatehouse` binary as a user runs it: configuration errors, `createsuperuser` from a
//! script, `check`, and graceful shutdown on SIGTERM with a request in flight.

#![expect(clippy::expect_used, reason = "helpers fail the test loudly")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// A command in a fresh data directory, with tiny argon2 costs and no stray configuration.
fn gatehouse(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GATEHOUSE_DATA_DIR", dir.path())
        .env("GATEHOUSE_ARGON2_MEMORY_KIB", "64")
        .env("GATEHOUSE_ARGON2_ITERATIONS", "1")
        .env("GATEHOUSE_LOG", "warn");
    command
}

/// Starts `serve` on a free port and returns the child with its base URL.
fn serve(mut command: Command) -> (Child, String) {
    let mut child = command
        .arg("serve")
        .env("GATEHOUSE_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a first line");
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("an address")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "unexpected first line: {line:?}"
    );
    (child, url)
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_setting_and_the_accepted_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = gatehouse(&dir)
        .arg("check")
        .env("GATEHOUSE_EMAIL_VERIFICATION", "maybe")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("EMAIL_VERIFICATION")
            && stderr.contains("required")
            && stderr.contains("off"),
        "{stderr}"
    );

    let out = gatehouse(&dir)
        .arg("check")
        .env("GATEHOUSE_ACCESS_TTL", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ACCESS_TTL"));

    let out = gatehouse(&dir)
        .arg("check")
        .env("DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));

    let out = gatehouse(&dir)
        .arg("check")
        .env("GATEHOUSE_CORS_ORIGINS", "*")
        .env("GATEHOUSE_CORS_CREDENTIALS", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CORS_CREDENTIALS"));

    let out = gatehouse(&dir)
        .arg("check")
        .env("GATEHOUSE_CORS_ORIGINS", "https://app.example.com/path")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CORS_ORIGINS"));
}

#[test]
fn check_reports_a_reachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = gatehouse(&dir).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("configuration: ok") && stdout.contains("database: ok"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_superuser_created_from_a_script_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = gatehouse(&dir)
        .args([
            "createsuperuser",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (mut server, url) = serve(gatehouse(&dir));
    let response = reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/token/"))
        .json(&serde_json::json!({"username": "root", "password": "correct horse battery staple"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["is_superuser"], true);
    assert_eq!(body["user"]["is_staff"], true);
    assert_eq!(body["user"]["is_email_verified"], true);
    terminate(&server);
    assert!(wait_exit(&mut server, Duration::from_secs(10)).success());
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = gatehouse(&dir);
    // Registration hashes a password; make that take long enough to be caught mid-flight.
    command
        .env("GATEHOUSE_ARGON2_MEMORY_KIB", "131072")
        .env("GATEHOUSE_ARGON2_ITERATIONS", "6");
    let (mut server, url) = serve(command);
    let client = reqwest::Client::new();
    let in_flight = tokio::spawn({
        let (client, url) = (client.clone(), url.clone());
        async move {
            client
                .post(format!("{url}/api/v1/auth/register/"))
                .json(&serde_json::json!({"username": "late", "email": "late@example.com", "password": "correct horse battery"}))
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(
        !in_flight.is_finished(),
        "the request must still be in flight when SIGTERM arrives"
    );
    terminate(&server);
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(response.status(), 201);
    assert!(wait_exit(&mut server, Duration::from_secs(20)).success());
    assert!(
        client.get(format!("{url}/healthz")).send().await.is_err(),
        "no longer accepting"
    );
}
