//! Refresh tokens: opaque strings, not JWTs.
//!
//! A token is `grt1.<session id>.<counter>.<mac>`, the MAC an HMAC-SHA256 under a server secret
//! over the session id and counter. The database keeps only the session's current counter, so
//! nothing stored is a usable token, and the token for a given (session, counter) is always the
//! same string: that is what lets a client that lost a response, or raced another request, be
//! answered again with the very token it missed instead of forking the session.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::SessionId;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use uuid::Uuid;

const PREFIX: &str = "grt1";
/// Longest string worth parsing; anything longer is refused before any work.
const MAX_LEN: usize = 128;

#[derive(Clone)]
pub struct RefreshCodec {
    key: Vec<u8>,
}

impl std::fmt::Debug for RefreshCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshCodec(<redacted>)")
    }
}

/// What a well-formed, authentic refresh token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshClaims {
    pub session: SessionId,
    pub counter: i64,
}

impl RefreshCodec {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    pub fn encode(&self, session: SessionId, counter: i64) -> String {
        let mac = self.mac(session, counter);
        format!(
            "{PREFIX}.{}.{counter}.{}",
            session.0.simple(),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// Parses and authenticates a token (constant-time MAC check); `None` for anything else.
    pub fn decode(&self, token: &str) -> Option<RefreshClaims> {
        if token.len() > MAX_LEN {
            return None;
        }
        let mut parts = token.split('.');
        let (prefix, sid, counter, mac) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if prefix != PREFIX || parts.next().is_some() {
            return None;
        }
        let session = SessionId(Uuid::try_parse(sid).ok()?);
        let counter: i64 = counter.parse().ok().filter(|c| *c >= 0)?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        self.hmac(session, counter).verify_slice(&mac).ok()?;
        Some(RefreshClaims { session, counter })
    }

    fn mac(&self, session: SessionId, counter: i64) -> Vec<u8> {
        self.hmac(session, counter).finalize().into_bytes().to_vec()
    }

    fn hmac(&self, session: SessionId, counter: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"gatehouse refresh v1");
        mac.update(session.0.as_bytes());
        mac.update(&counter.to_be_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_any_change_breaks_it() {
        let codec = RefreshCodec::new(vec![7; 32]);
        let session = SessionId::random();
        let token = codec.encode(session, 3);
        assert_eq!(
            codec.decode(&token),
            Some(RefreshClaims {
                session,
                counter: 3
            })
        );
        assert_eq!(
            codec.encode(session, 3),
            token,
            "the same step gives the same token"
        );
        let forged = token.replacen(".3.", ".4.", 1);
        assert_eq!(codec.decode(&forged), None);
        assert_eq!(RefreshCodec::new(vec![8; 32]).decode(&token), None);
        for junk in [
            "",
            "grt1",
            "grt1.x.1.y",
            "eyJhbGciOiJub25lIn0.e30.",
            &"a".repeat(500),
        ] {
            assert_eq!(codec.decode(junk), None, "{junk:?}");
        }
    }
}
