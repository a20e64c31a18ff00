//! HTTP routes, one file per group: [`account`] (register), [`session`] (login, refresh,
//! logout), [`profile`] (me, public profiles) and [`jwks`]; and the OpenAPI document.

use axum::http::HeaderMap;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::ApiError;

pub(crate) mod account;
pub(crate) mod jwks;
pub(crate) mod profile;
pub(crate) mod session;

/// Every route with its OpenAPI operation, each registered once: the service's router and
/// its OpenAPI document are both cut from this.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(account::register))
        .routes(routes!(session::login))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(session::change_password))
        .routes(routes!(
            profile::get_me,
            profile::update_me,
            profile::delete_me
        ))
        .routes(routes!(profile::confirm_email))
        .routes(routes!(profile::lookup))
        .routes(routes!(profile::search))
        .routes(routes!(profile::get_user))
        .routes(routes!(jwks::jwks))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(
        crate::views::RegisterBody,
        crate::views::Registered,
        crate::views::LoginBody,
        crate::views::RefreshBody,
        crate::views::LogoutBody,
        crate::views::ChangePassword,
        crate::views::TokenPair,
        crate::views::UserView,
        crate::views::PublicUserView,
        crate::views::PeopleFound,
        crate::views::UpdateMe,
        crate::views::UpdatedMe,
        crate::views::ConfirmEmail,
        crate::views::JwksDoc,
        crate::views::JwkDoc,
        quorum_web::Problem,
    )),
    tags((name = "users", description = "Accounts, sessions, profiles and signing keys"))
)]
pub(crate) struct ApiDoc;

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("an `Authorization: Bearer` token is required".into())
        })
}
