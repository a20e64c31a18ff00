//! Which transcript section each action item and decision points at: the one it was said
//! in, or, for a task asked in one section and accepted in another, the acceptance.

use super::{analyze, meeting, people, Analysis, Lang, Section};

/// `(title, section index)` of every action item.
fn located(a: &Analysis) -> Vec<(&str, Option<usize>)> {
    a.action_items
        .iter()
        .map(|i| (i.title.as_str(), i.section_index))
        .collect()
}

#[test]
fn english_items_and_decisions_point_at_their_sections() {
    let p = people(&["Alex Park", "Minji Kim", "Sam Lee"]);
    let mut input = meeting(
        "Budget review",
        Lang::En,
        p.clone(),
        &[
            "Alex Park: Thanks for joining the budget review.",
            "Alex Park: Minji, can you update the budget by Friday?",
            "Minji Kim: Sure, will do.",
            "Sam Lee: I will book the venue tomorrow.",
            "Alex Park: Sam, could you send the invoice by Monday?",
            "Minji Kim: Sure, the old invoice is in the shared drive.",
            "Alex Park: Minji, please review the pull request.",
            "Sam Lee: The vendor call went well.",
            "Minji Kim: I'll review the pull request by Thursday.",
        ],
    );
    // A section with two sentences: the decision is its second.
    input.sections.push(Section {
        speaker: Some("Sam Lee".into()),
        speaker_id: Some(p[2].id),
        text: "That was a long one. We agreed to keep the current vendor.".into(),
    });
    let a = analyze(&input);
    assert_eq!(
        located(&a),
        vec![
            // Asked in 1, accepted by Minji in the very next reply (2).
            ("Update the budget", Some(2)),
            ("Book the venue", Some(3)),
            // Asked in 4; the next reply is not Sam's, so it stays where it was asked.
            ("Send the invoice", Some(4)),
            // Asked in 6, taken on as Minji's own commitment later (8).
            ("Review the pull request", Some(8)),
        ],
        "{:#?}",
        a.action_items
    );
    assert_eq!(
        a.decisions,
        vec!["We agreed to keep the current vendor.".to_string()]
    );
    assert_eq!(a.decision_sections, vec![Some(9)]);
}

#[test]
fn korean_items_and_decisions_point_at_their_sections() {
    let p = people(&["박지성", "김민지", "이영희", "최준호"]);
    let input = meeting(
        "출시 준비 점검",
        Lang::Ko,
        p.clone(),
        &[
            "박지성: 오늘은 출시 준비 상황을 점검하겠습니다.",
            "박지성: 민지님, 금요일까지 예산안 업데이트해 주세요.",
            "김민지: 네, 알겠습니다.",
            "이영희: 출시일은 2월 3일로 확정되었습니다.",
            "최준호: 제가 내일까지 QA 결과 정리하겠습니다.",
            "박지성: 준호님, 월요일까지 배포 체크리스트 작성 부탁드립니다.",
            "이영희: 네, 좋습니다.",
            "박지성: 가격 정책은 다음 달에 확정하기로 했습니다.",
        ],
    );
    let a = analyze(&input);
    let items = located(&a);
    assert_eq!(items.len(), 3, "{:#?}", a.action_items);
    assert!(items[0].0.contains("예산안 업데이트"), "{items:?}");
    // Asked in 1, accepted by 민지 in the very next reply (2).
    assert_eq!(items[0].1, Some(2), "{items:?}");
    assert_eq!(a.action_items[0].assignee_id, Some(p[1].id));
    assert!(items[1].0.contains("QA 결과"), "{items:?}");
    assert_eq!(items[1].1, Some(4), "{items:?}");
    // Asked of 준호 in 5; 영희's "네" is not his acceptance.
    assert!(items[2].0.contains("배포 체크리스트"), "{items:?}");
    assert_eq!(items[2].1, Some(5), "{items:?}");
    assert_eq!(
        a.decisions,
        vec![
            "출시일은 2월 3일로 확정되었습니다.".to_string(),
            "가격 정책은 다음 달에 확정하기로 했습니다.".to_string(),
        ]
    );
    assert_eq!(a.decision_sections, vec![Some(3), Some(7)]);
}

#[test]
fn korean_request_taken_on_as_a_commitment_points_at_the_commitment() {
    let p = people(&["박지성", "김민지", "이영희"]);
    let input = meeting(
        "디자인 리뷰",
        Lang::Ko,
        p.clone(),
        &[
            "박지성: 영희님이 디자인 시안 공유해 주세요.",
            "김민지: 시안은 지난주 버전이 최신입니다.",
            "이영희: 제가 수요일까지 디자인 시안 공유하겠습니다.",
        ],
    );
    let a = analyze(&input);
    assert_eq!(a.action_items.len(), 1, "{:#?}", a.action_items);
    assert_eq!(a.action_items[0].assignee_id, Some(p[2].id));
    assert_eq!(a.action_items[0].section_index, Some(2));
}
