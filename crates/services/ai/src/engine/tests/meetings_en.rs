use chrono::{TimeZone, Utc};

use super::{analyze, assert_items, meeting, people, Expect, Lang, Section};

#[test]
fn launch_sync_commitments_requests_and_delegation() {
    let p = people(&["Alex Park", "Minji Kim", "Sam Lee", "Priya Shah"]);
    let input = meeting("Launch sync", Lang::En, p.clone(), &[
        "Alex Park: Thanks everyone for joining the launch sync.",
        "Minji Kim: The beta feedback was mostly positive, and I sent the summary to the team yesterday.",
        "Alex Park: Great. I will send the draft press release by Friday.",
        "Sam Lee: We could maybe add a referral program later.",
        "Alex Park: Minji, can you update the budget by next Monday at 10?",
        "Minji Kim: Sure, no problem.",
        "Priya Shah: Did anyone check the pricing page?",
        "Alex Park: Let's have Sam review the PR tomorrow.",
        "Sam Lee: Decision: we will launch on February 2nd.",
        "Priya Shah: I'll prepare the launch checklist by the end of the week.",
        "Alex Park: Let's meet again next Tuesday at 2pm to review progress.",
    ]);
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["Send the draft press release"],
                assignee: Some(0),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["Update the budget"],
                assignee: Some(1),
                due: Some((2027, 1, 18)),
            },
            Expect {
                words: &["Review the PR"],
                assignee: Some(2),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["Prepare the launch checklist"],
                assignee: Some(3),
                due: Some((2027, 1, 15)),
            },
        ],
    );
    assert_eq!(a.action_items[1].title, "Update the budget");
    assert_eq!(
        a.action_items[1].due_at,
        Utc.with_ymd_and_hms(2027, 1, 18, 1, 0, 0).single()
    );
    assert_eq!(a.action_items[0].due_at, None);
    assert_eq!(
        a.decisions,
        vec!["we will launch on February 2nd.".to_string()]
    );
    let s = &a.schedule_suggestions[0];
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 19, 5, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(s.participant_ids.len(), 4);
}

#[test]
fn notes_with_markers_checkboxes_and_an_unknown_owner() {
    let p = people(&["Alex Park", "Jordan Lee", "Sam Lee"]);
    let input = meeting(
        "Retro",
        Lang::En,
        p.clone(),
        &[
            "Alex Park: Quick notes from the retro.",
            "Alex Park: Action: Alex to book the room by Thursday.",
            "Alex Park: - [ ] @Jordan prepare slides by 1/20",
            "Alex Park: TODO: Sam — write the release notes",
            "Alex Park: - [x] Sam fixed the flaky test",
            "Alex Park: TODO: Taylor - renew the SSL certificate by Jan 25",
            "Jordan Lee: The deploy went fine last week.",
            "Jordan Lee: What if we moved the standup to 9:30?",
            "Sam Lee: I already merged the hotfix.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["Book the room"],
                assignee: Some(0),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["Prepare slides"],
                assignee: Some(1),
                due: Some((2027, 1, 20)),
            },
            Expect {
                words: &["Write the release notes"],
                assignee: Some(2),
                due: None,
            },
            Expect {
                words: &["Renew the SSL certificate"],
                assignee: None,
                due: Some((2027, 1, 25)),
            },
        ],
    );
    assert_eq!(a.action_items[3].assignee_name.as_deref(), Some("Taylor"));
    assert_eq!(
        a.action_items[1].assignee_name.as_deref(),
        Some("Jordan Lee")
    );
}

