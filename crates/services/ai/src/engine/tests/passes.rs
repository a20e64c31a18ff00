use chrono::{TimeZone, Utc};

use super::super::sentences::split;
use super::super::summary::{summarize, tokenize};
use super::super::{decisions, AnalysisEngine};
use super::{analyze, meeting, people, Analysis, BuiltinEngine, Lang};

#[test]
fn sentences_split_on_punctuation_and_korean_endings_but_not_abbreviations() {
    assert_eq!(
        split("Mr. Kim sent it, e.g. the deck. Dr. Lee agreed! Was it 3.5 p.m. today? Yes."),
        vec![
            "Mr. Kim sent it, e.g. the deck.",
            "Dr. Lee agreed!",
            "Was it 3.5 p.m. today?",
            "Yes."
        ]
    );
    assert_eq!(
        split("보고서를 작성했습니다. 내일 공유할게요 민지님은 어떠세요? 좋아요。"),
        vec![
            "보고서를 작성했습니다.",
            "내일 공유할게요",
            "민지님은 어떠세요?",
            "좋아요。"
        ]
    );
    assert_eq!(
        split("회의를 시작하겠습니다 오늘 안건은 두 가지입니다"),
        vec!["회의를 시작하겠습니다", "오늘 안건은 두 가지입니다"]
    );
    assert_eq!(
        split("Meet J. Smith at 10 a.m. tomorrow."),
        vec!["Meet J. Smith at 10 a.m. tomorrow."]
    );
}

#[test]
fn summary_picks_central_sentences_in_order_and_is_deterministic() {
    let sentences = [
        "The mobile app release is planned for February.",
        "Lunch was great today.",
        "The mobile app release needs a final security review.",
        "Weather has been cold.",
        "Security review of the mobile app release starts Monday.",
        "Someone parked in the wrong spot.",
        "The release notes for the mobile app are almost done.",
        "Thanks all.",
    ];
    let summary = summarize(&sentences);
    assert_eq!(
        summary,
        "The mobile app release is planned for February. The mobile app release needs a final security review. \
         Security review of the mobile app release starts Monday."
    );
    assert_eq!(summary, summarize(&sentences));
    assert_eq!(summarize(&["Only one sentence."]), "Only one sentence.");
    assert_eq!(summarize(&[]), "");
}

#[test]
fn korean_summary_uses_bigrams_of_stripped_words() {
    let tokens = tokenize("보고서를 작성하겠습니다");
    assert!(
        tokens.contains("보고") && tokens.contains("고서") && tokens.contains("작성"),
        "{tokens:?}"
    );
    let sentences = [
        "신규 결제 시스템 출시 일정을 점검했습니다.",
        "점심 메뉴는 김밥이었습니다.",
        "결제 시스템 출시 전에 보안 점검이 필요합니다.",
        "결제 시스템 보안 점검은 다음 주에 시작합니다.",
        "주차 공간이 부족합니다.",
    ];
    let summary = summarize(&sentences);
    assert!(
        summary.contains("보안 점검이 필요합니다") && !summary.contains("김밥"),
        "{summary}"
    );
}

#[test]
fn decisions_in_both_languages_skip_open_questions() {
    let found = decisions::extract(&[
        "We decided to move the launch to March.",
        "Have we decided on the vendor?",
        "We haven't decided on pricing yet.",
        "Decision: keep the free tier.",
        "We'll go with the blue design.",
        "가격 정책은 다음 달에 확정하기로 했습니다.",
        "결정 사항: 주간 회의는 화요일로 변경",
        "아직 결정하지 못했습니다.",
        "이 안건은 보류하겠습니다.",
        "디자인은 B안으로 합의했습니다.",
    ]);
    let found: Vec<(&str, usize)> = found.iter().map(|(t, at)| (t.as_str(), *at)).collect();
    assert_eq!(
        found,
        vec![
            ("We decided to move the launch to March.", 0),
            ("keep the free tier.", 3),
            ("We'll go with the blue design.", 4),
            ("가격 정책은 다음 달에 확정하기로 했습니다.", 5),
            ("주간 회의는 화요일로 변경", 6),
            ("디자인은 B안으로 합의했습니다.", 9),
        ]
    );
}

#[test]
fn long_meetings_get_an_hour_long_default_follow_up() {
    let mut lines: Vec<String> = (0..12)
        .map(|i| format!("Alex Park: Status item number {i} is on track."))
        .collect();
    lines.push("Alex Park: Let's meet again next Tuesday at 10.".to_string());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let input = meeting(
        "Weekly status",
        Lang::En,
        people(&["Alex Park", "Sam Lee"]),
        &lines,
    );
    let a = analyze(&input);
    let s = &a.schedule_suggestions[0];
    assert_eq!(s.duration_minutes, 60);
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 19, 1, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(s.title, "Follow-up: Weekly status");
    assert!(a.action_items.is_empty());
}

