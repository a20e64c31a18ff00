//! Korean texts.

use super::{clip, when, Facts};
use crate::domain::{Kind, Locale};

pub(super) fn frame(name: &str) -> (String, &'static str, &'static str) {
    let greeting = if name.is_empty() {
        "안녕하세요.".to_string()
    } else {
        format!("{name}님, 안녕하세요.")
    };
    (
        greeting,
        "바로 가기",
        "Quorum 알림입니다. 알림 설정에서 이메일 수신을 끌 수 있습니다.",
    )
}

pub(super) fn lines(kind: Kind, f: &Facts) -> (String, String) {
    let t = &f.meeting_title;
    let at = f
        .scheduled
        .map(|s| when(Locale::Ko, s))
        .unwrap_or_else(|| "미정".into());
    let todo = f.todo_title.as_deref().unwrap_or_default();
    let in_meeting = if t.is_empty() {
        String::new()
    } else {
        format!("\n회의: {t}")
    };
    match kind {
        Kind::MeetingCreated => (
            format!("새 회의에 초대되었습니다: {t}"),
            format!("일시: {at}"),
        ),
        Kind::MeetingCancelled => (
            format!("회의가 취소되었습니다: {t}"),
            format!("{at}에 예정되었던 회의가 취소되었습니다."),
        ),
        Kind::MeetingEnded => (
            format!("회의가 종료되었습니다: {t}"),
            "회의록을 작성하고 있습니다. 준비되면 다시 알려 드리겠습니다.".into(),
        ),
        Kind::TranscriptCreated => (
            format!("회의록이 준비되었습니다: {t}"),
            "회의록을 검토하고 잘못된 부분을 수정해 주세요.".into(),
        ),
        Kind::TranscriptShared => (
            format!("회의록이 공유되었습니다: {t}"),
            "이제 이 회의의 회의록을 볼 수 있습니다.".into(),
        ),
        Kind::AnalysisCompleted => (
            format!("회의 요약이 준비되었습니다: {t}"),
            format!(
                "{}\n액션 아이템 {}개, 결정 사항 {}개",
                clip(f.summary.as_deref().unwrap_or_default(), 300),
                f.action_items,
                f.decisions
            ),
        ),
        Kind::TodoCreated => (
            format!("새 할 일이 배정되었습니다: {todo}"),
            format!(
                "마감일: {}{in_meeting}",
                f.due_date.as_deref().unwrap_or("없음")
            ),
        ),
        Kind::TodoCompleted => (
            format!("할 일이 완료되었습니다: {todo}"),
            format!("담당자가 할 일을 완료했습니다.{in_meeting}"),
        ),
    }
}
