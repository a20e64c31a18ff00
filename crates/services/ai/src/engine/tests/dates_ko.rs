use super::{check_table, ymd};
use crate::engine::dates;

#[test]
fn korean_dates_relative_to_wednesday_13_january_2027() {
    check_table(&[
        ("오늘", Some((2027, 1, 13)), None),
        ("내일까지", Some((2027, 1, 14)), None),
        ("모레", Some((2027, 1, 15)), None),
        ("글피", Some((2027, 1, 16)), None),
        ("이번 주 금요일", Some((2027, 1, 15)), None),
        ("이번주 월요일", Some((2027, 1, 18)), None),
        ("다음 주 금요일", Some((2027, 1, 22)), None),
        ("다음주 금요일까지", Some((2027, 1, 22)), None),
        ("담주 화요일", Some((2027, 1, 19)), None),
        ("다다음 주 월요일", Some((2027, 1, 25)), None),
        ("수요일까지", Some((2027, 1, 20)), None),
        ("금요일에", Some((2027, 1, 15)), None),
        ("월요일", Some((2027, 1, 18)), None),
        ("1월 20일", Some((2027, 1, 20)), None),
        ("1월 5일", Some((2028, 1, 5)), None),
        ("2027년 3월 1일", Some((2027, 3, 1)), None),
        ("3일 후", Some((2027, 1, 16)), None),
        ("2주 뒤", Some((2027, 1, 27)), None),
        ("일주일 후", Some((2027, 1, 20)), None),
        ("이틀 뒤", Some((2027, 1, 15)), None),
        ("한 달 후", Some((2027, 2, 13)), None),
        ("다음 달 5일", Some((2027, 2, 5)), None),
        ("이번 달 말까지", Some((2027, 1, 31)), None),
        ("월말까지", Some((2027, 1, 31)), None),
        ("20일까지", Some((2027, 1, 20)), None),
        ("10일까지", Some((2027, 2, 10)), None),
        ("다음 주에", Some((2027, 1, 22)), None),
        ("이번 주까지", Some((2027, 1, 15)), None),
        ("이번 주말까지", Some((2027, 1, 15)), None),
        ("2027-01-20", Some((2027, 1, 20)), None),
        ("1/20까지", Some((2027, 1, 20)), None),
    ]);
}

#[test]
fn korean_times_and_dates_with_times() {
    check_table(&[
        ("오전 10시", None, Some((10, 0))),
        ("오후 3시 반", None, Some((15, 30))),
        ("10시", None, Some((10, 0))),
        ("3시에", None, Some((15, 0))),
        ("내일 오후 2시", Some((2027, 1, 14)), Some((14, 0))),
        (
            "다음 주 월요일 오전 9시 30분",
            Some((2027, 1, 18)),
            Some((9, 30)),
        ),
        ("저녁 7시", None, Some((19, 0))),
        ("정오까지", None, Some((12, 0))),
        ("금요일 14:00", Some((2027, 1, 15)), Some((14, 0))),
    ]);
}

#[test]
fn korean_non_dates_are_ignored() {
    check_table(&[
        ("회의는 2시간 동안 진행했습니다", None, None),
        ("다음 주제로 넘어가겠습니다", None, None),
        ("매출이 20% 늘었습니다", None, None),
        ("3명이 참석했습니다", None, None),
    ]);
}

#[test]
fn korean_date_rules_of_the_evaluation_set() {
    check_table(&[
        // 오늘 중, 오늘까지, 퇴근 전: the meeting's day.
        ("오늘 중으로", Some((2027, 1, 13)), None),
        ("오늘까지", Some((2027, 1, 13)), None),
        ("퇴근 전에 보낼게요", Some((2027, 1, 13)), None),
        // 목요일 퇴근 전: that Thursday.
        ("목요일 퇴근 전까지", Some((2027, 1, 14)), None),
        ("내일모레까지", Some((2027, 1, 15)), None),
        // 이번 주 X요일: the next X strictly after the meeting's day.
        ("이번 주 수요일까지", Some((2027, 1, 20)), None),
        // 이번 주 안에 / 이번 주까지: this week's Friday.
        ("이번 주 안에", Some((2027, 1, 15)), None),
        // 다음 주까지, 다음 주 중: next week's Friday; 다음 주 초: its Monday.
        ("다음 주까지", Some((2027, 1, 22)), None),
        ("다음 주 중으로", Some((2027, 1, 22)), None),
        ("다음 주 초까지", Some((2027, 1, 18)), None),
        // N일 안에 / 이내, N주 안에.
        ("2일 안에", Some((2027, 1, 15)), None),
        ("5일 이내", Some((2027, 1, 18)), None),
        ("2주 안에", Some((2027, 1, 27)), None),
        // 이번 달 말, 다음 달 말, 다음 달 초.
        ("이번 달 말", Some((2027, 1, 31)), None),
        ("다음 달 말까지", Some((2027, 2, 28)), None),
        ("다음 달 초에", Some((2027, 2, 1)), None),
        // "N일 전" is never the Nth of a month.
        ("7일 전에", None, None),
        // With several days, the first deadline wins.
        (
            "견적은 이번 주 안에, 샘플은 다음 주 초까지요",
            Some((2027, 1, 15)),
            None,
        ),
    ]);
}

#[test]
fn korean_week_rules_on_a_friday() {
    let friday = ymd(2027, 1, 15);
    let start = chrono::TimeZone::from_local_datetime(
        &super::seoul(),
        &friday.and_hms_opt(10, 0, 0).expect("valid time"),
    )
    .single()
    .expect("valid")
    .with_timezone(&chrono::Utc);
    let ctx = dates::DateContext::new(start, super::seoul());
    let on = |t: &str| dates::find(t, &ctx).date;
    assert_eq!(on("금요일까지"), Some(ymd(2027, 1, 22)));
    assert_eq!(on("이번 주 금요일"), Some(ymd(2027, 1, 22)));
    assert_eq!(on("이번 주 안에"), Some(friday));
    assert_eq!(on("이번 주까지"), Some(friday));
    assert_eq!(on("다음 주 금요일"), Some(ymd(2027, 1, 22)));
    assert_eq!(on("다음 주까지"), Some(ymd(2027, 1, 22)));
}

#[test]
fn korean_days_before_an_event_of_the_meeting() {
    let ctx = super::ctx();
    let texts = [
        ("신제품 런칭 일정부터요.", 0),
        ("9월 1일 수요일 오픈으로 확정합니다", 0),
        ("네 런칭 7일 전에 올릴게요", 1),
        ("행사 일주일 전까지는 큐시트를 쓸게요", 2),
        ("미팅 이틀 전까지 드리면 될까요?", 3),
        ("마감은 12월 10일이에요", 4),
        ("마감 전날까지 보내 줘", 5),
        ("면접 하루 전까지요", 6),
        ("네 그럼 그때까지 제가 정리해서 드릴게요", 7),
    ];
    let day = |i| dates::find_in(&texts, i, &ctx).date;
    // The event's day is on the next sentence of the same line.
    assert_eq!(day(2), Some(ymd(2027, 8, 25)));
    assert_eq!(day(3), None);
    assert_eq!(day(4), None);
    assert_eq!(day(6), Some(ymd(2027, 12, 9)));
    assert_eq!(day(8), None);
}
