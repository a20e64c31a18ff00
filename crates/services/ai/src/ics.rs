//! iCalendar (RFC 5545) for schedule suggestions: one `VCALENDAR` with a `VEVENT` per
//! suggestion, times in UTC (`…Z`), text escaped (§3.3.11), lines folded at 75 octets
//! (§3.1) and ended with CRLF.

use chrono::{DateTime, Utc};
use quorum_contracts::events::ParticipantRef;
use uuid::Uuid;

use crate::views::SuggestionView;

/// The media type of the document.
pub(crate) const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

const MAX_OCTETS: usize = 75;

/// The calendar for `suggestions` as `viewer` downloads it; `people` gives attendees their
/// names. A user's e-mail address is shown to no one else (docs/security.md, "Privacy
/// model"), so only the viewer's own `ATTENDEE` carries an address (`mailto:`); every other
/// participant's is their id as a URN (`urn:uuid:…`, a calendar address by RFC 5545), with
/// their name. Participants without a name or address (deleted users) are left out.
pub(crate) fn calendar(
    suggestions: &[SuggestionView],
    people: &[ParticipantRef],
    viewer: Uuid,
    stamp: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Quorum//AI schedule suggestions//EN",
    ] {
        push(&mut out, line);
    }
    push(&mut out, "CALSCALE:GREGORIAN");
    push(&mut out, "METHOD:PUBLISH");
    for s in suggestions {
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}@quorum", s.id));
        push(&mut out, &format!("DTSTAMP:{}", utc(stamp)));
        push(&mut out, &format!("DTSTART:{}", utc(s.start)));
        push(&mut out, &format!("DTEND:{}", utc(s.end)));
        push(&mut out, &format!("SUMMARY:{}", text(&s.title)));
        push(&mut out, &format!("DESCRIPTION:{}", text(&s.reason)));
        for id in &s.participant_ids {
            let Some(p) = people.iter().find(|p| p.user_id == *id) else {
                continue;
            };
            if let Some(line) = attendee(p, viewer) {
                push(&mut out, &line);
            }
        }
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// The `ATTENDEE` line of `p`: the viewer's own address, anyone else's id.
fn attendee(p: &ParticipantRef, viewer: Uuid) -> Option<String> {
    let email = p.email.trim();
    let address = if p.user_id == viewer && !email.is_empty() {
        format!("mailto:{email}")
    } else if !p.name.trim().is_empty() {
        format!("urn:uuid:{}", p.user_id)
    } else {
        return None;
    };
    Some(format!(
        "ATTENDEE;CN=\"{}\";ROLE=REQ-PARTICIPANT:{address}",
        param(&p.name)
    ))
}

/// `DATE-TIME` in UTC form: `19980119T070000Z`.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A `TEXT` value: backslash, semicolon and comma escaped, newlines as `\n`.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A quoted parameter value may hold anything but `"` and control characters.
fn param(s: &str) -> String {
    s.chars().filter(|c| *c != '"' && !c.is_control()).collect()
}

/// Appends `line` folded into lines of at most 75 octets (continuations start with a
/// space, which counts), never splitting a UTF-8 character, each ended by CRLF.
fn push(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > MAX_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "가나다라마바사".repeat(10));
        push(&mut out, &long);
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 1);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= MAX_OCTETS, "{l}");
            assert_eq!(i > 0, l.starts_with(' '));
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), long);
    }
}
