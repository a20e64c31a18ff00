use super::check_table;

#[test]
fn english_dates_relative_to_wednesday_13_january_2027() {
    check_table(&[
        ("today", Some((2027, 1, 13)), None),
        ("by tomorrow", Some((2027, 1, 14)), None),
        ("the day after tomorrow", Some((2027, 1, 15)), None),
        ("by Friday", Some((2027, 1, 15)), None),
        ("on Thursday", Some((2027, 1, 14)), None),
        ("on Wednesday", Some((2027, 1, 20)), None),
        ("Monday", Some((2027, 1, 18)), None),
        ("next Monday", Some((2027, 1, 18)), None),
        ("next Friday", Some((2027, 1, 22)), None),
        ("next Wednesday", Some((2027, 1, 20)), None),
        ("Friday next week", Some((2027, 1, 22)), None),
        ("this Friday", Some((2027, 1, 15)), None),
        ("this Monday", Some((2027, 1, 18)), None),
        ("next week", Some((2027, 1, 18)), None),
        ("by the end of the week", Some((2027, 1, 15)), None),
        ("this week", Some((2027, 1, 15)), None),
        ("end of the month", Some((2027, 1, 31)), None),
        ("next month", Some((2027, 2, 1)), None),
        ("in 3 days", Some((2027, 1, 16)), None),
        ("in two weeks", Some((2027, 1, 27)), None),
        ("in a week", Some((2027, 1, 20)), None),
        ("within 10 days", Some((2027, 1, 23)), None),
        ("3 days from now", Some((2027, 1, 16)), None),
        ("by 1/20", Some((2027, 1, 20)), None),
        ("1/5", Some((2028, 1, 5)), None),
        ("12/31/2027", Some((2027, 12, 31)), None),
        ("Jan 20", Some((2027, 1, 20)), None),
        ("January 20th", Some((2027, 1, 20)), None),
        ("20 January", Some((2027, 1, 20)), None),
        ("the 3rd of March", Some((2027, 3, 3)), None),
        ("Feb. 3, 2028", Some((2028, 2, 3)), None),
        ("January 10", Some((2028, 1, 10)), None),
        ("2027-01-20", Some((2027, 1, 20)), None),
    ]);
}

#[test]
fn english_times_and_dates_with_times() {
    check_table(&[
        ("at 10", None, Some((10, 0))),
        ("tomorrow at 10am", Some((2027, 1, 14)), Some((10, 0))),
        ("Friday at 3:30 pm", Some((2027, 1, 15)), Some((15, 30))),
        ("10:00", None, Some((10, 0))),
        ("at 2", None, Some((14, 0))),
        ("by noon tomorrow", Some((2027, 1, 14)), Some((12, 0))),
        ("next Monday at 10", Some((2027, 1, 18)), Some((10, 0))),
        ("07:30", None, Some((7, 30))),
        ("at 9 a.m. on Jan 20", Some((2027, 1, 20)), Some((9, 0))),
        ("5pm", None, Some((17, 0))),
        ("12am", None, Some((0, 0))),
    ]);
}

#[test]
fn english_deadline_wins_over_other_dates() {
    check_table(&[
        (
            "after Monday's review, send it by Friday",
            Some((2027, 1, 15)),
            None,
        ),
        ("I sent it Monday", Some((2027, 1, 18)), None),
    ]);
}

#[test]
fn english_non_dates_are_ignored() {
    check_table(&[
        ("We sold 20 units in version 2.3", None, None),
        ("May I ask a question", None, None),
        ("the ratio is 21/20 now", None, None),
        ("it's 24/7 support", None, None),
        ("page 3 of the deck", None, None),
    ]);
}
