//! The follow-up meeting suggestion: the one the meeting mentioned ("follow-up meeting next
//! Tuesday at 2pm", "다음 회의는 다음 주 화요일 오후 2시"), or else the same time a week later,
//! 30 minutes long (60 when the meeting ran to many sections), with everyone invited.

use std::sync::LazyLock;

use chrono::{Days, Duration};
use regex::Regex;

use super::dates::{self, DateContext};
use super::re;
use super::{AnalysisInput, Lang, ScheduleSuggestion};

/// Meetings with more sections than this get an hour-long follow-up by default.
const LONG_MEETING_SECTIONS: usize = 10;

static FOLLOW_UP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bfollow[- ]?up\s+(?:meeting|call|session|sync)\b|\bnext\s+(?:meeting|sync|session|check[- ]?in|call)\b|\bmeet\s+again\b|\breconvene\b|\bregroup\b|\bsync\s+again\b|\bcatch\s+up\s+again\b|다음\s*(?:회의|미팅|모임)|후속\s*(?:회의|미팅)|다시\s*(?:모이|만나|회의)",
    )
});
static MINUTES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\d{1,3})\s*(?:min(?:ute)?s?\b|분\s*(?:동안|간|정도|짜리|회의|미팅))")
});
static HOURS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(\d(?:\.5)?|an|one|half\s+an)\s*(?:hours?\b|hrs?\b)|(\d)\s*시간"));

/// The suggested follow-up for a meeting.
pub(crate) fn suggest(
    input: &AnalysisInput,
    sentences: &[&str],
    ctx: &DateContext,
) -> ScheduleSuggestion {
    let default_minutes = if input.sections.len() > LONG_MEETING_SECTIONS {
        60
    } else {
        30
    };
    let participant_ids = input.participants.iter().map(|p| p.id).collect();
    let title = match input.language {
        Lang::En => format!("Follow-up: {}", input.meeting_title),
        Lang::Ko => format!("후속 회의: {}", input.meeting_title),
    };
    let week_later = input.meeting_date + Duration::days(7);
    for s in sentences.iter().filter(|s| FOLLOW_UP.is_match(s)) {
        let found = dates::find(s, ctx);
        if found.date.is_none() && found.time.is_none() {
            continue;
        }
        let date = found.date.unwrap_or_else(|| ctx.today + Days::new(7));
        let start = ctx
            .utc(date, found.time.unwrap_or(ctx.time))
            .unwrap_or(week_later);
        let reason = match input.language {
            Lang::En => format!("Follow-up mentioned in the meeting: \"{s}\""),
            Lang::Ko => format!("회의에서 언급된 후속 일정입니다: \"{s}\""),
        };
        let duration_minutes = duration(s).unwrap_or(default_minutes);
        return ScheduleSuggestion {
            title,
            start,
            duration_minutes,
            participant_ids,
            reason,
        };
    }
    let reason = match input.language {
        Lang::En => "No follow-up was scheduled in the meeting, so the same time one week later is suggested.".to_string(),
        Lang::Ko => "회의에서 후속 일정이 정해지지 않아 일주일 뒤 같은 시간을 제안합니다.".to_string(),
    };
    ScheduleSuggestion {
        title,
        start: week_later,
        duration_minutes: default_minutes,
        participant_ids,
        reason,
    }
}

/// A length said in the sentence ("for 45 minutes", "1시간", "an hour").
fn duration(s: &str) -> Option<u32> {
    if let Some(c) = MINUTES.captures(s) {
        return c
            .get(1)?
            .as_str()
            .parse()
            .ok()
            .filter(|m| (5..=480).contains(m));
    }
    let c = HOURS.captures(s)?;
    let amount = c.get(1).or(c.get(2))?.as_str().to_lowercase();
    Some(match amount.as_str() {
        "an" | "one" => 60,
        a if a.starts_with("half") => 30,
        a => (a.parse::<f64>().ok()? * 60.0).round() as u32,
    })
}
