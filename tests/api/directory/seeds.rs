//! The seeds' directory routes (SIN's employees/clients/user/delete, TLR's list/detail) in the
//! shapes their READMEs and code used, without their holes: signed-in callers only, no staff or
//! emails for members, and a delete that deletes.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{Cast, Kind, delete, get};
use crate::helpers::{TestApp, assert_drf_error};

#[tokio::test]
async fn sin_lists_employees_and_clients_to_signed_in_callers_only() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let ann = cast.member(&app, Kind::Client, "sinann").await;
    let emp = cast.member(&app, Kind::Employee, "sinemp").await;
    let boss = cast.member(&app, Kind::Staff, "sinboss").await;

    let anonymous = app.get("/api/employees/", None).await;
    let as_member = get(&app, "/api/employees/?search=sin", &ann.access).await;
    let as_staff = get(&app, "/api/employees/?search=sin", &boss.access).await;
    let clients = get(&app, "/api/clients/?search=sin", &emp.access).await;
    let client_path = get(&app, "/api/client?search=sin", &emp.access).await;

    assert_drf_error(&anonymous, StatusCode::UNAUTHORIZED, "not_authenticated");
    assert_eq!(as_member.status, StatusCode::OK, "{as_member:#?}");
    assert_eq!(
        as_member.body,
        json!([{"id": emp.id, "name": "sinemp first Member", "username": emp.username,
                "user_type": "employee"}])
    );
    assert_eq!(as_member.header("x-total-count"), Some("1"));
    let staff_view = as_staff.body.as_array().unwrap();
    assert_eq!(
        staff_view.len(),
        2,
        "staff see staff employees too: {as_staff:#?}"
    );
    assert!(staff_view.iter().any(|u| u["email"] == emp.email));
    assert!(staff_view.iter().any(|u| u["user_type"] == "admin"));
    assert_eq!(clients.body[0]["username"], ann.username);
    assert_eq!(clients.body, client_path.body);
}

#[tokio::test]
async fn sin_user_detail_and_a_delete_that_deletes() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let root = cast.member(&app, Kind::Superuser, "root").await;
    let path = format!("/api/user/{}", ann.id);

    let own = get(&app, &path, &ann.access).await;
    let staff_hidden = get(&app, &format!("/api/user/{}/", boss.id), &ann.access).await;
    let by_staff = delete(&app, &format!("/api/user/delete/{}", ann.id), &boss.access).await;
    let by_root = delete(&app, &format!("/api/user/delete/{}", ann.id), &root.access).await;

    assert_eq!(own.body["email"], ann.email, "{own:#?}");
    assert_eq!(own.body["user_type"], "client");
    assert_drf_error(&staff_hidden, StatusCode::NOT_FOUND, "not_found");
    assert_drf_error(&by_staff, StatusCode::FORBIDDEN, "permission_denied");
    assert_eq!(by_root.status, StatusCode::OK, "{by_root:#?}");
    assert_eq!(by_root.body["username"], ann.username);
    assert_drf_error(
        &get(&app, &path, &root.access).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(app.me(&ann.access).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tlr_lists_public_profiles_without_staff_or_emails() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let ann = cast.member(&app, Kind::Client, "tlrann").await;
    let boss = cast.member(&app, Kind::Staff, "tlrboss").await;

    let anonymous = app.get("/auth/api/users/list/", None).await;
    let listed = get(&app, "/auth/api/users/list/?search=tlr", &boss.access).await;
    let public_id = listed.body[0]["id"].as_str().unwrap_or_default().to_owned();
    let detail = get(
        &app,
        &format!("/auth/api/users/detail/{public_id}"),
        &boss.access,
    )
    .await;

    assert_drf_error(&anonymous, StatusCode::UNAUTHORIZED, "not_authenticated");
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{listed:#?}");
    assert_eq!(listed.body[0]["username"], ann.username);
    assert_eq!(
        (&listed.body[0]["image"], &listed.body[0]["followers"]),
        (&json!(null), &json!([]))
    );
    assert!(!listed.body.to_string().contains(&ann.email));
    assert_eq!(detail.body, listed.body[0], "{detail:#?}");
    assert!(uuid::Uuid::parse_str(&public_id).is_ok());
}
