//! Subject, text and HTML for each `MailKind`. Plain Rust rather than a template engine: six
//! short messages, every dynamic value HTML-escaped in the HTML part, and the compiler checks
//! that each kind has its text.

use super::message::{MailKind, Outgoing};

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders `mail`; `site` names the service in greetings and subjects.
pub fn render(mail: &Outgoing, site: &str) -> Rendered {
    let name = &mail.username;
    let (subject, lines): (String, Vec<Line>) = match &mail.kind {
        MailKind::Activation { code, minutes } => (
            format!("Your {site} activation code"),
            vec![
                Line::Text(format!("Welcome to {site}, {name}.")),
                Line::Text("Enter this code to activate your account:".into()),
                Line::Code(code.clone()),
                Line::Text(expiry("It", *minutes)),
            ],
        ),
        MailKind::LoginCode { code, minutes } => (
            format!("Your {site} login code"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text("Enter this code to log in:".into()),
                Line::Code(code.clone()),
                Line::Text(expiry("It", *minutes)),
                Line::Text("If you did not try to log in, you can ignore this email.".into()),
            ],
        ),
        MailKind::PasswordReset {
            code,
            link,
            minutes,
            link_minutes,
        } => (
            format!("Reset your {site} password"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text("Someone asked to reset your password. Enter this code:".into()),
                Line::Code(code.clone()),
                Line::Text(expiry("The code", *minutes)),
                Line::Text("Or open this link to choose a new password:".into()),
                Line::Link(link.clone()),
                Line::Text(expiry("The link", *link_minutes)),
                Line::Text(
                    "If it was not you, ignore this email: your password stays as it is.".into(),
                ),
            ],
        ),
        MailKind::EmailChangeCode { code, minutes } => (
            format!("Confirm your new {site} email address"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text("Enter this code to confirm this address for your account:".into()),
                Line::Code(code.clone()),
                Line::Text(expiry("It", *minutes)),
            ],
        ),
        MailKind::EmailChanged { new_email } => (
            format!("Your {site} email address was changed"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text(format!(
                    "The email address of your account is now {new_email}."
                )),
                Line::Text(
                    "If you did not make this change, reset your password and contact support."
                        .into(),
                ),
            ],
        ),
        MailKind::PasswordChanged => (
            format!("Your {site} password was changed"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text(
                    "Your password was just changed, and your other sessions were signed out."
                        .into(),
                ),
                Line::Text("If you did not make this change, reset your password now.".into()),
            ],
        ),
        MailKind::Invitation { link, minutes } => (
            format!("You have a {site} account"),
            vec![
                Line::Text(format!("Hello {name},")),
                Line::Text(format!(
                    "An account on {site} was created for you. Choose your password here:"
                )),
                Line::Link(link.clone()),
                Line::Text(expiry("It", *minutes)),
            ],
        ),
    };
    Rendered {
        subject,
        text: lines
            .iter()
            .map(Line::text)
            .collect::<Vec<_>>()
            .join("\n\n")
            + "\n",
        html: format!(
            "<!doctype html>\n<html><body style=\"font-family: sans-serif\">\n{}\n</body></html>\n",
            lines.iter().map(Line::html).collect::<Vec<_>>().join("\n")
        ),
    }
}

/// The expiry sentence, from the real lifetime of the code or link.
fn expiry(subject: &str, minutes: i64) -> String {
    if minutes % 60 == 0 && minutes >= 60 {
        let hours = minutes / 60;
        format!(
            "{subject} expires in {hours} hour{}.",
            if hours == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{subject} expires in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )
    }
}

enum Line {
    Text(String),
    Code(String),
    Link(String),
}

impl Line {
    fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Code(c) => format!("    {c}"),
            Self::Link(l) => l.clone(),
        }
    }

    fn html(&self) -> String {
        match self {
            Self::Text(t) => format!("<p>{}</p>", escape(t)),
            Self::Code(c) => format!(
                "<p style=\"font-size: 24px; letter-spacing: 4px\"><strong>{}</strong></p>",
                escape(c)
            ),
            Self::Link(l) => format!("<p><a href=\"{0}\">{0}</a></p>", escape(l)),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_carries_the_code_and_the_true_expiry() {
        let mail = Outgoing::new(
            "a@example.com",
            "ann",
            MailKind::Activation {
                code: "012345".into(),
                minutes: 10,
            },
        );
        let r = render(&mail, "gatehouse");
        assert!(r.subject.contains("activation"));
        assert!(r.text.contains("012345") && r.html.contains("012345"));
        assert!(r.text.contains("expires in 10 minutes"));
    }

    #[test]
    fn names_are_escaped_in_html() {
        let mail = Outgoing::new("a@example.com", "<script>", MailKind::PasswordChanged);
        let r = render(&mail, "gatehouse");
        assert!(!r.html.contains("<script>") && r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn debug_hides_codes() {
        let kind = MailKind::LoginCode {
            code: "987654".into(),
            minutes: 10,
        };
        assert!(!format!("{kind:?}").contains("987654"));
    }
}