#[test]
fn korean_follow_up_with_explicit_length() {
    let input = meeting(
        "디자인 리뷰",
        Lang::Ko,
        people(&["김하나"]),
        &["김하나: 후속 회의는 다음 주 목요일 오후 4시에 1시간 동안 하겠습니다."],
    );
    let s = &analyze(&input).schedule_suggestions[0];
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 21, 7, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(s.duration_minutes, 60);
    assert!(s.reason.contains("후속 회의는"), "{}", s.reason);
}

#[test]
fn language_detection() {
    assert_eq!(Lang::detect("제가 보고서를 작성하겠습니다"), Lang::Ko);
    assert_eq!(Lang::detect("I will send the QA report"), Lang::En);
    assert_eq!(Lang::detect("QA 결과를 API 문서에 정리해 주세요"), Lang::Ko);
}

#[test]
fn analysis_round_trips_through_camel_case_json() {
    let input = meeting(
        "Sync",
        Lang::En,
        people(&["Alex Park"]),
        &[
            "Alex Park: I will send the draft by Friday at 3pm.",
            "Alex Park: Let's meet again next Tuesday at 10.",
        ],
    );
    let a = analyze(&input);
    assert_eq!(a.action_items.len(), 1, "{:?}", a.action_items);
    let json = serde_json::to_value(&a).expect("serialises");
    assert_eq!(json["actionItems"][0]["assigneeName"], "Alex Park");
    assert_eq!(json["actionItems"][0]["dueDate"], "2027-01-15");
    assert!(json["scheduleSuggestions"][0]["durationMinutes"].is_number());
    let back: Analysis = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, a);
    let input_json = serde_json::to_value(&input).expect("serialises");
    assert_eq!(input_json["timezone"], "+09:00");
    assert_eq!(input_json["language"], "en");
}

#[tokio::test]
async fn builtin_engine_is_usable_as_a_trait_object() {
    let engine: std::sync::Arc<dyn AnalysisEngine> = std::sync::Arc::new(BuiltinEngine);
    assert_eq!(engine.name(), "builtin");
    let input = meeting(
        "Sync",
        Lang::En,
        people(&["Alex Park"]),
        &["Alex Park: I will send the draft by Friday."],
    );
    let a = engine.analyze(&input).await.expect("builtin never fails");
    assert_eq!(a, analyze(&input));
    assert_eq!(a.action_items.len(), 1);
}

#[test]
fn opening_agenda_lines_are_not_action_items() {
    let p = people(&["김민지", "박지성", "Kim Minji"]);
    for line in [
        "김민지: 오늘은 출시 일정과 예산을 검토하겠습니다.",
        "김민지: 이번 회의에서는 다음 분기 계획을 논의하겠습니다.",
        "Kim Minji: Today we will review the launch plan.",
    ] {
        let a = analyze(&meeting("t", Lang::detect(line), p.clone(), &[line]));
        assert!(a.action_items.is_empty(), "{line}: {:?}", a.action_items);
    }
    // First person on the same opening is a commitment.
    let line = "박지성: 오늘은 제가 금요일까지 보고서를 작성하겠습니다.";
    let a = analyze(&meeting("t", Lang::Ko, p.clone(), &[line]));
    assert_eq!(a.action_items.len(), 1, "{:?}", a.action_items);
    assert_eq!(a.action_items[0].assignee_id, Some(p[1].id));
}

#[test]
fn single_sentence_examples_from_both_languages() {
    let p = people(&[
        "Alex Park",
        "Minji Kim",
        "Sam Lee",
        "박지성",
        "김민지",
        "김철수",
        "이영희",
        "김지민",
    ]);
    let rows: &[(&str, &str, Option<usize>)] = &[
        (
            "Alex Park: I will send the draft by Friday.",
            "Send the draft",
            Some(0),
        ),
        (
            "Alex Park: Minji will update the budget.",
            "Update the budget",
            Some(1),
        ),
        (
            "Sam Lee: Let's have Alex review the PR tomorrow.",
            "Review the PR",
            Some(0),
        ),
        (
            "Sam Lee: TODO: Alex — write the release notes",
            "Write the release notes",
            Some(0),
        ),
        (
            "박지성: 제가 금요일까지 보고서 작성하겠습니다.",
            "보고서 작성",
            Some(3),
        ),
        (
            "박지성: 김철수 씨는 내일까지 회의실 예약 부탁드립니다",
            "회의실 예약",
            Some(5),
        ),
        (
            "박지성: - [ ] @지민 수요일까지 배포 확인",
            "배포 확인",
            Some(7),
        ),
        (
            "김민지: 제가 내일 자료 보내드리겠습니다.",
            "자료 보내기",
            Some(4),
        ),
        (
            "이영희: 민지님, 회의록 좀 알려 주세요.",
            "회의록 알리기",
            Some(4),
        ),
    ];
    for (line, title, who) in rows {
        let a = analyze(&meeting("t", Lang::detect(line), p.clone(), &[line]));
        assert_eq!(a.action_items.len(), 1, "{line}: {:?}", a.action_items);
        assert_eq!(a.action_items[0].title, *title, "{line}");
        assert_eq!(
            a.action_items[0].assignee_id,
            who.map(|i| p[i].id),
            "{line}"
        );
    }
}
