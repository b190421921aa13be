//! No input makes a 500 on the seeds' routes either: the hostile bodies and values of
//! `hostile_input` thrown at every compat route that reads a body, path or query.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};
use crate::hostile_input::{hostile_raw_bodies, hostile_values};

/// Method, path, who calls ("anonymous", a "shared" session, or a "fresh" one for routes that
/// end or change the caller's session), and a base body that reaches the use case.
fn targets(username: &str, email: &str, id: i64) -> Value {
    let new = "Brand-new-phrase-2718";
    let token = format!("{}.{}", "A".repeat(43), "bm9ib2R5QGV4YW1wbGUuY29t");
    json!([
        ["POST", "/api/login/", "anonymous", {"username": username, "email": email, "password": PASSWORD}],
        ["POST", "/api/register/", "anonymous", {"username": "h_user", "email": "h@example.com",
            "password": PASSWORD, "phoneNumber": "1", "dateBirth": "2000-01-01", "gender": "x", "image": null}],
        ["POST", "/api/token/refresh/", "anonymous", {"refresh": "grt1.x"}],
        ["POST", "/api/logout/", "fresh", {"refresh": "grt1.x"}],
        ["PUT", format!("/api/change-password/{id}/"), "fresh", {"old_password": PASSWORD,
            "new_password": new, "confirm_new_password": new}],
        ["POST", "/api/request-reset-password/", "anonymous", {"email": email}],
        ["POST", "/auth/api/register/", "anonymous", {"username": "t_user", "email": "t@example.com", "password": PASSWORD}],
        ["POST", "/auth/api/register/verify-otp/123456/", "anonymous", {"email": email}],
        ["PUT", "/auth/api/register/resend-otp/", "anonymous", {"email": email}],
        ["POST", "/auth/api/login/", "anonymous", {"email": email, "password": PASSWORD}],
        ["POST", "/auth/api/logout/", "fresh", {"refresh_token": "grt1.x"}],
        ["PATCH", "/auth/api/change-password/", "fresh", {"old_password": PASSWORD,
            "new_password1": new, "new_password2": new}],
        ["POST", "/auth/api/password-reset/", "anonymous", {"email": email}],
        ["POST", "/auth/api/password-reset/validate_token/", "anonymous", {"email": email, "token": "123456"}],
        ["POST", "/auth/api/password-reset/confirm/", "anonymous", {"email": email, "token": "123456", "password": new}],
        ["POST", "/api/v1/auth/user/", "anonymous", {"username": "l_user", "email": "l@example.com", "password": PASSWORD}],
        ["POST", "/api/v1/auth/user/activation/", "anonymous", {"email": email, "otp_code": "123456"}],
        ["POST", "/api/v1/auth/user/otp/", "anonymous", {"email": email}],
        ["POST", "/api/v1/auth/jwt/create/", "anonymous", {"email": email, "otp_code": "123456", "password": PASSWORD}],
        ["POST", "/api/v1/auth/jwt/verify/", "anonymous", {"token": "x"}],
        ["PATCH", "/api/v1/auth/user/me/", "shared", {"username": "patched", "first_name": "P", "last_name": "Q"}],
        ["DELETE", "/api/v1/auth/user/me/", "shared", {"current_password": "Wrong-password-000"}],
        ["POST", "/auth/email_request/", "anonymous", {"email": email}],
        ["POST", "/auth/check_otp/", "anonymous", {"token": token, "otp": "123456"}],
        ["POST", "/auth/reset_password/", "anonymous", {"token": token, "new_password": new}],
        ["PATCH", "/api/user/", "shared", {"email": email, "username": "dra_name", "phoneNumber": "2",
            "image": null, "dateBirth": "1999-09-09", "gender": "y"}],
        ["POST", "/api/token/", "anonymous", {"username": username, "password": PASSWORD, "email": email}],
    ])
}

#[tokio::test]
async fn no_input_makes_a_500_on_the_seed_routes() {
    let app = TestApp::spawn().await;
    let victim = app.register_and_login().await;
    let leaver = app.register_and_login().await;
    let patcher = app.register_and_login().await;
    let table = targets(&victim.username, &victim.email, leaver.id);
    let mut failures = Vec::new();
    let mut sent = 0;
    for target in table.as_array().unwrap() {
        let method = Method::from_bytes(target[0].as_str().unwrap().as_bytes()).unwrap();
        let path = target[1].as_str().unwrap();
        let mut bodies: Vec<(String, Vec<u8>)> = hostile_raw_bodies()
            .into_iter()
            .map(|b| (format!("raw {:?}", String::from_utf8_lossy(&b)), b))
            .collect();
        for field in target[3].as_object().unwrap().keys() {
            for value in hostile_values() {
                let mut body = target[3].clone();
                let what = format!("{field} = {value}");
                body[field] = value;
                bodies.push((what, serde_json::to_vec(&body).unwrap()));
            }
        }
        for (what, body) in bodies {
            let bearer = match target[2].as_str().unwrap() {
                "fresh" => Some(app.login_tokens(&leaver.username, &leaver.password).await.0),
                "shared" => Some(patcher.access.clone()),
                _ => None,
            };
            let answer = app
                .send_raw(
                    method.clone(),
                    path,
                    bearer.as_deref(),
                    Some("application/json"),
                    body,
                )
                .await;
            sent += 1;
            if answer.status.is_server_error() {
                let what: String = what.chars().take(100).collect();
                failures.push(format!(
                    "{method} {path} {what} -> {} {}",
                    answer.status, answer.body
                ));
            }
        }
    }
    for path in [
        "/auth/api/register/verify-otp/%FF%FE/",
        "/auth/api/register/verify-otp/123456/?email=a&email=b",
        "/auth/api/register/verify-otp/99999999999999999999999/?email=%00",
        "/api/change-password/%FF/",
        "/api/change-password/99999999999999999999999/",
    ] {
        let bearer = app.login_tokens(&leaver.username, &leaver.password).await.0;
        for method in [Method::GET, Method::PUT] {
            let answer = app.send(method.clone(), path, Some(&bearer), None).await;
            sent += 1;
            if answer.status.is_server_error() {
                failures.push(format!(
                    "{method} {path} -> {} {}",
                    answer.status, answer.body
                ));
            }
        }
    }
    assert!(sent > 1000, "the table ran: {sent} requests");
    assert!(
        failures.is_empty(),
        "{} of {sent} got a 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
