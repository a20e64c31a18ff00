//! Sign in, create an account, sign out, and the language switcher.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

use crate::api::{Peer, Reply};
use crate::csrf::CsrfToken;
use crate::i18n::{Locale, Tr, LANG_COOKIE};
use crate::pages::errors::{failed, tr};
use crate::pages::layout::{csrf_field, page};
use crate::session::{now_secs, set_cookie, MaybeSignedIn, Session, TokenPair, COOKIE};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LanguageForm {
    lang: String,
}

/// The profile identity answers `GET /api/users/me` with.
#[derive(Debug, Deserialize)]
struct Me {
    id: String,
    email: String,
    name: String,
    locale: Option<String>,
    #[serde(default, rename = "timeZone")]
    time_zone: Option<String>,
}

/// An error shown above a form, by catalogue key.
fn error_box(tr: &Tr<'_>, key: Option<&str>) -> Markup {
    html! {
        @if let Some(key) = key {
            div.error role="alert" aria-labelledby="error-heading" {
                h2 id="error-heading" { (tr.t("auth.error.heading")) }
                p { (tr.t(key)) }
            }
        }
    }
}

fn login_form(tr: &Tr<'_>, csrf: &CsrfToken, email: &str, error: Option<&str>) -> Markup {
    html! {
        section.card.narrow {
            h1 { (tr.t("auth.login.heading")) }
            (error_box(tr, error))
            form method="post" action="/login" {
                (csrf_field(csrf))
                label for="email" { (tr.t("auth.field.email")) }
                input id="email" name="email" type="email" autocomplete="username" required
                    value=(email) autofocus[email.is_empty()];
                label for="password" { (tr.t("auth.field.password")) }
                input id="password" name="password" type="password"
                    autocomplete="current-password" required autofocus[!email.is_empty()];
                button type="submit" { (tr.t("auth.login.submit")) }
            }
            p.aside {
                (tr.t("auth.login.no_account")) " "
                a href="/register" { (tr.t("auth.login.register_link")) }
            }
        }
    }
}

fn register_form(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    form: Option<&RegisterForm>,
    error: Option<&str>,
) -> Markup {
    let (email, name) = form.map_or(("", ""), |f| (f.email.as_str(), f.name.as_str()));
    html! {
        section.card.narrow {
            h1 { (tr.t("auth.register.heading")) }
            (error_box(tr, error))
            form method="post" action="/register" {
                (csrf_field(csrf))
                label for="name" { (tr.t("auth.field.name")) }
                input id="name" name="name" type="text" autocomplete="name" required
                    maxlength="100" value=(name) aria-describedby="name-hint";
                p.hint id="name-hint" { (tr.t("auth.field.name_hint")) }
                label for="email" { (tr.t("auth.field.email")) }
                input id="email" name="email" type="email" autocomplete="email" required
                    value=(email);
                label for="password" { (tr.t("auth.field.password")) }
                input id="password" name="password" type="password" autocomplete="new-password"
                    required minlength="8" aria-describedby="password-hint";
                p.hint id="password-hint" { (tr.t("auth.field.password_hint")) }
                button type="submit" { (tr.t("auth.register.submit")) }
            }
            p.aside {
                (tr.t("auth.register.have_account")) " "
                a href="/login" { (tr.t("auth.register.login_link")) }
            }
        }
    }
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    MaybeSignedIn(user): MaybeSignedIn,
    headers: HeaderMap,
) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    let tr = tr(&state, &headers, None);
    let title = tr.t("auth.login.title");
    page(&tr, title, None, &csrf, login_form(&tr, &csrf, "", None)).into_response()
}

pub(crate) async fn register_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    MaybeSignedIn(user): MaybeSignedIn,
    headers: HeaderMap,
) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    let tr = tr(&state, &headers, None);
    let title = tr.t("auth.register.title");
    page(
        &tr,
        title,
        None,
        &csrf,
        register_form(&tr, &csrf, None, None),
    )
    .into_response()
}

