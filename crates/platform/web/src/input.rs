//! Input rules more than one service applies, with one wording for their messages.

/// One line of text a person typed (a title, a display name): trimmed, 1 to `max_chars`
/// characters, no control characters (a line break included). The error names `field` and
/// says what is wrong.
pub fn one_line(field: &str, raw: &str, max_chars: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(format!("`{field}` must not be empty"));
    }
    let n = text.chars().count();
    if n > max_chars {
        return Err(format!(
            "`{field}` must be at most {max_chars} characters (got {n})"
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "`{field}` must not contain control characters such as line breaks"
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_is_trimmed_bounded_and_single() {
        assert_eq!(one_line("title", "  주간 회의 ", 5).unwrap(), "주간 회의");
        assert_eq!(
            one_line("title", " \t", 5).unwrap_err(),
            "`title` must not be empty"
        );
        assert_eq!(
            one_line("title", "123456", 5).unwrap_err(),
            "`title` must be at most 5 characters (got 6)"
        );
        assert!(one_line("name", "a\nb", 5)
            .unwrap_err()
            .contains("`name` must not contain"));
    }
}
