use chrono::{TimeZone, Utc};

use super::{analyze, assert_items, meeting, people, Expect, Lang, Section};

#[test]
fn planning_meeting_commitments_requests_and_todo() {
    let p = people(&["박지성", "김민지", "이영희", "최준호"]);
    let input = meeting(
        "신규 기능 출시 점검",
        Lang::Ko,
        p.clone(),
        &[
            "박지성: 오늘 회의는 신규 기능 출시 일정 점검입니다.",
            "김민지: 지난주에 사용자 인터뷰를 다섯 건 진행했습니다.",
            "박지성: 제가 금요일까지 보고서 작성하겠습니다.",
            "박지성: 민지님이 다음 주 월요일까지 예산안 업데이트해 주세요.",
            "이영희: 디자인 시안은 어제 공유했습니다.",
            "최준호: 출시 일정을 조금 미루면 어떨까요?",
            "박지성: 출시일은 2월 3일로 확정되었습니다.",
            "최준호: 제가 내일 오후 3시까지 QA 결과 정리해서 공유할게요.",
            "박지성: 다음 회의는 다음 주 화요일 오후 2시에 하겠습니다.",
            "이영희: TODO: 이영희 - 디자인 시안 공유 (1월 20일까지)",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["보고서 작성"],
                assignee: Some(0),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["예산안 업데이트"],
                assignee: Some(1),
                due: Some((2027, 1, 18)),
            },
            Expect {
                words: &["QA 결과", "공유"],
                assignee: Some(3),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["디자인 시안 공유"],
                assignee: Some(2),
                due: Some((2027, 1, 20)),
            },
        ],
    );
    assert_eq!(a.action_items[0].title, "보고서 작성");
    assert_eq!(a.action_items[1].title, "예산안 업데이트");
    assert_eq!(a.action_items[3].title, "디자인 시안 공유");
    assert_eq!(
        a.action_items[2].due_at,
        Utc.with_ymd_and_hms(2027, 1, 14, 6, 0, 0).single()
    );
    assert_eq!(
        a.decisions,
        vec!["출시일은 2월 3일로 확정되었습니다.".to_string()]
    );
    let s = &a.schedule_suggestions[0];
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 19, 5, 0, 0)
            .single()
            .expect("valid")
    );
    assert!(s.title.starts_with("후속 회의"));
}

#[test]
fn weekly_marketing_meeting_with_checkbox_and_given_names() {
    let p = people(&["정다은", "김철수", "한지민"]);
    let input = meeting(
        "마케팅 주간회의",
        Lang::Ko,
        p.clone(),
        &[
            "정다은: 캠페인 성과부터 말씀드리겠습니다.",
            "김철수: 지난달 대비 클릭률이 15% 올랐습니다.",
            "정다은: 좋네요. 김철수 씨는 내일까지 회의실 예약 부탁드립니다.",
            "한지민: 제가 광고 소재를 다시 만들어 볼까 생각 중이에요.",
            "정다은: - [ ] @지민 수요일까지 배포 확인",
            "한지민: 혹시 예산이 남았나요?",
            "김철수: 배너 디자인은 외주로 맡기기로 결정했습니다.",
            "한지민: 저는 다음 주 금요일까지 랜딩 페이지 문구를 수정할게요.",
            "정다은: 다음 회의는 일주일 후 같은 시간에 하겠습니다.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["회의실 예약"],
                assignee: Some(1),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["배포 확인"],
                assignee: Some(2),
                due: Some((2027, 1, 20)),
            },
            Expect {
                words: &["랜딩 페이지 문구 수정"],
                assignee: Some(2),
                due: Some((2027, 1, 22)),
            },
        ],
    );
    assert_eq!(a.action_items[0].title, "회의실 예약");
    assert_eq!(
        a.decisions,
        vec!["배너 디자인은 외주로 맡기기로 결정했습니다.".to_string()]
    );
    let s = &a.schedule_suggestions[0];
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 20, 1, 0, 0)
            .single()
            .expect("valid")
    );
}

#[test]
fn requests_in_question_form_and_an_outside_person() {
    let p = people(&["윤서연", "강민호", "임수빈"]);
    let input = meeting(
        "분기 결산",
        Lang::Ko,
        p.clone(),
        &[
            "윤서연: 분기 결산 회의 시작하겠습니다.",
            "강민호: 매출 데이터는 어제 정리해서 드렸습니다.",
            "윤서연: 민호 씨, 모레까지 결산 자료 검토해 주시겠어요?",
            "강민호: 네, 알겠습니다.",
            "임수빈: 세무사님께 확인이 필요한지는 잘 모르겠어요.",
            "윤서연: 그럼 수빈님이 다음 달 5일까지 세무사님께 자료 보내 주세요.",
            "임수빈: 네, 그렇게 할게요.",
            "강민호: 홍보팀 정하늘 님께서 금요일까지 보도자료 초안을 보내 주실 예정입니다.",
            "윤서연: 결산 보고는 1월 20일 오전 10시로 확정되었습니다.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["결산 자료 검토"],
                assignee: Some(1),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["자료 보내기"],
                assignee: Some(2),
                due: Some((2027, 2, 5)),
            },
            Expect {
                words: &["보도자료 초안"],
                assignee: None,
                due: Some((2027, 1, 15)),
            },
        ],
    );
    assert_eq!(a.action_items[2].assignee_name.as_deref(), Some("정하늘"));
    assert_eq!(a.action_items[0].assignee_name.as_deref(), Some("강민호"));
}

