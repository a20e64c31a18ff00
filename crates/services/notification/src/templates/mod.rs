//! Message templates, Korean ([`ko`]) and English ([`en`]): for each kind an in-app title
//! and body, and an e-mail (subject, plain text, simple HTML) built from them.
//!
//! Language: the recipient's contact locale when it is `ko…` or `en…`, otherwise Korean when
//! the meeting (or to-do) title contains Hangul, else English ([`Locale::choose`]). Korean
//! messages show times in KST (UTC+9), English ones in UTC, both labelled.

mod confirm;
mod en;
mod ko;

pub(crate) use confirm::email_change;

use chrono::{DateTime, Utc};

use crate::domain::{Kind, Locale};

/// What a message may mention; the planner fills what the event carries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// The meeting's title (empty when a to-do has no known meeting).
    pub(crate) meeting_title: String,
    /// When the meeting is (or was) scheduled.
    pub(crate) scheduled: Option<DateTime<Utc>>,
    pub(crate) todo_title: Option<String>,
    /// `YYYY-MM-DD`.
    pub(crate) due_date: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) action_items: usize,
    pub(crate) decisions: usize,
}

/// A rendered notification.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub(crate) title: String,
    pub(crate) body: String,
}

/// An e-mail.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Email {
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
}

/// The in-app title and body of `kind` in `locale`.
pub(crate) fn render(kind: Kind, locale: Locale, facts: &Facts) -> Rendered {
    let (title, body) = match locale {
        Locale::Ko => ko::lines(kind, facts),
        Locale::En => en::lines(kind, facts),
    };
    Rendered { title, body }
}

/// The e-mail for a rendered notification; `url` is the absolute link.
pub(crate) fn email(locale: Locale, name: &str, n: &Rendered, url: &str) -> Email {
    let (greeting, open, footer) = match locale {
        Locale::Ko => ko::frame(name),
        Locale::En => en::frame(name),
    };
    let text = format!(
        "{greeting}\n\n{}\n\n{}\n\n{open}: {url}\n\n-- \n{footer}\n",
        n.title, n.body
    );
    let body_html = n
        .body
        .lines()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect::<String>();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><body><p>{g}</p><h2>{t}</h2>{body_html}\
         <p><a href=\"{u}\">{o}</a></p><hr><p><small>{f}</small></p></body></html>",
        lang = locale.as_str(),
        g = escape(&greeting),
        t = escape(&n.title),
        u = escape(url),
        o = escape(open),
        f = escape(footer),
    );
    Email {
        subject: format!("[Quorum] {}", n.title),
        text,
        html,
    }
}

/// `2025-03-01 10:00 KST` (Korean) or `2025-03-01 01:00 UTC` (English).
pub(crate) fn when(locale: Locale, t: DateTime<Utc>) -> String {
    match locale {
        Locale::Ko => {
            let kst = t
                .checked_add_signed(chrono::Duration::hours(9))
                .unwrap_or(t);
            kst.format("%Y-%m-%d %H:%M KST").to_string()
        }
        Locale::En => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests;
