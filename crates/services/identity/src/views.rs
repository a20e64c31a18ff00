//! JSON bodies (camelCase) of requests and responses.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::repository::users::UserRecord;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RegisterBody {
    #[schema(example = "ann@example.com", format = Email, max_length = 254)]
    pub(crate) email: String,
    /// 8 to 1024 characters, hard to guess (zxcvbn score 3 of 4; a common password, a
    /// pattern such as `12345678`, or the account's own name is refused as `weak_password`).
    #[schema(min_length = 8, max_length = 1024)]
    pub(crate) password: String,
    #[schema(schema_with = name)]
    pub(crate) name: String,
}

/// A display name: what `crate::domain::Name` accepts.
fn name() -> utoipa::openapi::Object {
    quorum_web::input::one_line_schema(100, false)
}

fn name_or_null() -> utoipa::openapi::Object {
    quorum_web::input::one_line_schema(100, true)
}

/// `ko` or `en`, in any case (`null`: unchanged).
fn locale_or_null() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(quorum_web::input::trimmed_pattern(
            "[kK][oO]|[eE][nN]",
        )))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Registered {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LoginBody {
    pub(crate) email: String,
    pub(crate) password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshBody {
    pub(crate) refresh_token: String,
}

/// Optional body of `POST /api/users/logout` (without it, the session of the access token
/// ends).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogoutBody {
    /// A refresh token of the caller's: its session ends too.
    pub(crate) refresh_token: Option<String>,
    /// Sign out of every session of the account: every refresh family is revoked, and
    /// every access token issued in one.
    #[serde(default)]
    pub(crate) everywhere: bool,
}

/// `PUT /api/users/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChangePassword {
    pub(crate) current_password: String,
    /// 8 to 1024 characters, hard to guess (as at registration).
    #[schema(min_length = 8, max_length = 1024)]
    pub(crate) new_password: String,
}

/// `POST /api/users/me/email/confirm`.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ConfirmEmail {
    /// The code sent to the new address.
    #[schema(example = "04812937")]
    pub(crate) code: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenPair {
    /// An EdDSA-signed JWT (`typ: at+jwt`).
    pub(crate) access_token: String,
    /// Opaque; spent by `POST /api/users/refresh`.
    pub(crate) refresh_token: String,
    #[schema(example = "Bearer")]
    pub(crate) token_type: &'static str,
    /// Seconds until the access token expires.
    pub(crate) expires_in: u64,
}

/// The caller's own profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserView {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
    /// `ko` or `en`.
    pub(crate) locale: Option<String>,
    /// An IANA time zone name (`Asia/Seoul`); absent until the user chooses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time_zone: Option<String>,
    /// RFC 3339.
    pub(crate) created_at: String,
    /// RFC 3339.
    pub(crate) updated_at: String,
}

impl From<&UserRecord> for UserView {
    fn from(u: &UserRecord) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            locale: u.locale.clone(),
            time_zone: u.time_zone.clone(),
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
        }
    }
}

/// `PUT /api/users/me`'s answer: the profile, and the address waiting for its code.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdatedMe {
    #[serde(flatten)]
    pub(crate) user: UserView,
    /// The new address, until the code sent to it is confirmed
    /// (`POST /api/users/me/email/confirm`); absent when nothing waits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pending_email: Option<String>,
}

/// What anyone signed in may see of a user.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicUserView {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// People whose name matched a search.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PeopleFound {
    pub(crate) items: Vec<PublicUserView>,
}

/// `PUT /api/users/me`: fields to change (absent ones stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateMe {
    #[schema(schema_with = name_or_null)]
    pub(crate) name: Option<String>,
    /// A new address needs `currentPassword`; when the server sends e-mail it takes effect
    /// once the code sent to it is confirmed (`pendingEmail` in the answer).
    #[schema(format = Email, max_length = 254)]
    pub(crate) email: Option<String>,
    /// The account's password: required with a new `email`.
    #[serde(rename = "currentPassword")]
    pub(crate) current_password: Option<String>,
    #[schema(schema_with = locale_or_null)]
    pub(crate) locale: Option<String>,
    /// An IANA time zone name (`Asia/Seoul`); an empty string returns to the server's.
    #[serde(rename = "timeZone")]
    pub(crate) time_zone: Option<String>,
}

/// A published public key (documentation of `quorum_auth::Jwk`).
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only; the route serves `quorum_auth::Jwks`
pub(crate) struct JwkDoc {
    #[schema(example = "OKP")]
    kty: String,
    #[schema(example = "Ed25519")]
    crv: String,
    x: String,
    kid: String,
    #[schema(example = "EdDSA")]
    alg: String,
    #[schema(rename = "use", example = "sig")]
    use_: String,
}

/// `{"keys": [...]}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct JwksDoc {
    keys: Vec<JwkDoc>,
}

pub(crate) fn rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
