use super::check_table;

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
        ("다음 주에", Some((2027, 1, 18)), None),
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
