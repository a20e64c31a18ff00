//! The frame of every page: skip link, header with navigation and the language switcher,
//! the main landmark, footer. maud escapes every value it writes, so user text can never
//! become markup.

use std::sync::OnceLock;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::assets;
use crate::csrf::{CsrfToken, FIELD};
use crate::i18n::{Locale, Tr};
use crate::session::Session;

/// The hidden field every form carries.
pub(crate) fn csrf_field(token: &CsrfToken) -> Markup {
    // The token is URL-safe base64: nothing to escape.
    html! { input type="hidden" name=(FIELD) value=(PreEscaped(&token.0)); }
}

/// The stylesheet and, on a signed-in page, the scripts: the same on every page, so written
/// once.
fn assets_head(signed_in: bool) -> PreEscaped<&'static str> {
    static SIGNED_IN: OnceLock<String> = OnceLock::new();
    static SIGNED_OUT: OnceLock<String> = OnceLock::new();
    let cell = if signed_in { &SIGNED_IN } else { &SIGNED_OUT };
    PreEscaped(cell.get_or_init(|| {
        html! {
            link rel="stylesheet" href=(assets::url("app.css"));
            @if signed_in {
                meta name="htmx-config"
                    content=r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}"#;
                script src=(assets::url("htmx.js")) defer {}
                script type="module" src=(assets::url("live.js")) {}
                script type="module" src=(assets::url("record.js")) {}
                script type="module" src=(assets::url("player.js")) {}
                script type="module" src=(assets::url("notes.js")) {}
            }
        }
        .into_string()
    }))
}

/// A whole page around `body`.
pub(crate) fn page(
    tr: &Tr<'_>,
    title: &str,
    user: Option<&Session>,
    csrf: &CsrfToken,
    body: Markup,
) -> Markup {
    frame(tr, title, user, csrf, body, false)
}

/// A page that waits for something (a meeting's minutes): its script follows the live
/// streams, and a browser without scripts reloads it every few seconds instead.
pub(crate) fn following(
    tr: &Tr<'_>,
    title: &str,
    user: Option<&Session>,
    csrf: &CsrfToken,
    body: Markup,
) -> Markup {
    frame(tr, title, user, csrf, body, true)
}

fn frame(
    tr: &Tr<'_>,
    title: &str,
    user: Option<&Session>,
    csrf: &CsrfToken,
    body: Markup,
    follow: bool,
) -> Markup {
    let other = match tr.locale {
        Locale::En => Locale::Ko,
        Locale::Ko => Locale::En,
    };
    html! {
        (DOCTYPE)
        html lang=(tr.locale.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (tr.t("app.name")) }
                (assets_head(user.is_some()))
                @if follow {
                    noscript { meta http-equiv="refresh" content="4"; }
                }
            }
            body {
                a.skip href="#main" { (tr.t("nav.skip")) }
                header.top {
                    a.brand href="/" { (tr.t("app.name")) }
                    nav aria-label=(tr.t("nav.main")) {
                        @if user.is_some() {
                            a href="/" { (tr.t("nav.dashboard")) }
                            a href="/todos" { (tr.t("nav.todos")) }
                            a href="/notifications" {
                                (tr.t("nav.notifications"))
                                " "
                                span.badge data-unread-count="0" hidden
                                    data-label=(tr.t("nav.unread_notifications")) {}
                            }
                        }
                    }
                    div.tools {
                        form method="post" action="/language" {
                            (csrf_field(csrf))
                            input type="hidden" name="lang" value=(other.code());
                            button.link type="submit" lang=(other.code())
                                title=(tr.t("lang.switch")) {
                                (tr.t(&format!("lang.{}", other.code())))
                            }
                        }
                        @if let Some(user) = user {
                            a.who href="/settings" title=(tr.t("settings.title")) { (user.name) }
                            form method="post" action="/logout" {
                                (csrf_field(csrf))
                                button.link type="submit" { (tr.t("nav.signout")) }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer {
                    span { (tr.t("app.tagline")) }
                    a href="/api/docs/" { (tr.t("nav.api_docs")) }
                }
            }
        }
    }
}
