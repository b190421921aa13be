//! The TOTP second factor: logging in with a challenge, replay, recovery codes, attempts and
//! expiry, on every login route; enrolment, disabling and bad input are in `mfa/enrolment.rs`.
//! Codes are computed here from the secret the server hands out, on the server's clock.

mod enrolment;

use std::time::Duration;

use gatehouse_domain::UserId;
use reqwest::StatusCode;
use serde_json::json;
use totp_rs::Secret;

use crate::email_flows::support::MailTest;
use crate::helpers::{PASSWORD, TestApp, assert_token_pair, assert_unauthorized, totp_at};

#[tokio::test]
async fn totp_login_answers_a_challenge_and_the_code_completes_it_with_working_tokens() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let enrolled = app.enrol_totp(Some(&user.access)).await;
    assert_eq!(enrolled.status, StatusCode::OK, "{enrolled:#?}");
    assert_eq!(enrolled.header("cache-control"), Some("no-store"));
    let url = enrolled.str("otpauth_url");
    assert!(url.starts_with("otpauth://totp/gatehouse:"), "{url}");
    assert!(
        url.contains(&user.username) && url.contains("issuer=gatehouse"),
        "{url}"
    );
    let secret = enrolled.str("secret").to_owned();
    let before = app.login(&user.username, PASSWORD).await;
    assert_token_pair(&before);

    let confirmed = app
        .confirm_totp(&user.access, &json!({"code": app.totp_now(&secret)}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:#?}");
    let codes = confirmed.body["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10, "{confirmed:#?}");
    app.next_step();
    let challenged = app.login(&user.username, PASSWORD).await;

    assert_eq!(challenged.status, StatusCode::OK, "{challenged:#?}");
    assert_eq!(challenged.body["mfa_required"], true);
    assert_eq!(challenged.body["expires_in"], 300);
    assert!(challenged.body.get("access").is_none(), "{challenged:#?}");
    assert!(challenged.body.get("refresh").is_none(), "{challenged:#?}");
    assert_eq!(challenged.header("cache-control"), Some("no-store"));
    let done = app
        .complete_mfa(
            &json!({"mfa_token": challenged.str("mfa_token"), "code": app.totp_now(&secret)}),
        )
        .await;
    assert_token_pair(&done);
    assert_eq!(done.body["user"]["id"], user.id);
    let stored = app.store().totp(UserId(user.id)).await.unwrap().unwrap();
    let plain = Secret::try_from_base32(&secret).unwrap();
    let plain: &[u8] = plain.as_ref();
    assert!(
        !stored
            .sealed_secret
            .windows(plain.len())
            .any(|w| w == plain),
        "the secret is stored sealed"
    );
    assert_eq!(app.me(done.str("access")).await.status, StatusCode::OK);
    assert_token_pair(&app.refresh(done.str("refresh")).await);
}

#[tokio::test]
async fn a_used_totp_code_is_refused_within_its_window() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let code = app.totp_now(&totp.secret);
    let first = app.mfa_token(&user).await;
    assert_token_pair(
        &app.complete_mfa(&json!({"mfa_token": first, "code": code}))
            .await,
    );

    // The same code, still inside its step and the next (±1 skew), never works again.
    for advance in [0, 30] {
        app.clock.advance(Duration::from_secs(advance));
        let token = app.mfa_token(&user).await;
        let replay = app
            .complete_mfa(&json!({"mfa_token": token, "code": code}))
            .await;
        assert_unauthorized(&replay, "invalid_mfa_code");
    }
    // Neither does the previous step's code, which skew would otherwise accept.
    let earlier = u64::try_from(app.clock.now().timestamp()).unwrap() - 60;
    let token = app.mfa_token(&user).await;
    let old = app
        .complete_mfa(&json!({"mfa_token": token, "code": totp_at(&totp.secret, earlier)}))
        .await;
    assert_unauthorized(&old, "invalid_mfa_code");
    app.next_step();
    let token = app.mfa_token(&user).await;
    let fresh = app
        .complete_mfa(&json!({"mfa_token": token, "code": app.totp_now(&totp.secret)}))
        .await;
    assert_token_pair(&fresh);
}

#[tokio::test]
async fn a_recovery_code_works_once_and_only_once() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let code = totp.recovery_codes[3].clone();

    let token = app.mfa_token(&user).await;
    let typed = code.to_uppercase().replace('-', " ");
    let spent = app
        .complete_mfa(&json!({"mfa_token": token, "recovery_code": typed}))
        .await;
    assert_token_pair(&spent);
    let token = app.mfa_token(&user).await;
    let again = app
        .complete_mfa(&json!({"mfa_token": token, "recovery_code": code}))
        .await;
    assert_unauthorized(&again, "invalid_mfa_code");
    let other = app
        .complete_mfa(&json!({"mfa_token": token, "recovery_code": totp.recovery_codes[4]}))
        .await;
    assert_token_pair(&other);
}

#[tokio::test]
async fn wrong_codes_count_and_the_challenge_dies_after_five() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let token = app.mfa_token(&user).await;
    let right = app.totp_now(&totp.secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };

    for _ in 0..5 {
        let answer = app
            .complete_mfa(&json!({"mfa_token": token, "code": wrong}))
            .await;
        assert_unauthorized(&answer, "invalid_mfa_code");
    }
    let dead = app
        .complete_mfa(&json!({"mfa_token": token, "code": right}))
        .await;

    assert_unauthorized(&dead, "invalid_mfa_token");
    let token = app.mfa_token(&user).await;
    let fresh = app
        .complete_mfa(&json!({"mfa_token": token, "code": right}))
        .await;
    assert_token_pair(&fresh);
}

