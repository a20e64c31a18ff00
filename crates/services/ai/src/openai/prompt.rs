//! What the chat model is told: a system prompt with the JSON schema (in the transcript's
//! language), and the meeting as a user message.

use serde_json::json;

use crate::engine::{AnalysisInput, Lang};

const SCHEMA: &str = r#"{
  "summary": string,
  "actionItems": [{"title": string, "assigneeId": string | null, "dueDate": "YYYY-MM-DD" | null, "dueAt": RFC 3339 date-time | null, "sectionIndex": integer | null}],
  "decisions": [{"text": string, "sectionIndex": integer | null}],
  "scheduleSuggestions": [{"title": string, "start": RFC 3339 date-time, "durationMinutes": integer, "participantIds": [string], "reason": string}]
}"#;

const EN: &str = "You are the minutes assistant of a meeting platform. Read the meeting \
transcript and answer with one JSON object only, no prose, exactly in this schema:\n{schema}\n\
Rules: write in English. `summary` is 2-5 sentences. An action item is a concrete task someone \
agreed to do; `assigneeId` must be one of the participant ids given, or null when nobody was \
named. Resolve relative dates (\"tomorrow\", \"by Friday\") against the meeting date in the \
given time zone; `dueDate` only when a day was stated, `dueAt` only when a time of day was \
stated too. `decisions` are things the meeting agreed on. `scheduleSuggestions` are follow-up \
meetings that were proposed, with participant ids from the list. Each transcript line starts \
with its section number in brackets (`[0]`, `[1]`, …): `sectionIndex` is the number of the \
line an action item or decision came from (for a task asked on one line and accepted on \
another, the line where it was accepted), or null when unsure. Use empty arrays when there \
is nothing. Never invent people, dates or line numbers.";

const KO: &str = "당신은 회의록 플랫폼의 회의 분석 도우미입니다. 회의 전사본을 읽고 설명 없이 \
JSON 객체 하나로만, 정확히 다음 스키마로 답하세요:\n{schema}\n\
규칙: 한국어로 작성합니다. `summary`는 2~5문장입니다. 액션 아이템은 누군가 하기로 한 구체적인 \
일이며, `assigneeId`는 주어진 참석자 id 중 하나이거나 담당자가 없으면 null입니다. \
상대적인 날짜(\"내일\", \"금요일까지\")는 주어진 시간대의 회의 날짜를 기준으로 계산합니다. 날짜가 \
언급되었을 때만 `dueDate`, 시각까지 언급되었을 때만 `dueAt`을 씁니다. `decisions`는 회의에서 \
합의한 내용입니다. `scheduleSuggestions`는 제안된 후속 회의이며 참석자 id는 목록에서 고릅니다. \
전사본의 각 줄은 대괄호 안의 구간 번호(`[0]`, `[1]`, …)로 시작합니다. `sectionIndex`는 액션 \
아이템이나 결정이 나온 줄의 번호이며(한 줄에서 요청하고 다른 줄에서 수락한 일은 수락한 줄), \
확실하지 않으면 null입니다. 해당 내용이 없으면 빈 배열을 씁니다. 사람, 날짜, 줄 번호를 지어내지 \
마세요.";

pub(crate) fn system(lang: Lang) -> String {
    let text = match lang {
        Lang::En => EN,
        Lang::Ko => KO,
    };
    text.replace("{schema}", SCHEMA)
}

/// The meeting as JSON: title, local date and zone, participants and the transcript lines,
/// each numbered with its section index (`[0] Name: text`) for `sectionIndex`.
pub(crate) fn user(input: &AnalysisInput) -> String {
    let transcript: Vec<String> = input
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| match s.speaker.as_deref() {
            Some(speaker) if !speaker.is_empty() => format!("[{i}] {speaker}: {}", s.text),
            _ => format!("[{i}] {}", s.text),
        })
        .collect();
    let participants: Vec<_> = input
        .participants
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    json!({
        "meetingTitle": input.meeting_title,
        "meetingDate": input.meeting_date.with_timezone(&input.timezone).to_rfc3339(),
        "timezone": input.timezone.to_string(),
        "participants": participants,
        "transcript": transcript.join("\n"),
    })
    .to_string()
}
