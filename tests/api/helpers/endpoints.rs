//! One `TestApp` method per endpoint, named after what it does.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, TestApp};

impl TestApp {
    pub async fn register(&self, body: &Value) -> Answer {
        self.post("/api/v1/auth/register/", body).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Answer {
        self.login_with(&json!({"username": login, "password": password}))
            .await
    }

    pub async fn login_with(&self, body: &Value) -> Answer {
        self.post("/api/v1/auth/token/", body).await
    }

    pub async fn refresh(&self, token: &str) -> Answer {
        self.post("/api/v1/auth/token/refresh/", &json!({"refresh": token}))
            .await
    }

    pub async fn verify(&self, token: &str) -> Answer {
        self.post("/api/v1/auth/token/verify/", &json!({"token": token}))
            .await
    }

    pub async fn logout(&self, access: &str, refresh: Option<&str>) -> Answer {
        let body = refresh.map_or_else(|| json!({}), |r| json!({"refresh": r}));
        self.send(
            Method::POST,
            "/api/v1/auth/logout/",
            Some(access),
            Some(&body),
        )
        .await
    }

    pub async fn logout_all(&self, access: &str) -> Answer {
        self.send(Method::POST, "/api/v1/auth/logout/all/", Some(access), None)
            .await
    }

    pub async fn change_password(&self, access: &str, old: &str, new: &str) -> Answer {
        let body = json!({"old_password": old, "new_password": new, "re_new_password": new});
        self.change_password_with(access, &body).await
    }

    pub async fn change_password_with(&self, access: &str, body: &Value) -> Answer {
        self.send(
            Method::POST,
            "/api/v1/auth/password/change/",
            Some(access),
            Some(body),
        )
        .await
    }

    pub async fn sessions(&self, access: &str) -> Answer {
        self.get("/api/v1/auth/sessions/", Some(access)).await
    }

    pub async fn delete_session(&self, access: &str, id: &str) -> Answer {
        let path = format!("/api/v1/auth/sessions/{id}/");
        self.send(Method::DELETE, &path, Some(access), None).await
    }

    pub async fn me(&self, access: &str) -> Answer {
        self.get("/api/v1/users/me/", Some(access)).await
    }

    pub async fn patch_me(&self, access: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, "/api/v1/users/me/", Some(access), Some(body))
            .await
    }

    pub async fn delete_me(&self, access: &str, body: &Value) -> Answer {
        self.send(
            Method::DELETE,
            "/api/v1/users/me/",
            Some(access),
            Some(body),
        )
        .await
    }

    pub async fn healthz(&self) -> Answer {
        self.get("/healthz/", None).await
    }

    pub async fn readyz(&self) -> Answer {
        self.get("/readyz/", None).await
    }

    pub async fn jwks(&self) -> Answer {
        self.get("/.well-known/jwks.json", None).await
    }
}
