//! The file mailbox: `<data_dir>/mail/*.eml`, one readable RFC 5322 message per email.

use gatehouse::config::{EmailVerification, MailBackend};
use reqwest::StatusCode;
use serde_json::json;

use super::mail::Mail;
use crate::helpers::TestApp;

fn mailbox(app: &TestApp) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(app.data_dir().join("mail")) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect()
}

#[tokio::test]
async fn the_activation_email_lands_in_the_mailbox_as_one_readable_message() {
    let app = TestApp::spawn_with(|c| {
        c.email_verification = EmailVerification::Required;
        c.mail = MailBackend::File;
    })
    .await;
    let body = TestApp::new_user_body();
    let email = body["email"].as_str().unwrap();
    assert_eq!(app.register(&body).await.status, StatusCode::CREATED);
    assert!(mailbox(&app).is_empty(), "nothing before the jobs run");

    assert_eq!(app.drain_jobs().await, 1);

    let files = mailbox(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read_to_string(&files[0]).expect("a UTF-8 text file");
    let mail = Mail::parse(&raw);
    assert!(mail.subject().contains("activation"), "{raw}");
    assert!(
        mail.message_id().starts_with('<') && mail.message_id().ends_with("@gatehouse>"),
        "{raw}"
    );
    assert!(mail.to().contains(email), "{raw}");
    assert!(
        mail.header("from")
            .is_some_and(|f| f.contains("no-reply@localhost")),
        "{raw}"
    );
    let content_type = mail.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("multipart/alternative"), "{raw}");
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "{raw}"
    );
    let code = mail.code();
    assert!(mail.html.contains(&code), "{raw}");
    let verified = app.verify_registration(email, &json!(code)).await;
    assert_eq!(
        verified.status,
        StatusCode::OK,
        "the filed code activates: {verified:#?}"
    );
    assert_eq!(app.drain_jobs().await, 0);
    assert_eq!(mailbox(&app).len(), 1);
}
