//! What the directory answers: who is listed for whom, in which shape, filtered, searched,
//! ordered and paged; and the 4xx for every kind of bad parameter.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{Cast, Kind, get, usernames};
use crate::helpers::{TestApp, assert_drf_error, assert_field_error};

#[tokio::test]
async fn members_see_active_members_without_contact_details() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let ann = cast.member(&app, Kind::Client, "dirann").await;
    let emp = cast.member(&app, Kind::Employee, "diremp").await;
    let boss = cast.member(&app, Kind::Staff, "dirboss").await;
    let idle = cast.create(&app, Kind::Client, "diridle", false).await;

    let seen_by_ann = get(&app, "/api/v1/users/?search=dir&page_size=100", &ann.access).await;
    let seen_by_boss = get(
        &app,
        "/api/v1/users/?search=dir&page_size=100",
        &boss.access,
    )
    .await;

    assert_eq!(
        usernames(&seen_by_ann),
        [ann.username.as_str(), emp.username.as_str()]
    );
    let member = &seen_by_ann.body["results"][1];
    assert_eq!(member["username"], emp.username);
    assert_eq!(member["role"], "employee");
    for hidden in [
        "email",
        "phone_number",
        "is_staff",
        "last_login",
        "is_active",
    ] {
        assert!(
            member.get(hidden).is_none(),
            "{hidden} shown to a member: {member}"
        );
    }
    assert_eq!(
        usernames(&seen_by_boss),
        [
            ann.username.as_str(),
            emp.username.as_str(),
            boss.username.as_str(),
            idle.username.as_str()
        ]
    );
    assert_eq!(seen_by_boss.body["results"][0]["email"], ann.email);
}

#[tokio::test]
async fn the_list_filters_by_role_searches_and_orders() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let a = cast.member(&app, Kind::Client, "lsta").await;
    let b = cast.member(&app, Kind::Employee, "lstb").await;
    let c = cast.member(&app, Kind::Client, "lstc").await;
    let boss = cast.member(&app, Kind::Staff, "lstboss").await;

    let clients = get(&app, "/api/v1/users/?search=lst&role=client", &a.access).await;
    let by_name_desc = get(
        &app,
        "/api/v1/users/?search=LST&ordering=-username",
        &a.access,
    )
    .await;
    let by_email_as_member = get(
        &app,
        &format!("/api/v1/users/?search={}", b.email),
        &a.access,
    )
    .await;
    let by_email_as_staff = get(
        &app,
        &format!("/api/v1/users/?search={}", b.email),
        &boss.access,
    )
    .await;
    let email_order_as_staff = get(
        &app,
        "/api/v1/users/?search=lst&ordering=-email",
        &boss.access,
    )
    .await;

    assert_eq!(
        usernames(&clients),
        [a.username.as_str(), c.username.as_str()]
    );
    assert_eq!(clients.body["count"], 2);
    assert_eq!(
        usernames(&by_name_desc),
        [
            c.username.as_str(),
            b.username.as_str(),
            a.username.as_str()
        ]
    );
    assert_eq!(
        by_email_as_member.body["count"], 0,
        "{by_email_as_member:#?}"
    );
    assert_eq!(usernames(&by_email_as_staff), [b.username.as_str()]);
    assert_eq!(
        usernames(&email_order_as_staff),
        [
            c.username.as_str(),
            boss.username.as_str(),
            b.username.as_str(),
            a.username.as_str()
        ]
    );
}

#[tokio::test]
async fn pages_link_to_each_other_and_end() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let me = cast.member(&app, Kind::Client, "pgme").await;
    for _ in 0..4 {
        cast.create(&app, Kind::Client, "pgx", true).await;
    }
    let first = get(&app, "/api/v1/users/?search=pg&page_size=2", &me.access).await;
    let next = first.body["next"].as_str().unwrap().to_owned();
    let path = next
        .strip_prefix(&app.url(""))
        .unwrap_or_else(|| panic!("{next}"));
    let last_path = path.replace("page=2", "page=3");
    let second = get(
        &app,
        &format!("/{}", path.trim_start_matches('/')),
        &me.access,
    )
    .await;
    let third = get(
        &app,
        &format!("/{}", last_path.trim_start_matches('/')),
        &me.access,
    )
    .await;
    let beyond = get(
        &app,
        "/api/v1/users/?search=pg&page_size=2&page=4",
        &me.access,
    )
    .await;

    assert_eq!(
        (first.body["count"].clone(), first.body["previous"].clone()),
        (json!(5), json!(null))
    );
    assert_eq!(usernames(&first).len(), 2);
    assert!(
        next.contains("page=2") && next.contains("search=pg"),
        "{next}"
    );
    assert_eq!(usernames(&second).len(), 2);
    assert!(
        second.body["previous"]
            .as_str()
            .unwrap()
            .contains("search=pg")
    );
    assert_eq!(
        (usernames(&third).len(), third.body["next"].clone()),
        (1, json!(null))
    );
    assert_eq!(beyond.status, StatusCode::NOT_FOUND);
    assert_eq!(beyond.body["detail"], "Invalid page.");
}

#[tokio::test]
async fn bad_parameters_get_clear_client_errors() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let me = cast.member(&app, Kind::Client, "badp").await;
    let ask = |q: &'static str| {
        let (app, token) = (&app, me.access.clone());
        async move { get(app, &format!("/api/v1/users/{q}"), &token).await }
    };

    assert_field_error(&ask("?role=wizard").await, "role");
    assert_field_error(&ask("?ordering=password_hash").await, "ordering");
    assert_field_error(&ask("?ordering=email").await, "ordering");
    assert_field_error(&ask("?page_size=0").await, "page_size");
    assert_field_error(&ask("?page_size=many").await, "page_size");
    for q in ["?page=0", "?page=-1", "?page=two", "?page=99999999999"] {
        let answer = ask(q).await;
        assert_drf_error(&answer, StatusCode::NOT_FOUND, "not_found");
    }
    let long = format!("/api/v1/users/?search={}", "x".repeat(101));
    assert_field_error(&get(&app, &long, &me.access).await, "search");
    let bad_id = get(&app, "/api/v1/users/not-an-id/", &me.access).await;
    assert_drf_error(&bad_id, StatusCode::BAD_REQUEST, "invalid_id");
    let unknown = get(&app, "/api/v1/users/987654321/", &me.access).await;
    assert_drf_error(&unknown, StatusCode::NOT_FOUND, "not_found");
}
