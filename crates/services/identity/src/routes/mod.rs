//! HTTP routes, one file per group: [`account`] (register), [`session`] (login, refresh,
//! logout), [`profile`] (me, public profiles) and [`jwks`]; and the OpenAPI document.

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::app::AppState;
use crate::error::ApiError;

pub(crate) mod account;
pub(crate) mod jwks;
pub(crate) mod profile;
pub(crate) mod session;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/users/register", post(account::register))
        .route("/api/users/login", post(session::login))
        .route("/api/users/refresh", post(session::refresh))
        .route("/api/users/logout", post(session::logout))
        .route(
            "/api/users/me",
            get(profile::get_me)
                .put(profile::update_me)
                .delete(profile::delete_me),
        )
        .route("/api/users/{id}", get(profile::get_user))
        .route("/.well-known/jwks.json", get(jwks::jwks))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        account::register,
        session::login,
        session::refresh,
        session::logout,
        profile::get_me,
        profile::update_me,
        profile::delete_me,
        profile::get_user,
        jwks::jwks,
    ),
    components(schemas(
        crate::views::RegisterBody,
        crate::views::Registered,
        crate::views::LoginBody,
        crate::views::RefreshBody,
        crate::views::LogoutBody,
        crate::views::TokenPair,
        crate::views::UserView,
        crate::views::PublicUserView,
        crate::views::UpdateMe,
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
