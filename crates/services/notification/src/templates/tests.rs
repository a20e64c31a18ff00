use chrono::TimeZone;

use super::*;

fn facts() -> Facts {
    Facts {
        meeting_title: "주간 회의".into(),
        scheduled: Some(Utc.with_ymd_and_hms(2025, 3, 1, 1, 0, 0).unwrap()),
        todo_title: Some("Write <the> report".into()),
        due_date: Some("2025-03-07".into()),
        summary: Some("요약 ".repeat(200)),
        action_items: 2,
        decisions: 1,
    }
}

#[test]
fn every_kind_has_both_languages_with_the_facts() {
    for kind in Kind::ALL {
        let ko = render(kind, Locale::Ko, &facts());
        let en = render(kind, Locale::En, &facts());
        assert!(!ko.title.is_empty() && !en.title.is_empty());
        assert_ne!(ko.title, en.title, "{kind:?}");
        assert!(!ko.body.is_empty() && !en.body.is_empty());
    }
}

#[test]
fn times_are_kst_in_korean_and_utc_in_english() {
    let ko = render(Kind::MeetingCreated, Locale::Ko, &facts());
    assert!(ko.body.contains("2025-03-01 10:00 KST"), "{}", ko.body);
    let en = render(Kind::MeetingCreated, Locale::En, &facts());
    assert!(en.body.contains("2025-03-01 01:00 UTC"), "{}", en.body);
}

#[test]
fn todos_mention_their_due_date_and_summaries_are_clipped() {
    let en = render(Kind::TodoCreated, Locale::En, &facts());
    assert!(en.body.contains("2025-03-07"));
    let ko = render(Kind::AnalysisCompleted, Locale::Ko, &facts());
    assert!(ko.body.contains('…'));
    assert!(ko.body.contains("액션 아이템 2개"));
}

#[test]
fn emails_link_and_escape_html() {
    let n = render(Kind::TodoCreated, Locale::En, &facts());
    let mail = email(Locale::En, "Alice", &n, "http://q.example/todos/1");
    assert!(mail.subject.starts_with("[Quorum] New to-do for you"));
    assert!(mail.text.contains("Hi Alice,"));
    assert!(mail.text.contains("http://q.example/todos/1"));
    assert!(mail.html.contains("&lt;the&gt;"));
    assert!(!mail.html.contains("<the>"));
    let ko = email(
        Locale::Ko,
        "민수",
        &render(Kind::MeetingEnded, Locale::Ko, &facts()),
        "u",
    );
    assert!(ko.text.starts_with("민수님, 안녕하세요."));
}
