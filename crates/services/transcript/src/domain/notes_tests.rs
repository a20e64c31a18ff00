use quorum_contracts::events::ParticipantRef;
use uuid::Uuid;

use super::parse;
use crate::domain::speakers::Roster;

fn p(name: &str) -> ParticipantRef {
    ParticipantRef {
        user_id: Uuid::new_v4(),
        name: name.into(),
        email: String::new(),
    }
}

fn summary(sections: &[crate::domain::DraftSection]) -> Vec<(Option<&str>, &str)> {
    sections
        .iter()
        .map(|s| (s.speaker.as_deref(), s.text.as_str()))
        .collect()
}

#[test]
fn speaker_lines_in_english_are_attributed_and_merged() {
    let alice = p("Alice Kim");
    let bob = p("Bob Stone");
    let roster = Roster::new(&[alice.clone(), bob.clone()]);
    let notes = "Alice: We ship on Friday.\nalice : QA signs off Thursday.\n\n\
                 **Bob**: Docs are ready.\n**Alice Kim:** Great.\nCarol: I'll announce it.";
    let s = parse(notes, &roster);
    assert_eq!(
        summary(&s),
        [
            (
                Some("Alice Kim"),
                "We ship on Friday.\nQA signs off Thursday."
            ),
            (Some("Bob Stone"), "Docs are ready."),
            (Some("Alice Kim"), "Great."),
            (Some("Carol"), "I'll announce it."),
        ]
    );
    assert_eq!(s[0].speaker_id, Some(alice.user_id));
    assert_eq!(s[1].speaker_id, Some(bob.user_id));
    assert_eq!(s[3].speaker_id, None, "Carol is no participant");
}

#[test]
fn korean_speakers_with_honorifics_and_full_width_colons() {
    let kim = p("김철수");
    let lee = p("이영희");
    let roster = Roster::new(&[kim.clone(), lee.clone()]);
    let notes = "김철수님: 이번 주 배포를 완료했습니다.\n철수 씨：QA는 목요일까지입니다.\n\
                 - 이영희: 문서는 준비됐어요.\n- 결정: 금요일 출시";
    let s = parse(notes, &roster);
    assert_eq!(
        summary(&s),
        [
            (
                Some("김철수"),
                "이번 주 배포를 완료했습니다.\nQA는 목요일까지입니다."
            ),
            (Some("이영희"), "문서는 준비됐어요."),
            (None, "- 결정: 금요일 출시"),
        ]
    );
    assert_eq!(s[0].speaker_id, Some(kim.user_id));
    assert_eq!(s[1].speaker_id, Some(lee.user_id));
}

#[test]
fn text_without_speakers_is_split_at_blank_lines_keeping_markdown() {
    let roster = Roster::new(&[]);
    let notes = "# Weekly sync\n\n## Progress\n- API done\n- UI at 80%\n\n\n\
                 Agenda: pricing\nTime: 10:30\nSee https://example.com/x\n";
    let s = parse(notes, &roster);
    assert_eq!(
        summary(&s),
        [
            (None, "# Weekly sync"),
            (None, "## Progress\n- API done\n- UI at 80%"),
            (
                None,
                "Agenda: pricing\nTime: 10:30\nSee https://example.com/x"
            ),
        ]
    );
}

#[test]
fn continuation_lines_stay_with_their_speaker_until_a_blank_line() {
    let bob = p("Bob");
    let roster = Roster::new(std::slice::from_ref(&bob));
    let notes = "Bob:\nfirst line\nsecond line\n\nunattributed paragraph\n## Topic\nBob: again";
    let s = parse(notes, &roster);
    assert_eq!(
        summary(&s),
        [
            (Some("Bob"), "first line\nsecond line"),
            (None, "unattributed paragraph"),
            (None, "## Topic"),
            (Some("Bob"), "again"),
        ]
    );
}

#[test]
fn lowercase_phrases_and_long_labels_are_not_speakers() {
    let roster = Roster::new(&[]);
    let s = parse(
        "the plan for next week: ship\nNote: remember the demo\n12: numbers",
        &roster,
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].speaker, None);
}

#[test]
fn empty_notes_give_no_sections() {
    assert!(parse("", &Roster::new(&[])).is_empty());
    assert!(parse(" \n\n \n", &Roster::new(&[])).is_empty());
}
