//! DRA (Django REST Authentication System): register → login → refresh → `api/user/`, and the
//! three-step reset whose token proves nothing until the emailed code was checked for it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{assert_pair, call, keys};
use crate::email_flows::support::{MailTest, NEW_PASSWORD, assert_invalid_code, other_code};
use crate::helpers::{PASSWORD, TestApp, TestUser, assert_field_error};

const DRA_USER: [&str; 8] = [
    "dateBirth",
    "email",
    "gender",
    "id",
    "image",
    "is_activated",
    "phoneNumber",
    "username",
];

#[tokio::test]
async fn a_dra_client_registers_logs_in_refreshes_and_edits_its_profile() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let mut body = TestApp::new_user_body();
    body["phoneNumber"] = json!("+20 100 000 0000");
    body["dateBirth"] = json!("1999-04-01");
    body["gender"] = json!("female");
    body["image"] = Value::Null;
    let email = body["email"].as_str().unwrap().to_owned();

    let registered = app.post("/api/register/", &body).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{registered:#?}");
    assert_eq!(keys(&registered.body), DRA_USER);
    assert_eq!(registered.body["is_activated"], false);
    assert_eq!(registered.body["phoneNumber"], "+20 100 000 0000");
    assert_eq!(registered.body["dateBirth"], "1999-04-01");
    // DRA has no activation route of its own; the emailed code activates on the canonical one.
    let code = m.deliver_one(&email).await.code();
    assert_eq!(
        app.verify_registration(&email, &json!(code)).await.status,
        StatusCode::OK
    );

    let login = app
        .post(
            "/api/login/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_pair(&login);
    assert_eq!(login.body["detail"], "Logged in Successfully");
    assert_eq!(keys(&login.body["data"]), DRA_USER);
    assert_eq!(login.body["data"]["is_activated"], true);
    let refresh = login.body["token"]["refresh"].as_str().unwrap();

    let refreshed = app
        .post("/auth/refresh/", &json!({"refresh": refresh}))
        .await;
    let (access, _) = assert_pair(&refreshed);

    let me = app.get("/api/user/", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK, "{me:#?}");
    assert_eq!(keys(&me.body), DRA_USER);
    let patch = json!({"email": email, "phoneNumber": "+20 111", "gender": "male", "dateBirth": "2000-01-02"});
    let patched = call(app, Method::PATCH, "/api/user/", Some(&access), &patch).await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:#?}");
    assert_eq!(
        (
            &patched.body["phoneNumber"],
            &patched.body["gender"],
            &patched.body["dateBirth"]
        ),
        (&json!("+20 111"), &json!("male"), &json!("2000-01-02"))
    );
    // The seed wrote a PATCHed password in plain text; here it is refused, as is a new email.
    let sneaky = json!({"password": "plain-text-please", "email": "other@example.com"});
    let refused = call(app, Method::PATCH, "/api/user/", Some(&access), &sneaky).await;
    assert_field_error(&refused, "password");
    assert_field_error(&refused, "email");
    app.login_tokens(&email, PASSWORD).await;
}

async fn email_request(app: &TestApp, email: &str) -> String {
    let answer = app
        .post("/auth/email_request/", &json!({"email": email}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(keys(&answer.body), ["message", "token"]);
    answer.str("token").to_owned()
}

async fn check_otp(app: &TestApp, token: &str, otp: &str) -> crate::helpers::Answer {
    app.post("/auth/check_otp/", &json!({"token": token, "otp": otp}))
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> crate::helpers::Answer {
    app.post(
        "/auth/reset_password/",
        &json!({"token": token, "new_password": password}),
    )
    .await
}

#[tokio::test]
async fn dra_reset_needs_the_emailed_otp_checked_for_its_token_and_works_once() {
    let m = MailTest::spawn().await;
    let user: TestUser = m.verified_user().await;
    let app = &m.app;
    let token = email_request(app, &user.email).await;
    let otp = m.deliver_one(&user.email).await.code();

    // The token alone, straight after the request, resets nothing.
    assert_invalid_code(&reset(app, &token, NEW_PASSWORD).await);
    assert_invalid_code(&check_otp(app, &token, &other_code(&otp)).await);
    let checked = check_otp(app, &token, &otp).await;
    assert_eq!(checked.status, StatusCode::OK, "{checked:#?}");
    assert_eq!(checked.body, json!({"message": "OTP is valid."}));

    let done = reset(app, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{done:#?}");
    assert_eq!(
        done.body,
        json!({"message": "The Password has been reset successfully."})
    );
    assert_invalid_code(&reset(app, &token, "Yet-another-phrase-1618").await);
    app.login_tokens(&user.username, NEW_PASSWORD).await;
}

#[tokio::test]
async fn dra_unknown_addresses_get_the_same_answer_and_a_token_that_never_works() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;
    let known = app
        .post("/auth/email_request/", &json!({"email": user.email}))
        .await;
    let unknown = app
        .post(
            "/auth/email_request/",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body["message"], known.body["message"]);
    assert_eq!(keys(&unknown.body), keys(&known.body));
    m.deliver_one(&user.email).await;
    let dead = unknown.str("token");
    assert_invalid_code(&check_otp(app, dead, "000000").await);
    assert_invalid_code(&reset(app, dead, NEW_PASSWORD).await);
    assert_invalid_code(&reset(app, "not-a-token", NEW_PASSWORD).await);
}

#[tokio::test]
async fn dra_otp_attempts_are_limited_and_a_checked_token_expires() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;
    let token = email_request(app, &user.email).await;
    let otp = m.deliver_one(&user.email).await.code();
    for _ in 0..5 {
        assert_invalid_code(&check_otp(app, &token, &other_code(&otp)).await);
    }
    assert_invalid_code(&check_otp(app, &token, &otp).await);

    app.clock.advance(Duration::from_secs(61));
    let token = email_request(app, &user.email).await;
    let otp = m.deliver_one(&user.email).await.code();
    assert_eq!(check_otp(app, &token, &otp).await.status, StatusCode::OK);
    app.clock.advance(Duration::from_mins(11));
    assert_invalid_code(&reset(app, &token, NEW_PASSWORD).await);
    app.login_tokens(&user.username, PASSWORD).await;
}

#[tokio::test]
async fn dra_a_token_checked_for_one_account_cannot_reset_another() {
    let m = MailTest::spawn().await;
    let ann = m.verified_user().await;
    let bob = m.verified_user().await;
    let app = &m.app;
    let anns = email_request(app, &ann.email).await;
    m.deliver_one(&ann.email).await;
    let bobs = email_request(app, &bob.email).await;
    let bob_otp = m.deliver_one(&bob.email).await.code();
    // Ann's token with Bob's code: the code is checked for the address Ann's token names.
    assert_invalid_code(&check_otp(app, &anns, &bob_otp).await);
    assert_eq!(check_otp(app, &bobs, &bob_otp).await.status, StatusCode::OK);
    assert_invalid_code(&reset(app, &anns, NEW_PASSWORD).await);
    app.login_tokens(&ann.username, PASSWORD).await;
}
