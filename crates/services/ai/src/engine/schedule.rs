//! The follow-up meeting suggestion, made only when the meeting itself proposed one ("let's meet
//! again next Tuesday at 10", "let's regroup tomorrow 9am", "다음 주 화요일 오전 10시에 중간
//! 점검하죠", "다음 모임은 다음 주 수요일 저녁 7시 반으로 할게요") and did not turn it down
//! ("no need for another meeting", "따로 후속 회의는 안 해도 될 것 같아요"), at the day and time
//! it named (dates read from the meeting's day, in its time zone). None when no follow-up was
//! proposed, when the proposal named no day or time, or when it was declined. The meeting's own
//! length decides the default duration: 30 minutes (60 when it ran to many sections), with
//! everyone invited.

use std::sync::LazyLock;

use chrono::Days;
use regex::Regex;

use super::dates::{self, DateContext};
use super::re;
use super::{AnalysisInput, Lang, ScheduleSuggestion};

/// Meetings with more sections than this get an hour-long follow-up by default.
const LONG_MEETING_SECTIONS: usize = 10;

/// A sentence that proposes meeting again.
static PROPOSED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\bfollow[- ]?up\s+(?:meeting|call|session|sync)\b",
        r"|\bnext\s+(?:meeting|sync|session|check[- ]?in|call)\b",
        r"|\bmeet\s+again\b|\breconvene\b|\bregroup\b|\bsync\s+again\b|\bcatch\s+up\s+again\b",
        r"|\bcheck\s+in\s+again\b",
        r"|\blet'?s\s+(?:(?:do|have|set\s+up|schedule|book)\s+(?:a\s+|another\s+)?",
        r"(?:quick\s+|short\s+)?)?(?:meet|sync|check[- ]?in|catch\s+up|touch\s+base|huddle)\b",
        r"|\b(?:we'?ll|we\s+will|we\s+should)\s+meet\b",
        r"|다음\s*(?:달\s*)?(?:[가-힣]+\s*)?(?:회의|미팅|모임|면담)",
        r"|후속\s*(?:회의|미팅|면담)",
        r"|다시\s*(?:모이|모여|만나|만납|뵙|회의|점검)",
        r"|한\s*번\s*더\s*(?:봅시다|보죠|모이|모여|만나|회의)",
        r"|점검(?:하죠|해요|합시다|하자)",
        r"|(?:회의|미팅|면담|모임)\s*(?:하죠|해요|합시다|하자|잡죠|잡아요|잡읍시다)",
        r"|모여서|모입시다|모이죠|모이자|만나죠|만납시다",
    ))
});
/// A sentence that turns a follow-up down.
static DECLINED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b(?:no\s+need|(?:don'?t|do\s+not)\s+need|no\s+point|not\s+necessary|skip|cancel)\b",
        r"[^.!?]*?\b(?:meet(?:ing)?s?|follow[- ]?ups?|sync|check[- ]?in|call|regroup)\b",
        r"|\bno\s+(?:more\s+|further\s+|other\s+)?(?:meetings?|follow[- ]?ups?)\b",
        r"|(?:회의|미팅|모임|면담)[^.!?]*?(?:[\s,]안\s*(?:해도|잡아도|잡을|잡겠|할게|하겠|하셔도|하기로)",
        r"|필요\s*(?:없|는\s*없)|생략|없어도|건너뛰)",
    ))
});
static MINUTES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\d{1,3})\s*(?:min(?:ute)?s?\b|분\s*(?:동안|간|정도|짜리|회의|미팅))")
});
static HOURS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(\d(?:\.5)?|an|one|half\s+an)\s*(?:hours?\b|hrs?\b)|(\d)\s*시간"));

/// The follow-up the meeting proposed and did not turn down, if any. Sentences are read in
/// order: a proposal with a day or time stands until a later sentence declines a follow-up, and
/// a later proposal replaces an earlier one.
pub(crate) fn suggest(
    input: &AnalysisInput,
    sentences: &[&str],
    ctx: &DateContext,
) -> Option<ScheduleSuggestion> {
    let mut proposed: Option<&str> = None;
    for s in sentences {
        if DECLINED.is_match(s) {
            proposed = None;
        } else if PROPOSED.is_match(s) && !s.contains('?') {
            let found = dates::find(s, ctx);
            if found.date.is_some() || found.time.is_some() {
                proposed = Some(s);
            }
        }
    }
    let s = proposed?;
    let found = dates::find(s, ctx);
    let date = match (found.date, found.time) {
        (Some(d), _) => d,
        // Only a time: today if it is still ahead, else tomorrow.
        (None, Some(t)) if t > ctx.time => ctx.today,
        _ => ctx.today + Days::new(1),
    };
    let start = ctx.utc(date, found.time.unwrap_or(ctx.time))?;
    let default_minutes = if input.sections.len() > LONG_MEETING_SECTIONS {
        60
    } else {
        30
    };
    let (title, reason) = match input.language {
        Lang::En => (
            format!("Follow-up: {}", input.meeting_title),
            format!("Follow-up proposed in the meeting: \"{s}\""),
        ),
        Lang::Ko => (
            format!("후속 회의: {}", input.meeting_title),
            format!("회의에서 제안된 후속 일정입니다: \"{s}\""),
        ),
    };
    Some(ScheduleSuggestion {
        title,
        start,
        duration_minutes: duration(s).unwrap_or(default_minutes),
        participant_ids: input.participants.iter().map(|p| p.id).collect(),
        reason,
    })
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
