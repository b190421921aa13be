//! A cast of users for directory tests: members are created through the store with a real
//! Argon2id hash of `PASSWORD`, then log in over HTTP like anyone else.

use chrono::Utc;
use gatehouse::config::Config;
use gatehouse_domain::{Email, NewUser, PlainPassword, PublicId, Role, Username};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Answer, PASSWORD, TestApp, TestUser};

/// What kind of account to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Client,
    Employee,
    Staff,
    Superuser,
}

pub struct Cast {
    hash: String,
}

impl Cast {
    /// Hashes `PASSWORD` as the server does by default.
    pub async fn new(_app: &TestApp) -> Self {
        let passwords = gatehouse::app::passwords(&Config::default()).unwrap();
        let password = PlainPassword::new(PASSWORD.to_owned()).unwrap();
        Self {
            hash: passwords.hash(&password).await.unwrap(),
        }
    }

    /// Creates an active user of `kind` named `{prefix}_{random}` and logs them in.
    pub async fn member(&self, app: &TestApp, kind: Kind, prefix: &str) -> TestUser {
        let user = self.create(app, kind, prefix, true).await;
        let (access, refresh) = app.login_tokens(&user.username, PASSWORD).await;
        TestUser {
            access,
            refresh,
            ..user
        }
    }

    /// Creates a user of `kind` without logging in (no tokens).
    pub async fn create(&self, app: &TestApp, kind: Kind, prefix: &str, active: bool) -> TestUser {
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let username = format!("{prefix}_{tag}");
        let email = format!("{prefix}.{tag}@example.com");
        let role = if kind == Kind::Client {
            "client"
        } else {
            "employee"
        };
        let user = app
            .store()
            .create_user(NewUser {
                public_id: PublicId::random(),
                username: Username::parse(&username).unwrap(),
                email: Email::parse(&email).unwrap(),
                password_hash: self.hash.clone(),
                first_name: format!("{prefix} first"),
                last_name: "Member".to_owned(),
                phone_number: "+1 555 0100".to_owned(),
                date_of_birth: None,
                gender: String::new(),
                role: Role::from_store(role.to_owned()),
                is_active: active,
                is_email_verified: true,
                is_staff: kind == Kind::Staff,
                is_superuser: kind == Kind::Superuser,
                date_joined: Utc::now(),
            })
            .await
            .unwrap();
        TestUser {
            id: user.id.0,
            username,
            email,
            password: PASSWORD.to_owned(),
            access: String::new(),
            refresh: String::new(),
        }
    }
}

/// `GET path` as `bearer`.
pub async fn get(app: &TestApp, path: &str, bearer: &str) -> Answer {
    app.get(path, Some(bearer)).await
}

pub async fn patch(app: &TestApp, path: &str, bearer: &str, body: &Value) -> Answer {
    app.send(Method::PATCH, path, Some(bearer), Some(body))
        .await
}

pub async fn delete(app: &TestApp, path: &str, bearer: &str) -> Answer {
    app.send(Method::DELETE, path, Some(bearer), None).await
}

/// The usernames in a page of results.
pub fn usernames(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    answer.body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {answer:#?}"))
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}
