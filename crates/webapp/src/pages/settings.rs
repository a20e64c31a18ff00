//! My settings: name, language and time zone (the profile), the password, and signing out of every
//! browser and device at once.
//!
//! A password change ends every other session: identity revokes every refresh family and
//! the access tokens of each, and answers with the pair of a new session, which this browser
//! keeps; the web app ends the user's other browser sessions at once
//! ([`Sessions::end_all`]). Signing out everywhere does the same without a new session. A
//! new password identity finds too easy to guess is refused with a sentence that says so.
//!
//! [`Sessions::end_all`]: crate::session::Sessions::end_all

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

use crate::csrf::CsrfToken;
use crate::i18n::{Locale, Tr};
use crate::pages::auth::{check_name, check_password};
use crate::pages::errors::{failed, tr};
use crate::pages::layout::{self, csrf_field};
use crate::session::{now_secs, set_cookie, SignedIn, TokenPair, COOKIE};
use crate::zone::{self, Zone};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SettingsQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// What the page may be sent back with (catalogue keys; nothing else is shown).
const MESSAGES: &[&str] = &[
    "settings.saved.profile",
    "settings.saved.password",
    "settings.error.wrong_password",
    "auth.error.password_short",
    "auth.error.password_long",
    "auth.error.password_weak",
    "auth.error.too_many_for_account",
    "auth.error.name_required",
    "auth.error.name_long",
    "meeting.error.generic",
    "settings.error.time_zone",
];

fn known(key: Option<&str>) -> Option<&'static str> {
    key.and_then(|k| MESSAGES.iter().find(|m| **m == k).copied())
}

