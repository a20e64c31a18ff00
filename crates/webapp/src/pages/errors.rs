//! The error pages: a real 404 page, the 403 of a refused form, and the page shown when the
//! API could not give a page what it needs. Each is a sentence in the user's language.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::html;

use crate::api::ApiFailure;
use crate::csrf::CsrfToken;
use crate::i18n::{Locale, Tr};
use crate::pages::layout::page;
use crate::session::Session;
use crate::zone::Zone;
use crate::AppState;

/// The messages for a request, in its language (the profile's, else the browser's) and time
/// zone (the profile's, else `web.timezone`).
pub(crate) fn tr<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    session: Option<&Session>,
) -> Tr<'a> {
    let zone = session
        .and_then(|s| s.time_zone.as_deref())
        .and_then(Zone::parse)
        .unwrap_or_else(|| state.settings.zone());
    Tr::new(
        &state.catalogues,
        Locale::negotiate(session.and_then(|s| s.locale.as_deref()), headers),
        zone,
    )
}

pub(crate) async fn not_found(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
) -> Response {
    let tr = tr(&state, &headers, None);
    let title = tr.t("error.not_found.title");
    let body = html! {
        section.card.narrow {
            h1 { (title) }
            p { (tr.t("error.not_found.body")) }
            p { a.button href="/" { (tr.t("error.not_found.home")) } }
        }
    };
    (StatusCode::NOT_FOUND, page(&tr, title, None, &csrf, body)).into_response()
}

/// 403 with the reason `message_key` names.
pub(crate) fn forbidden(state: &AppState, headers: &HeaderMap, message_key: &str) -> Response {
    let tr = tr(state, headers, None);
    let title = tr.t("error.forbidden.title");
    let body = html! {
        section.card.narrow {
            h1 { (title) }
            p role="alert" { (tr.t(message_key)) }
            p { a.button href="/" { (tr.t("error.not_found.home")) } }
        }
    };
    let csrf = CsrfToken(String::new());
    (StatusCode::FORBIDDEN, page(&tr, title, None, &csrf, body)).into_response()
}

/// A page could not be built: a signed-out session goes to sign in, anything else is a 503
/// page that says so (the details are in the log).
pub(crate) fn failed(state: &AppState, headers: &HeaderMap, e: &ApiFailure) -> Response {
    if e.is_unauthorized() {
        return Redirect::to("/login").into_response();
    }
    tracing::warn!(error = %e, "a page could not be built");
    let tr = tr(state, headers, None);
    let title = tr.t("error.unavailable.title");
    let body = html! {
        section.card.narrow {
            h1 { (title) }
            p role="alert" { (tr.t("error.unavailable.body")) }
        }
    };
    let csrf = CsrfToken(String::new());
    (
        StatusCode::SERVICE_UNAVAILABLE,
        page(&tr, title, None, &csrf, body),
    )
        .into_response()
}