#[tokio::test]
async fn the_challenge_expires_after_five_minutes_and_is_single_use() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let token = app.mfa_token(&user).await;

    app.clock.advance(Duration::from_secs(301));
    let late = app
        .complete_mfa(&json!({"mfa_token": token, "code": app.totp_now(&totp.secret)}))
        .await;

    assert_unauthorized(&late, "invalid_mfa_token");
    let token = app.mfa_token(&user).await;
    let body = json!({"mfa_token": token, "code": app.totp_now(&totp.secret)});
    assert_token_pair(&app.complete_mfa(&body).await);
    app.next_step();
    let reused = app
        .complete_mfa(&json!({"mfa_token": token, "code": app.totp_now(&totp.secret)}))
        .await;
    assert_unauthorized(&reused, "invalid_mfa_token");
}

#[tokio::test]
async fn seed_login_routes_answer_the_same_challenge() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let routes = [
        (
            "/api/login/",
            json!({"username": user.username, "password": PASSWORD}),
        ),
        (
            "/api/token/",
            json!({"username": user.username, "password": PASSWORD}),
        ),
        (
            "/auth/api/login/",
            json!({"email": user.email, "password": PASSWORD}),
        ),
        (
            "/api/v1/auth/jwt/create/",
            json!({"email": user.email, "password": PASSWORD}),
        ),
    ];

    for (path, body) in routes {
        let answer = app.post(path, &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {answer:#?}");
        assert_eq!(answer.body["mfa_required"], true, "{path}: {answer:#?}");
        assert!(answer.body.get("access").is_none(), "{path}: {answer:#?}");
        assert!(answer.body.get("token").is_none(), "{path}: {answer:#?}");
        assert!(answer.body.get("data").is_none(), "{path}: {answer:#?}");
    }
    let sin = app
        .post(
            "/api/login/",
            &json!({"username": user.username, "password": PASSWORD}),
        )
        .await;
    let body = json!({"mfa_token": sin.str("mfa_token"), "code": app.totp_now(&totp.secret)});
    assert_token_pair(&app.complete_mfa(&body).await);
}

#[tokio::test]
async fn an_emailed_login_code_is_a_first_factor_only() {
    let mail = MailTest::spawn().await;
    let user = mail.verified_user().await;
    let totp = mail.app.turn_on_totp(&user).await;
    let code = mail.login_code(&user.email).await;

    let answer = mail.app.login_with_code(&user.email, &json!(code)).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["mfa_required"], true, "{answer:#?}");
    assert!(answer.body.get("access").is_none(), "{answer:#?}");
    let body =
        json!({"mfa_token": answer.str("mfa_token"), "code": mail.app.totp_now(&totp.secret)});
    assert_token_pair(&mail.app.complete_mfa(&body).await);
}

#[tokio::test]
async fn wrong_codes_across_challenges_are_capped_per_account() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let right = app.totp_now(&totp.secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };

    for _ in 0..2 {
        let token = app.mfa_token(&user).await;
        for _ in 0..5 {
            let answer = app
                .complete_mfa(&json!({"mfa_token": token, "code": wrong}))
                .await;
            assert_unauthorized(&answer, "invalid_mfa_code");
        }
    }
    let refused = app.login(&user.username, &user.password).await;
    app.clock.advance(Duration::from_mins(16));
    let later = app.login(&user.username, &user.password).await;

    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{refused:#?}"
    );
    assert_eq!(refused.header("retry-after"), Some("900"));
    assert_eq!(later.body["mfa_required"], true, "{later:#?}");
}