fn page_body(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    user: &SignedIn,
    q: &SettingsQuery,
    state_zone: Zone,
) -> Markup {
    let chosen = user.session.time_zone.as_deref();
    let current = user
        .session
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(tr.locale);
    html! {
        h1 { (tr.t("settings.title")) }
        @if let Some(key) = known(q.saved.as_deref()) {
            p.notice role="status" { (tr.t(key)) }
        }
        @if let Some(key) = known(q.error.as_deref()) {
            div.error role="alert" {
                h2 { (tr.t("auth.error.heading")) }
                p { (tr.t(key)) }
            }
        }
        div.grid {
            section.card aria-labelledby="profile-heading" {
                h2 id="profile-heading" { (tr.t("settings.profile")) }
                form method="post" action="/settings/profile" {
                    (csrf_field(csrf))
                    label for="name" { (tr.t("auth.field.name")) }
                    input id="name" name="name" type="text" required maxlength="100"
                        autocomplete="name" value=(user.session.name);
                    label for="language" { (tr.t("nav.language")) }
                    select id="language" name="locale" {
                        @for l in [Locale::Ko, Locale::En] {
                            option value=(l.code()) selected[l == current] lang=(l.code()) {
                                (tr.t(&format!("lang.{}", l.code())))
                            }
                        }
                    }
                    label for="timezone" { (tr.t("settings.time_zone")) }
                    select id="timezone" name="timeZone" aria-describedby="timezone-hint" {
                        option value="" selected[chosen.is_none()] {
                            (tr.f("settings.time_zone_default", &[("zone", &state_zone.label())]))
                        }
                        @for name in zone::names() {
                            option selected[chosen == Some(name)] { (name) }
                        }
                    }
                    p.hint id="timezone-hint" { (tr.f("settings.time_zone_now", &[("zone", &tr.zone.label())])) }
                    p.hint { (tr.f("settings.email", &[("email", &user.session.email)])) }
                    button type="submit" { (tr.t("settings.save")) }
                }
            }
            section.card aria-labelledby="password-heading" {
                h2 id="password-heading" { (tr.t("settings.password")) }
                form method="post" action="/settings/password" {
                    (csrf_field(csrf))
                    label for="current" { (tr.t("settings.current_password")) }
                    input id="current" name="current" type="password" required
                        autocomplete="current-password";
                    label for="new" { (tr.t("settings.new_password")) }
                    input id="new" name="new" type="password" required minlength="8"
                        autocomplete="new-password" aria-describedby="new-hint";
                    p.hint id="new-hint" { (tr.t("settings.password_hint")) }
                    button type="submit" { (tr.t("settings.change_password")) }
                }
            }
            section.card aria-labelledby="everywhere-heading" {
                h2 id="everywhere-heading" { (tr.t("settings.everywhere")) }
                p { (tr.t("settings.everywhere_hint")) }
                form method="post" action="/settings/sign-out-everywhere" {
                    (csrf_field(csrf))
                    button.secondary type="submit" { (tr.t("settings.everywhere_button")) }
                }
            }
        }
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Query(q): Query<SettingsQuery>,
) -> Response {
    let tr = tr(&state, &headers, Some(&user.session));
    let title = tr.t("settings.title");
    let body = page_body(&tr, &csrf, &user, &q, state.settings.zone());
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    /// An IANA name, or empty for the server's.
    #[serde(default, rename = "timeZone")]
    time_zone: String,
}

pub(crate) async fn profile(
    State(state): State<AppState>,
    mut user: SignedIn,
    headers: HeaderMap,
    Form(form): Form<ProfileForm>,
) -> Response {
    if let Some(key) = check_name(&form.name) {
        return Redirect::to(&format!("/settings?error={key}")).into_response();
    }
    let locale = Locale::parse(&form.locale).map(Locale::code);
    let time_zone = form.time_zone.trim();
    let named = Zone::parse(time_zone).and_then(|z| z.name());
    if !time_zone.is_empty() && named.is_none() {
        return Redirect::to("/settings?error=settings.error.time_zone").into_response();
    }
    let body = json!({ "name": form.name, "locale": locale, "timeZone": named.unwrap_or("") });
    match user
        .send(&state, Method::PUT, "/api/users/me", Some(&body))
        .await
    {
        Ok(r) if r.status.is_success() => {
            if let Some(name) = r.body.get("name").and_then(serde_json::Value::as_str) {
                user.session.name = name.to_owned();
            }
            if let Some(locale) = locale {
                user.session.locale = Some(locale.to_owned());
            }
            user.session.time_zone = named.map(str::to_owned);
            state.sessions.replace(&user.id, &user.session).await;
            Redirect::to("/settings?saved=settings.saved.profile").into_response()
        }
        Ok(r) => failed(&state, &headers, &r.failure()),
        Err(e) => failed(&state, &headers, &e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

pub(crate) async fn password(
    State(state): State<AppState>,
    mut user: SignedIn,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Some(key) = check_password(&form.new) {
        return Redirect::to(&format!("/settings?error={key}")).into_response();
    }
    let body = json!({ "currentPassword": form.current, "newPassword": form.new });
    let reply = user
        .send(&state, Method::PUT, "/api/users/me/password", Some(&body))
        .await;
    let pair = match reply {
        Ok(r) if r.status.is_success() => match r.json::<TokenPair>() {
            Ok(pair) => pair,
            Err(e) => return failed(&state, &headers, &e),
        },
        Ok(r) if r.code() == Some("wrong_password") => {
            return Redirect::to("/settings?error=settings.error.wrong_password").into_response();
        }
        Ok(r) if r.code() == Some("weak_password") => {
            return Redirect::to("/settings?error=auth.error.password_weak").into_response();
        }
        Ok(r) if r.code() == Some("login_throttled") => {
            return Redirect::to("/settings?error=auth.error.too_many_for_account").into_response();
        }
        Ok(r) => return failed(&state, &headers, &r.failure()),
        Err(e) => return failed(&state, &headers, &e),
    };
    // Every other browser is signed out; this one goes on in a new session.
    state.sessions.end_all(&user.session.user_id).await;
    user.session.access_token = pair.access_token;
    user.session.refresh_token = pair.refresh_token;
    user.session.access_expires_at = now_secs() + pair.expires_in;
    let Some(id) = state.sessions.create(&user.session).await else {
        return Redirect::to("/login").into_response();
    };
    let mut res = Redirect::to("/settings?saved=settings.saved.password").into_response();
    let ttl = state.settings.session_ttl();
    if let Some(cookie) = set_cookie(&state, &headers, COOKIE, &id, Some(ttl), "Lax") {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}

/// Signs the user out of every browser and device.
pub(crate) async fn everywhere(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
) -> Response {
    let body = json!({ "everywhere": true });
    match user
        .send(&state, Method::POST, "/api/users/logout", Some(&body))
        .await
    {
        Ok(r) if r.status.is_success() || r.status == StatusCode::UNAUTHORIZED => {}
        Ok(r) => return failed(&state, &headers, &r.failure()),
        Err(e) => return failed(&state, &headers, &e),
    }
    state.sessions.end_all(&user.session.user_id).await;
    let mut res = Redirect::to("/login").into_response();
    if let Some(cookie) = set_cookie(&state, &headers, COOKIE, "", None, "Lax") {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}
