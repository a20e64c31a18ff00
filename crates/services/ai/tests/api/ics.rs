//! A schedule suggestion as iCalendar: a valid RFC 5545 document for participants only.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, transcript, People};

/// Checks the structure every calendar client relies on and returns the unfolded lines.
fn valid_lines(raw: &str) -> Vec<String> {
    assert!(raw.ends_with("\r\n"));
    let physical: Vec<&str> = raw.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for line in &physical {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let mut lines: Vec<String> = Vec::new();
    for line in physical {
        match line.strip_prefix(' ') {
            Some(rest) => lines
                .last_mut()
                .expect("a continuation follows a line")
                .push_str(rest),
            None => lines.push(line.to_string()),
        }
    }
    let mut open: Vec<&str> = Vec::new();
    for line in &lines {
        if let Some(name) = line.strip_prefix("BEGIN:") {
            open.push(name);
        } else if let Some(name) = line.strip_prefix("END:") {
            assert_eq!(open.pop(), Some(name), "unbalanced END:{name}");
        } else {
            assert!(!open.is_empty(), "a property outside any component: {line}");
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    lines
}

fn utc_stamp(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

#[tokio::test]
async fn a_suggestion_downloads_as_a_valid_calendar() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    let analysis = app.analysed(&t).await;
    let suggestion = &analysis["scheduleSuggestions"][0];
    let url = suggestion["icsUrl"].as_str().unwrap();
    assert_eq!(
        url,
        format!(
            "/api/ai/schedules/{}.ics",
            suggestion["id"].as_str().unwrap()
        )
    );

    let res = app
        .client
        .get(format!("{}{url}", app.base))
        .header("x-quorum-user-id", people.guest.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let raw = res.text().await.unwrap();
    let lines = valid_lines(&raw);
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0".to_string()));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let prop = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
            .to_string()
    };
    assert_eq!(
        prop("UID"),
        format!("{}@quorum", suggestion["id"].as_str().unwrap())
    );
    assert!(utc_stamp(&prop("DTSTAMP")));
    assert_eq!(prop("DTSTART"), "20250310T010000Z");
    assert_eq!(prop("DTEND"), "20250310T014500Z");
    assert_eq!(
        prop("SUMMARY"),
        "후속 회의: 예산\\, 일정\\; 그리고 남은 결정 사항을 모두 정리하는 아주 긴 제목"
    );
    assert_eq!(prop("DESCRIPTION"), "Open questions\\nremain");
    // Every participant attends by name; Bob (downloading) does not see Alice's address.
    let attendees: Vec<&String> = lines.iter().filter(|l| l.starts_with("ATTENDEE")).collect();
    assert_eq!(
        attendees,
        [
            &format!(
                "ATTENDEE;CN=\"Alice Kim\";ROLE=REQ-PARTICIPANT:urn:uuid:{}",
                people.owner
            ),
            &format!(
                "ATTENDEE;CN=\"Bob Lee\";ROLE=REQ-PARTICIPANT:urn:uuid:{}",
                people.guest
            ),
        ]
    );
    assert!(!raw.contains("alice@example.com"), "{raw}");
    // Alice's own download carries her own address.
    let own = app.get(url, people.owner).await;
    assert_eq!(own.status, StatusCode::OK);
    let own = valid_lines(own.body.as_str().unwrap());
    assert!(
        own.contains(
            &"ATTENDEE;CN=\"Alice Kim\";ROLE=REQ-PARTICIPANT:mailto:alice@example.com".to_string()
        ),
        "{own:?}"
    );

    let outsider = app.get(url, people.outsider).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let unknown = app
        .get(
            &format!("/api/ai/schedules/{}.ics", uuid::Uuid::now_v7()),
            people.owner,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let garbage = app.get("/api/ai/schedules/whatever", people.owner).await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
}
