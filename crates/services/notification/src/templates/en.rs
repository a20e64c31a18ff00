//! English texts.

use super::{clip, when, Facts};
use crate::domain::{Kind, Locale};

pub(super) fn frame(name: &str) -> (String, &'static str, &'static str) {
    let greeting = if name.is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hi {name},")
    };
    (
        greeting,
        "Open in Quorum",
        "You get this because of your Quorum notification settings; you can turn e-mail off there.",
    )
}

pub(super) fn lines(kind: Kind, f: &Facts) -> (String, String) {
    let t = &f.meeting_title;
    let at = f
        .scheduled
        .map(|s| when(Locale::En, s))
        .unwrap_or_else(|| "a time to be decided".into());
    let todo = f.todo_title.as_deref().unwrap_or_default();
    let in_meeting = if t.is_empty() {
        String::new()
    } else {
        format!("\nMeeting: {t}")
    };
    match kind {
        Kind::MeetingCreated => (
            format!("You're invited: {t}"),
            format!("Scheduled for {at}."),
        ),
        Kind::MeetingCancelled => (
            format!("Meeting cancelled: {t}"),
            format!("The meeting scheduled for {at} was cancelled."),
        ),
        Kind::MeetingEnded => (
            format!("Meeting ended: {t}"),
            "The minutes are being prepared; we'll tell you when they are ready.".into(),
        ),
        Kind::TranscriptCreated => (
            format!("Transcript ready: {t}"),
            "Please review the transcript and correct anything that is wrong.".into(),
        ),
        Kind::TranscriptShared => (
            format!("A transcript was shared with you: {t}"),
            "You can now read this meeting's transcript.".into(),
        ),
        Kind::AnalysisCompleted => (
            format!("Summary ready: {t}"),
            format!(
                "{}\n{} action items, {} decisions",
                clip(f.summary.as_deref().unwrap_or_default(), 300),
                f.action_items,
                f.decisions
            ),
        ),
        Kind::TodoCreated => (
            format!("New to-do for you: {todo}"),
            format!(
                "Due: {}{in_meeting}",
                f.due_date.as_deref().unwrap_or("no due date")
            ),
        ),
        Kind::TodoCompleted => (
            format!("To-do completed: {todo}"),
            format!("The assignee marked it done.{in_meeting}"),
        ),
    }
}
