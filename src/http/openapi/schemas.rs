//! Schemas of the bodies handlers build as JSON values rather than as structs (short answers,
//! and the seeds' shapes with a token pair merged in), and of the shared error bodies. Each
//! names the handler that writes it; the schemathesis run (`scripts/fuzz-api.sh`) checks every
//! answer against them.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::compat::DraUser;
use crate::http::dto::UserOut;

/// Every error but a field error (`http::error`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub detail: String,
    /// A stable machine-readable reason, such as `invalid_credentials` or `not_found`.
    pub code: String,
}

/// A 400 for bad fields: each field's messages; `non_field_errors` for the body as a whole.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"email": ["Enter a valid email address."]}))]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

/// A 500: nothing of the cause, only the request id to find it in the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct InternalErrorBody {
    pub detail: String,
    pub code: String,
    pub request_id: String,
}

/// `{detail}`: the answers that only say what happened.
#[derive(Debug, Serialize, ToSchema)]
pub struct Detail {
    pub detail: String,
}

/// `{message}` (DRA).
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

/// `{status}`: liveness, and TLR's short answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    pub status: String,
}

/// `{status, message}` (TLR).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusMessage {
    pub status: String,
    pub message: String,
}

/// `{}`: a valid token (`token/verify/`, djoser's and simplejwt's answer).
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// `register/verify/`: the account is active.
#[derive(Debug, Serialize, ToSchema)]
pub struct Activated {
    pub detail: String,
    pub user: UserOut,
}

/// `password/reset/verify/`: a short-lived token for `password/reset/confirm/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetToken {
    pub reset_token: String,
    /// Seconds.
    pub expires_in: u64,
}

/// `readyz/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub status: String,
    pub database: String,
}

/// `/.well-known/jwks.json`: the public keys access tokens are signed with (RFC 7517).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<serde_json::Value>,
}

/// A token pair, as every seed body with tokens carries it (`compat::shapes::with_tokens`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Pair {
    pub access: String,
    pub refresh: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// `{access, refresh}` without the rest (DRA's `token`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRefresh {
    pub access: String,
    pub refresh: String,
}

/// `api/login/` (SIN + DRA): SIN's pair at the top, DRA's `{detail, data, token}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeedLogin {
    #[serde(flatten)]
    pub pair: Pair,
    pub detail: String,
    pub data: DraUser,
    pub token: AccessRefresh,
}

/// SIN's `api/change-password/{pk}/`: the session's next pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct SinPasswordChanged {
    #[serde(flatten)]
    pub pair: Pair,
    pub detail: String,
}

/// TLR's `auth/api/change-password/`: the session's next pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TlrPasswordChanged {
    #[serde(flatten)]
    pub pair: Pair,
    pub status: String,
    pub message: String,
}

/// TMA's `api/token/`: the pair and `{id, username, email}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TmaToken {
    #[serde(flatten)]
    pub pair: Pair,
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// TLR's `auth/api/register/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TlrRegistered {
    pub status: String,
    /// The account's public id.
    pub id: Uuid,
}

/// DRA's `auth/email_request/`: the token `auth/check_otp/` and `auth/reset_password/` take.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraResetRequested {
    pub token: String,
    pub message: String,
}

/// LIT's `user/activation/`: the seed's echo.
#[derive(Debug, Serialize, ToSchema)]
pub struct LitActivated {
    pub email: String,
    pub otp_code: String,
}

/// `mfa/totp/`: a new TOTP secret, base32, and the `otpauth://` URL for a QR code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_url: String,
}

/// `mfa/totp/confirm/`: the recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// What every login route answers instead of tokens when the account has a second factor
/// (`http::error::ApiError::MfaRequired`); `token/mfa/` completes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    pub mfa_required: bool,
    pub mfa_token: String,
    /// Seconds the challenge lives.
    pub expires_in: u64,
}

/// A login route's 200: its token answer, or the challenge when the account has a second factor.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum OrChallenge<T: ToSchema> {
    Tokens(T),
    Challenge(MfaChallenge),
}
