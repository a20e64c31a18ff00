//! The follow-up suggestion: only when the meeting proposed one and did not turn it down, at the
//! day and time it named, read from the meeting's day in its time zone.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use super::{analyze, meeting, people, seoul, Lang};

/// The suggested follow-up's start, in the meeting's offset (meeting: Wed 2027-01-13 10:00 KST).
fn follow_up(language: Lang, lines: &[&str]) -> Option<DateTime<FixedOffset>> {
    let input = meeting("Sync", language, people(&["Alex Park", "김민지"]), lines);
    let a = analyze(&input);
    assert!(
        a.schedule_suggestions.len() <= 1,
        "{:?}",
        a.schedule_suggestions
    );
    a.schedule_suggestions
        .first()
        .map(|s| s.start.with_timezone(&seoul()))
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<DateTime<FixedOffset>> {
    seoul().with_ymd_and_hms(y, mo, d, h, mi, 0).single()
}

#[test]
fn english_proposals_at_the_day_and_time_named() {
    let cases: &[(&str, Option<DateTime<FixedOffset>>)] = &[
        (
            "Alex: Let's meet again next Tuesday at 10.",
            at(2027, 1, 19, 10, 0),
        ),
        (
            "Dana: let's do a quick check-in Thursday at 2pm",
            at(2027, 1, 14, 14, 0),
        ),
        (
            "Grace: ok let's regroup tomorrow 9am after the deploy",
            at(2027, 1, 14, 9, 0),
        ),
        (
            "Hannah: great. let's meet friday at 10 for a final review",
            at(2027, 1, 15, 10, 0),
        ),
        (
            "Yeonwoo: let's check in again next tuesday 3pm",
            at(2027, 1, 19, 15, 0),
        ),
        // No time named: the meeting's own time of day.
        (
            "Sofia: let's sync again monday to check the offer",
            at(2027, 1, 18, 10, 0),
        ),
    ];
    for &(line, want) in cases {
        assert_eq!(follow_up(Lang::En, &[line]), want, "{line}");
    }
}

#[test]
fn korean_proposals_at_the_day_and_time_named() {
    let cases: &[(&str, Option<DateTime<FixedOffset>>)] = &[
        (
            "김민지: 좋아요. 다음 주 화요일 오전 10시에 중간 점검하죠",
            at(2027, 1, 19, 10, 0),
        ),
        (
            "김현정: 다음 모임은 다음 주 수요일 저녁 7시 반으로 할게요",
            at(2027, 1, 20, 19, 30),
        ),
        (
            "송 팀장: 다음 주 수요일 11시에 다시 점검해요",
            at(2027, 1, 20, 11, 0),
        ),
        (
            "문 팀장: 면접 다 끝나면 다음 주 월요일에 모여서 최종 결정하죠",
            at(2027, 1, 18, 10, 0),
        ),
        (
            "서 팀장: 다음 면담은 1월 25일 월요일 5시에 해요",
            at(2027, 1, 25, 17, 0),
        ),
    ];
    for &(line, want) in cases {
        assert_eq!(follow_up(Lang::Ko, &[line]), want, "{line}");
    }
}

#[test]
fn declined_or_never_mentioned_follow_ups_are_not_suggested() {
    let en: &[&[&str]] = &[
        &[
            "Mark: do we need to meet again on this?",
            "Hyejin: no need for another meeting, we can close it out on slack",
        ],
        &["Chris: ok no need for a separate follow-up, see you all at planning on monday"],
        &["Robert: no need for a follow-up, we'll cover the rest at the July review"],
        &[
            "Ben: I'll send you the packet EOD",
            "Ben: ok that's it, thanks both",
        ],
        // Proposed, then turned down.
        &[
            "Alex: let's meet again friday at 10",
            "Sam: actually no need for another meeting, let's do it async",
        ],
        // A question is not a proposal.
        &["Alex: should we meet again friday at 10?"],
        // A meeting that is not a follow-up.
        &[
            "Nina: is the demo still friday?",
            "Sam: yep, friday 4pm like always",
        ],
    ];
    for lines in en {
        assert_eq!(follow_up(Lang::En, lines), None, "{lines:?}");
    }
    let ko: &[&[&str]] = &[
        &["김민지: 따로 후속 회의는 안 해도 될 것 같아요"],
        &["장 팀장: 별도 후속 회의는 안 해도 될 것 같아요. 보고서 나오면 메일로 돌려 주세요"],
        &["이준혁: 다들 연말 잘 보내시고, 후속 회의는 따로 안 잡을게요"],
        &["최 부장: 미팅 끝나고 따로 후속 회의는 안 잡아도 될 것 같고, 결과는 메신저로 공유해요"],
        // Topics put off are not follow-up meetings.
        &["장 팀장: 그건 지금 결정 못 해요. 다음 주에 다시 보죠"],
        &["김민지: 그건 다음 회고 때 다시 논의하죠"],
        &["최 부장: 다음 주 수요일 한빛물산 미팅 건 정리합시다"],
        &["김태윤: 아 참고로 오늘 오후 3시에 인프라 점검 있대요"],
    ];
    for lines in ko {
        assert_eq!(follow_up(Lang::Ko, lines), None, "{lines:?}");
    }
}

#[test]
fn the_day_is_read_in_the_meetings_time_zone() {
    // 23:30 on Tuesday in New York is already Wednesday in UTC: "tomorrow" is Wednesday.
    let ny = FixedOffset::west_opt(5 * 3600).expect("valid offset");
    let mut input = meeting(
        "Sync",
        Lang::En,
        people(&["Alex Park"]),
        &["Alex Park: Let's meet again tomorrow at 10am."],
    );
    input.timezone = ny;
    input.meeting_date = ny
        .with_ymd_and_hms(2027, 1, 12, 23, 30, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc);
    let a = analyze(&input);
    let s = a.schedule_suggestions.first().expect("a follow-up");
    assert_eq!(
        s.start,
        ny.with_ymd_and_hms(2027, 1, 13, 10, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(s.duration_minutes, 30);
    assert!(s.reason.contains("meet again tomorrow"), "{}", s.reason);
}