#[test]
fn marketing_plan_third_person_and_trailing_addressee() {
    let p = people(&["Emma Wilson", "Daniel Cho", "Olivia Brown", "Noah Garcia"]);
    let input = meeting(
        "Q3 marketing plan",
        Lang::En,
        p.clone(),
        &[
            "Emma Wilson: Let's go through the Q3 marketing plan.",
            "Daniel Cho: The campaign numbers are up twelve percent compared with last quarter.",
            "Emma Wilson: We agreed to focus the budget on video ads.",
            "Emma Wilson: Daniel will draft the video brief by next Wednesday.",
            "Olivia Brown: I'm going to contact the two agencies on Thursday.",
            "Noah Garcia: I might look into influencer options if there is time.",
            "Emma Wilson: Could you share the analytics dashboard with the agencies, Noah?",
            "Noah Garcia: Yes. Can everyone hear me okay now?",
            "Daniel Cho: I won't be able to attend Friday's review.",
            "Emma Wilson: Please send me the final numbers in 3 days, Olivia.",
            "Emma Wilson: Our next meeting is on Jan 27 at 11am for 45 minutes.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["Draft the video brief"],
                assignee: Some(1),
                due: Some((2027, 1, 20)),
            },
            Expect {
                words: &["Contact the two agencies"],
                assignee: Some(2),
                due: Some((2027, 1, 14)),
            },
            Expect {
                words: &["Share the analytics dashboard"],
                assignee: Some(3),
                due: None,
            },
            Expect {
                words: &["Send me the final numbers"],
                assignee: Some(2),
                due: Some((2027, 1, 16)),
            },
        ],
    );
    assert_eq!(
        a.decisions,
        vec!["We agreed to focus the budget on video ads.".to_string()]
    );
    let s = &a.schedule_suggestions[0];
    assert_eq!(
        s.start,
        Utc.with_ymd_and_hms(2027, 1, 27, 2, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(s.duration_minutes, 45);
}

#[test]
fn transcript_pasted_into_one_section_keeps_its_speakers() {
    let p = people(&["Grace Lin", "Tom Becker", "Ravi Patel"]);
    let mut input = meeting("Infra review", Lang::En, p.clone(), &[]);
    input.sections = vec![Section {
        speaker: None,
        speaker_id: None,
        text: "Grace: Morning all, this is the infra review.\n\
               Tom: The migration to the new cluster finished on Monday.\n\
               Grace: Nice work. Tom, please document the rollback procedure by Friday.\n\
               Ravi: I need to renew the on-call schedule before next week.\n\
               Ravi: Also, would it be possible to get more budget? I'm not sure.\n\
               Grace: I'll ask finance about the budget tomorrow at 3pm.\n\
               Tom: We haven't decided on the monitoring vendor yet.\n\
               Grace: Ok, then we decided to keep Grafana for now."
            .to_string(),
    }];
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["Document the rollback procedure"],
                assignee: Some(1),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["Renew the on-call schedule"],
                assignee: Some(2),
                due: Some((2027, 1, 15)),
            },
            Expect {
                words: &["Ask finance about the budget"],
                assignee: Some(0),
                due: Some((2027, 1, 14)),
            },
        ],
    );
    assert_eq!(
        a.action_items[2].due_at,
        Utc.with_ymd_and_hms(2027, 1, 14, 6, 0, 0).single()
    );
    assert_eq!(
        a.action_items[2].assignee_name.as_deref(),
        Some("Grace Lin")
    );
    assert_eq!(
        a.decisions,
        vec!["Ok, then we decided to keep Grafana for now.".to_string()]
    );
}

#[test]
fn reports_questions_and_hypotheticals_are_not_action_items() {
    let p = people(&["Liam Murphy", "Sofia Rossi", "Ethan Wright"]);
    let input = meeting(
        "Sprint review",
        Lang::En,
        p.clone(),
        &[
            "Liam Murphy: Last sprint we shipped the search feature.",
            "Sofia Rossi: I sent the client report yesterday and they approved it.",
            "Ethan Wright: Maybe we should rewrite the billing module someday.",
            "Liam Murphy: Sofia, did you get a reply from legal?",
            "Sofia Rossi: Not yet, I will follow up with legal on Monday.",
            "Ethan Wright: I could help with testing if needed.",
            "Liam Murphy: Ethan will set up the staging environment by 2027-01-22.",
            "Ethan Wright: Sounds good.",
            "Liam Murphy: Should we also invite the design team? Let's think about it.",
            "Sofia Rossi: Traffic will grow after the launch.",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            Expect {
                words: &["Follow up with legal"],
                assignee: Some(1),
                due: Some((2027, 1, 18)),
            },
            Expect {
                words: &["Set up the staging environment"],
                assignee: Some(2),
                due: Some((2027, 1, 22)),
            },
        ],
    );
    // No follow-up meeting was proposed, so none is suggested.
    assert!(
        a.schedule_suggestions.is_empty(),
        "{:?}",
        a.schedule_suggestions
    );
}

#[test]
fn due_dates_said_on_another_line_or_counted_from_an_event() {
    let p = people(&["Alex Park", "Minji Kim", "Sam Lee", "Priya Shah"]);
    let input = meeting(
        "Launch prep",
        Lang::En,
        p.clone(),
        &[
            "Alex Park: reminder, the launch is locked for March 4",
            "Alex Park: Minji, can you write the API contract for the address endpoint?",
            "Minji Kim: sure, by Thursday",
            "Sam Lee: I'll run the load test",
            "Sam Lee: should be done within 5 days",
            "Priya Shah: I'll send the press kit to the agency 3 days before the launch",
        ],
    );
    let a = analyze(&input);
    assert_items(
        &a.action_items,
        &p,
        &[
            // The day the assignee names when accepting.
            Expect {
                words: &["Write the API contract"],
                assignee: Some(1),
                due: Some((2027, 1, 14)),
            },
            // The day said in the same person's next sentence.
            Expect {
                words: &["Run the load test"],
                assignee: Some(2),
                due: Some((2027, 1, 18)),
            },
            // Counted back from a day the meeting stated, never the 3rd of a month.
            Expect {
                words: &["Send the press kit"],
                assignee: Some(3),
                due: Some((2027, 3, 1)),
            },
        ],
    );
}