#[test]
fn unpunctuated_transcript_in_one_section() {
    let p = people(&["서지훈", "노은비", "배성민"]);
    let mut input = meeting("앱 성능 점검", Lang::Ko, p.clone(), &[]);
    input.sections = vec![Section {
        speaker: None,
        speaker_id: None,
        text: "서지훈: 오늘은 앱 성능 이슈를 논의하겠습니다\n\
               노은비: 지난 배포 이후 로딩 시간이 두 배로 늘었어요\n\
               배성민: 원인은 아마 이미지 캐시 문제일 수도 있을 것 같아요\n\
               서지훈: 성민 씨가 이번 주 금요일까지 캐시 설정 점검해 주세요\n\
               배성민: 네 알겠습니다 제가 목요일 오전 11시까지 점검 결과 공유하겠습니다\n\
               노은비: 저는 모레까지 성능 테스트 시나리오를 작성할게요\n\
               서지훈: 이미지 압축은 WebP로 하기로 합의했습니다"
            .to_string(),
    }];
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["캐시 설정 점검"],
                assignee: Some(2),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["점검 결과 공유"],
                assignee: Some(2),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["성능 테스트 시나리오 작성"],
                assignee: Some(1),
                due: Some((2027, 1, 15)),
            },
        ],
    );
    assert_eq!(
        a.action_items[1].due_at,
        Utc.with_ymd_and_hms(2027, 1, 14, 2, 0, 0).single()
    );
    assert_eq!(
        a.decisions,
        vec!["이미지 압축은 WebP로 하기로 합의했습니다".to_string()]
    );
}

#[test]
fn distractors_honorific_teacher_and_undecided_topics() {
    let p = people(&["조현우", "문가영", "신동엽"]);
    let input = meeting(
        "연구 과제 점검",
        Lang::Ko,
        p.clone(),
        &[
            "조현우: 지난 회의 안건 검토 결과를 말씀드리겠습니다.",
            "문가영: 발표 자료는 이미 완성했습니다.",
            "신동엽: 다음 분기에 해외 시장을 검토해 볼 수도 있을 것 같습니다.",
            "조현우: 가영 선생님, 혹시 설문 결과 받으셨나요?",
            "문가영: 아직 못 받았습니다.",
            "조현우: 가영 선생님께서 다음 주 수요일까지 설문 결과 취합 부탁드립니다.",
            "신동엽: 제가 하면 좋겠지만 이번 주는 어렵겠습니다.",
            "조현우: 예산 관련 내용은 아직 결정하지 못했습니다.",
            "신동엽: 저는 내일 거래처 미팅 일정을 잡겠습니다.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["설문 결과 취합"],
                assignee: Some(1),
                due: Some((2027, 1, 20)),
            },
            Expect {
                words: &["거래처 미팅 일정 잡기"],
                assignee: Some(2),
                due: Some((2027, 1, 14)),
            },
        ],
    );
    assert!(a.decisions.is_empty(), "{:?}", a.decisions);
    // "거래처 미팅 일정을 잡겠습니다" is a task, not a follow-up meeting: none is suggested.
    assert!(
        a.schedule_suggestions.is_empty(),
        "{:?}",
        a.schedule_suggestions
    );
}

#[test]
fn due_dates_said_on_another_line_or_counted_from_an_event() {
    let p = people(&["박지성", "김민지", "이영희", "최준호"]);
    let input = meeting(
        "행사 준비",
        Lang::Ko,
        p.clone(),
        &[
            "박지성: 창립 행사는 3월 5일 금요일이에요",
            "이영희: 보도자료 초안은 제가 쓸게요",
            "이영희: 1월 20일까지 드리겠습니다",
            "최준호: 행사 일주일 전까지 큐시트는 제가 직접 쓸게요",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            // The day said in the same person's next sentence.
            Expect {
                words: &["보도자료 초안"],
                assignee: Some(2),
                due: Some((2027, 1, 20)),
            },
            // "행사 일주일 전": counted back from the day the meeting stated.
            Expect {
                words: &["큐시트"],
                assignee: Some(3),
                due: Some((2027, 2, 26)),
            },
        ],
    );
}
