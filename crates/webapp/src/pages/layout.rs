//! The frame of every page: skip link, header with navigation and the language switcher,
//! the main landmark, footer. maud escapes every value it writes, so user text can never
//! become markup.

use maud::{html, Markup, DOCTYPE};

use crate::assets::stylesheet_url;
use crate::csrf::{CsrfToken, FIELD};
use crate::i18n::{Locale, Tr};
use crate::session::Session;

/// The hidden field every form carries.
pub(crate) fn csrf_field(token: &CsrfToken) -> Markup {
    html! { input type="hidden" name=(FIELD) value=(token.0); }
}

/// A whole page around `body`.
pub(crate) fn page(
    tr: &Tr<'_>,
    title: &str,
    user: Option<&Session>,
    csrf: &CsrfToken,
    body: Markup,
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
                link rel="stylesheet" href=(stylesheet_url());
            }
            body {
                a.skip href="#main" { (tr.t("nav.skip")) }
                header.top {
                    a.brand href="/" { (tr.t("app.name")) }
                    nav aria-label=(tr.t("nav.main")) {
                        @if user.is_some() {
                            a href="/" { (tr.t("nav.dashboard")) }
                            a href="/todos" { (tr.t("nav.todos")) }
                            a href="/notifications" { (tr.t("nav.notifications")) }
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
                            span.who { (user.name) }
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
