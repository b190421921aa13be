//! Reading the RFC 5322 messages gatehouse sends (over SMTP or into the file mailbox): headers,
//! the text and HTML parts of a multipart/alternative body (7bit, quoted-printable or base64),
//! and what the flows need from them: the 6-digit code and the reset link.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A parsed message.
#[derive(Debug, Clone)]
pub struct Mail {
    headers: Vec<(String, String)>,
    /// The decoded text/plain part.
    pub text: String,
    /// The decoded text/html part.
    pub html: String,
}

impl Mail {
    pub fn parse(raw: &str) -> Self {
        let (headers, body) = split_entity(raw);
        let mut mail = Self {
            text: String::new(),
            html: String::new(),
            headers,
        };
        let content_type = mail.header("content-type").unwrap_or_default().to_owned();
        let parts = match boundary(&content_type) {
            Some(boundary) => body
                .split(&format!("--{boundary}"))
                .skip(1)
                .take_while(|part| !part.starts_with("--"))
                .map(split_entity)
                .collect(),
            None => vec![(mail.headers.clone(), body)],
        };
        for (headers, body) in parts {
            let find = |name: &str| find_header(&headers, name).unwrap_or_default().to_owned();
            let decoded = decode(&find("content-transfer-encoding"), &body);
            let kind = find("content-type").to_ascii_lowercase();
            if kind.starts_with("text/plain") {
                mail.text = decoded;
            } else if kind.starts_with("text/html") {
                mail.html = decoded;
            }
        }
        mail
    }

    /// The unfolded value of the first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn subject(&self) -> &str {
        self.header("subject").expect("a Subject header")
    }

    pub fn message_id(&self) -> &str {
        self.header("message-id").expect("a Message-ID header")
    }

    pub fn to(&self) -> &str {
        self.header("to").expect("a To header")
    }

    /// The code the text part shows on a line of its own, indented by four spaces.
    pub fn code(&self) -> String {
        self.text
            .lines()
            .filter_map(|line| line.strip_prefix("    "))
            .map(str::trim_end)
            .find(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no 6-digit code line in {}", self.text))
            .to_owned()
    }

    /// The password reset link, as written in the text part.
    pub fn reset_link(&self) -> String {
        self.text
            .lines()
            .map(str::trim)
            .find(|line| line.contains("/api/reset-password/?token="))
            .unwrap_or_else(|| panic!("no reset link in {}", self.text))
            .to_owned()
    }

    /// The token of the reset link.
    pub fn reset_token(&self) -> String {
        let link = self.reset_link();
        link.split_once("?token=").unwrap().1.to_owned()
    }

    /// The path and query of the reset link, to follow it on the server under test.
    pub fn reset_path(&self) -> String {
        format!("/api/reset-password/?token={}", self.reset_token())
    }
}

/// Headers (unfolded) and body of an entity.
fn split_entity(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.trim_start_matches(['\r', '\n']);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// A part's body, decoded by its Content-Transfer-Encoding.
fn decode(encoding: &str, body: &str) -> String {
    match encoding.trim().to_ascii_lowercase().as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(STANDARD.decode(compact).expect("valid base64")).expect("UTF-8")
        }
        _ => body.to_owned(),
    }
    .replace("\r\n", "\n")
}

/// Soft line breaks (`=\r\n`) joined, `=XX` escapes decoded.
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8 after quoted-printable decoding")
}

#[test]
fn quoted_printable_soft_breaks_and_escapes_are_decoded() {
    let raw = "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
               Hello=\r\n there =3D friend\r\n\r\n    012345\r\n";
    let mail = Mail::parse(raw);
    assert_eq!(mail.text, "Hello there = friend\n\n    012345\n");
    assert_eq!(mail.code(), "012345");
}