/// The catalogue key of a refused sign-in or registration.
fn refusal(reply: &Reply) -> &'static str {
    match (reply.status, reply.code()) {
        (_, Some("bad_credentials")) => "auth.error.bad_credentials",
        (_, Some("email_taken")) => "auth.error.email_taken",
        (_, Some("weak_password")) => "auth.error.password_weak",
        (_, Some("login_throttled")) => "auth.error.too_many_for_account",
        (StatusCode::TOO_MANY_REQUESTS, _) => "auth.error.too_many",
        (s, _) if s.is_client_error() => "auth.error.bad_credentials",
        _ => "auth.error.generic",
    }
}

/// A session just started: the redirect to the dashboard carrying its cookie, its id, and
/// what it holds.
struct Started {
    response: Response,
    id: String,
    session: Session,
}

/// Signs in through the API and starts a session, or gives the refused answer.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    peer: &Peer,
    email: &str,
    password: &str,
) -> Result<Started, Reply> {
    let body = json!({ "email": email, "password": password });
    let reply = state
        .api
        .call(Method::POST, "/api/users/login", None, Some(&body), peer)
        .await
        .map_err(|e| Reply {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({ "detail": e.to_string() }),
        })?;
    if !reply.status.is_success() {
        return Err(reply);
    }
    let unavailable = |detail: String| Reply {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body: json!({ "detail": detail }),
    };
    let pair: TokenPair = reply.json().map_err(|e| unavailable(e.to_string()))?;
    let me: Me = state
        .api
        .get("/api/users/me", &pair.access_token, peer)
        .await
        .and_then(Reply::json)
        .map_err(|e| unavailable(e.to_string()))?;
    let session = Session {
        user_id: me.id,
        name: me.name,
        email: me.email,
        locale: me.locale,
        time_zone: me.time_zone,
        access_token: pair.access_token,
        access_expires_at: now_secs() + pair.expires_in,
        refresh_token: pair.refresh_token,
    };
    let id = state
        .sessions
        .create(&session)
        .await
        .ok_or_else(|| unavailable("the session store is unavailable".into()))?;
    let ttl = state.settings.session_ttl();
    let mut response = Redirect::to("/").into_response();
    if let Some(cookie) = set_cookie(state, headers, COOKIE, &id, Some(ttl), "Lax") {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(Started {
        response,
        id,
        session,
    })
}

pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    peer: Peer,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = tr(&state, &headers, None);
    let email = form.email.trim();
    match start_session(&state, &headers, &peer, email, &form.password).await {
        Ok(started) => started.response,
        Err(reply) => {
            let title = tr.t("auth.login.title");
            let key = refusal(&reply);
            let body = login_form(&tr, &csrf, email, Some(key));
            (status_of(&reply), page(&tr, title, None, &csrf, body)).into_response()
        }
    }
}

/// What is wrong with a name (identity's rule: 1 to 100 characters), as a message key.
pub(crate) fn check_name(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Some("auth.error.name_required");
    }
    (name.chars().count() > 100).then_some("auth.error.name_long")
}

/// What is wrong with a password's length (identity's rule: 8 to 1024 characters), as a
/// message key; whether it is too easy to guess only identity says (`weak_password`).
pub(crate) fn check_password(password: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < 8 {
        return Some("auth.error.password_short");
    }
    (length > 1024).then_some("auth.error.password_long")
}

/// What the form says is wrong before the API is asked, in the user's language.
fn check(form: &RegisterForm) -> Option<&'static str> {
    let email = form.email.trim();
    if let Some(key) = check_name(&form.name) {
        return Some(key);
    }
    let plausible = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !plausible || email.chars().any(char::is_whitespace) {
        return Some("auth.error.email_invalid");
    }
    check_password(&form.password)
}

