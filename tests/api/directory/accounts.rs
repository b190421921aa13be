//! Staff changes to accounts and superuser deletions: what they change, what they refuse, and
//! that the affected user's tokens stop working at once.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{Cast, Kind, delete, get, patch};
use crate::helpers::{TestApp, assert_drf_error, assert_field_error};

#[tokio::test]
async fn staff_change_role_and_deactivation_ends_every_session() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let path = format!("/api/v1/users/{}/", ann.id);

    let promoted = patch(&app, &path, &boss.access, &json!({"role": "employee"})).await;
    let off = patch(&app, &path, &boss.access, &json!({"is_active": false})).await;

    assert_eq!(promoted.status, StatusCode::OK, "{promoted:#?}");
    assert_eq!(
        (
            promoted.body["role"].clone(),
            promoted.body["email"].clone()
        ),
        (json!("employee"), json!(ann.email))
    );
    assert_eq!(off.body["is_active"], false, "{off:#?}");
    assert_eq!(app.me(&ann.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.refresh(&ann.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&ann.username, &ann.password).await.status,
        StatusCode::UNAUTHORIZED
    );

    let on = patch(&app, &path, &boss.access, &json!({"is_active": true})).await;
    assert_eq!(on.body["is_active"], true);
    assert_eq!(
        app.login(&ann.username, &ann.password).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn staff_patches_are_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let root = cast.member(&app, Kind::Superuser, "root").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let path = format!("/api/v1/users/{}/", ann.id);
    let own = format!("/api/v1/users/{}/", boss.id);

    assert_field_error(
        &patch(&app, &path, &boss.access, &json!({"role": "wizard"})).await,
        "role",
    );
    assert_field_error(
        &patch(
            &app,
            &path,
            &boss.access,
            &json!({"email": "x@example.com"}),
        )
        .await,
        "email",
    );
    assert_field_error(
        &patch(&app, &path, &boss.access, &json!({"is_active": "maybe"})).await,
        "is_active",
    );
    assert_field_error(
        &patch(&app, &own, &boss.access, &json!({"is_active": false})).await,
        "is_active",
    );
    let by_uuid = app.me(&ann.access).await.body["public_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let via_uuid = patch(
        &app,
        &format!("/api/v1/users/{by_uuid}/"),
        &boss.access,
        &json!({}),
    )
    .await;
    assert_eq!(
        (via_uuid.status, via_uuid.body["id"].clone()),
        (StatusCode::OK, json!(ann.id))
    );

    let granted = patch(&app, &path, &root.access, &json!({"is_staff": true})).await;
    assert_eq!(granted.body["is_staff"], true, "{granted:#?}");
    let staff_view = get(&app, "/api/v1/admin/audit/", &ann.access).await;
    assert_eq!(
        staff_view.status,
        StatusCode::OK,
        "the new staff member's next request has staff powers"
    );
    let touch_staff = patch(&app, &path, &boss.access, &json!({"role": "client"})).await;
    assert_drf_error(&touch_staff, StatusCode::FORBIDDEN, "permission_denied");
}

#[tokio::test]
async fn a_superuser_deletes_for_good_and_the_tokens_die_with_the_account() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let root = cast.member(&app, Kind::Superuser, "root").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let path = format!("/api/v1/users/{}/", ann.id);

    let deleted = delete(&app, &path, &root.access).await;
    let again = delete(&app, &path, &root.access).await;
    let own = delete(&app, &format!("/api/v1/users/{}/", root.id), &root.access).await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:#?}");
    assert_drf_error(&again, StatusCode::NOT_FOUND, "not_found");
    assert_drf_error(&own, StatusCode::BAD_REQUEST, "own_account");
    assert_eq!(app.me(&ann.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.refresh(&ann.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&ann.username, &ann.password).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.store()
            .user_by_id(gatehouse_domain::UserId(ann.id))
            .await
            .unwrap()
            .is_none()
    );
}