fn status_of(reply: &Reply) -> StatusCode {
    if reply.status.is_client_error() {
        reply.status
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

pub(crate) async fn register(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    peer: Peer,
    Form(form): Form<RegisterForm>,
) -> Response {
    let tr = tr(&state, &headers, None);
    let title = tr.t("auth.register.title");
    let refuse = |status: StatusCode, key: &str| {
        let body = register_form(&tr, &csrf, Some(&form), Some(key));
        (status, page(&tr, title, None, &csrf, body)).into_response()
    };
    if let Some(key) = check(&form) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, key);
    }
    let email = form.email.trim();
    let body = json!({ "email": email, "password": form.password, "name": form.name.trim() });
    let reply = match state
        .api
        .call(
            Method::POST,
            "/api/users/register",
            None,
            Some(&body),
            &peer,
        )
        .await
    {
        Ok(reply) => reply,
        Err(e) => return failed(&state, &headers, &e),
    };
    if !reply.status.is_success() {
        return refuse(status_of(&reply), refusal(&reply));
    }
    match start_session(&state, &headers, &peer, email, &form.password).await {
        Ok(Started {
            response,
            id,
            mut session,
        }) => {
            // The profile keeps the language the account was made in.
            let body = json!({ "locale": tr.locale.code() });
            let saved = state
                .api
                .call(
                    Method::PUT,
                    "/api/users/me",
                    Some(&session.access_token),
                    Some(&body),
                    &peer,
                )
                .await;
            if saved.is_ok_and(|r| r.status.is_success()) {
                session.locale = Some(tr.locale.code().into());
                state.sessions.replace(&id, &session).await;
            }
            response
        }
        Err(reply) => refuse(status_of(&reply), refusal(&reply)),
    }
}

/// Ends the session: the API revokes the refresh-token family, the cookie goes.
pub(crate) async fn logout(
    State(state): State<AppState>,
    MaybeSignedIn(user): MaybeSignedIn,
    headers: HeaderMap,
) -> Response {
    if let Some(user) = user {
        let body = json!({ "refreshToken": user.session.refresh_token });
        let revoked = state
            .api
            .call(
                Method::POST,
                "/api/users/logout",
                Some(&user.session.access_token),
                Some(&body),
                &user.peer,
            )
            .await;
        if let Err(e) = revoked {
            tracing::warn!(error = %e, "logout: the API did not answer; the session ends here");
        }
        state.sessions.delete(&user.id).await;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Some(cookie) = set_cookie(&state, &headers, COOKIE, "", None, "Lax") {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}

/// Switches the language: a cookie for this browser, and the profile when signed in.
pub(crate) async fn language(
    State(state): State<AppState>,
    MaybeSignedIn(user): MaybeSignedIn,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(locale) = Locale::parse(&form.lang) else {
        return Redirect::to("/").into_response();
    };
    if let Some(mut user) = user {
        let body = json!({ "locale": locale.code() });
        let saved = state
            .api
            .call(
                Method::PUT,
                "/api/users/me",
                Some(&user.session.access_token),
                Some(&body),
                &user.peer,
            )
            .await;
        if saved.is_ok_and(|r| r.status.is_success()) {
            user.session.locale = Some(locale.code().into());
            state.sessions.replace(&user.id, &user.session).await;
        }
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(same_site_path)
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    let year = Duration::from_secs(365 * 24 * 3600);
    if let Some(cookie) = set_cookie(
        &state,
        &headers,
        LANG_COOKIE,
        locale.code(),
        Some(year),
        "Lax",
    ) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}

/// The path of a referring URL of this site (never a redirect to another host).
fn same_site_path(referer: &str) -> Option<String> {
    let rest = referer.split_once("://").map_or(referer, |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, email: &str, password: &str) -> RegisterForm {
        RegisterForm {
            name: name.into(),
            email: email.into(),
            password: password.into(),
        }
    }

    #[test]
    fn a_registration_is_checked_before_the_api_is_asked() {
        assert_eq!(check(&form("Ann", "ann@example.com", "long enough")), None);
        assert_eq!(
            check(&form(" ", "ann@example.com", "long enough")),
            Some("auth.error.name_required")
        );
        assert_eq!(
            check(&form("Ann", "ann", "long enough")),
            Some("auth.error.email_invalid")
        );
        assert_eq!(
            check(&form("Ann", "a@b.c", "short")),
            Some("auth.error.password_short")
        );
    }

    #[test]
    fn the_language_switch_returns_only_to_a_page_of_this_site() {
        assert_eq!(
            same_site_path("http://localhost:8080/login?x=1").as_deref(),
            Some("/login?x=1")
        );
        assert_eq!(same_site_path("http://localhost:8080").as_deref(), None);
        assert_eq!(
            same_site_path("http://evil.example//other.example/").as_deref(),
            None
        );
    }
}
