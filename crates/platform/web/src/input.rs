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

/// The white space `str::trim` removes (Unicode `White_Space`), as a regex class body.
const WHITE_SPACE: &str =
    r"\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Control characters (Unicode `Cc`), as a regex class body.
const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";

/// The regular expression (ECMA-262, as JSON Schema reads it) that matches exactly what
/// [`one_line`] accepts: white space around one to `max_chars` characters that are not
/// control characters and neither start nor end with white space.
pub fn one_line_pattern(max_chars: usize) -> String {
    let edge = format!("[^{CONTROL}{WHITE_SPACE}]");
    let inner = format!("[^{CONTROL}]{{0,{}}}", max_chars.saturating_sub(2));
    let around = format!("[{WHITE_SPACE}]*");
    if max_chars <= 1 {
        return format!("^{around}{edge}{around}$");
    }
    format!("^{around}{edge}(?:{inner}{edge})?{around}$")
}

/// The OpenAPI schema of a [`one_line`] field (`null` allowed when `nullable`: an absent
/// value), with its rule in `description`.
pub fn one_line_schema(max_chars: usize, nullable: bool) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .pattern(Some(one_line_pattern(max_chars)))
        .description(Some(format!(
            "One line: 1–{max_chars} characters once trimmed, no control characters."
        )))
        .build()
}

/// The regular expression that matches `core` with any white space `str::trim` removes
/// around it.
pub fn trimmed_pattern(core: &str) -> String {
    format!("^[{WHITE_SPACE}]*(?:{core})[{WHITE_SPACE}]*$")
}

/// The OpenAPI schema of a string of at least `min_chars` characters once trimmed
/// (`min_chars` at least 2).
pub fn min_chars_schema(min_chars: usize) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let between = min_chars.saturating_sub(2);
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "[^{WHITE_SPACE}][\\s\\S]{{{between},}}[^{WHITE_SPACE}]"
        )))
        .description(Some(format!(
            "At least {min_chars} characters once trimmed."
        )))
        .build()
}

/// The OpenAPI schema of text that must not be blank (white space alone) and has at most
/// `max_chars` characters. (A longer text whose surplus is white space at its ends is
/// accepted too: it is trimmed before it is counted.)
pub fn text_schema(max_chars: usize) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("[^{WHITE_SPACE}]")))
        .max_length(Some(max_chars))
        .description(Some(format!(
            "Text: not blank, at most {max_chars} characters once trimmed."
        )))
        .build()
}

/// `fields` (an object schema, inline or a reference) with at least one of `names` given and
/// not `null`, or one of `nullable` given at all (`null` clears it): the body of a partial
/// update, which refuses one that changes nothing.
pub fn at_least_one_of(
    fields: impl Into<utoipa::openapi::RefOr<utoipa::openapi::Schema>>,
    names: &[&str],
    nullable: &[&str],
) -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, SchemaType, Type};
    let not_null = || {
        ObjectBuilder::new().schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Integer,
            Type::Boolean,
            Type::Array,
            Type::Object,
        ]))
    };
    let given = names.iter().fold(AnyOfBuilder::new(), |any, name| {
        any.item(
            ObjectBuilder::new()
                .property(*name, not_null())
                .required(*name),
        )
    });
    let given = nullable.iter().fold(given, |any, name| {
        any.item(ObjectBuilder::new().required(*name))
    });
    AllOfBuilder::new()
        .item(fields)
        .item(given)
        .description(Some(format!(
            "At least one of {} must be given.",
            names
                .iter()
                .chain(nullable)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .into()
}

#[cfg(test)]
mod tests {
    use super::{one_line, one_line_pattern};

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

    #[test]
    fn trimmed_and_minimum_patterns_allow_what_trim_removes() {
        let locale = regex::Regex::new(&super::trimmed_pattern("ko|en")).unwrap();
        assert!(locale.is_match(" ko\n") && locale.is_match("en"));
        assert!(!locale.is_match("kr") && !locale.is_match("\u{1c}ko"));
        let schema = serde_json::to_value(super::min_chars_schema(2)).unwrap();
        let two = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        for (raw, ok) in [
            ("ab", true),
            (" a b ", true),
            (" a ", false),
            ("\t\n", false),
        ] {
            assert_eq!(two.is_match(raw), ok, "{raw:?}");
            assert_eq!(raw.trim().chars().count() >= 2, ok, "{raw:?}");
        }
    }

    #[test]
    fn the_pattern_accepts_exactly_what_one_line_does() {
        let pattern = regex::Regex::new(&one_line_pattern(5)).unwrap();
        for raw in [
            "a",
            "abcde",
            "abcdef",
            " \t abcde \n",
            "",
            " ",
            "\u{3000}",
            "a b",
            "a\nb",
            "\u{0}a",
            "a\u{1c}",
            "\u{1c}",
            "\u{85}a\u{85}",
            "\u{a0}가나\u{2003}",
            "a\u{7f}b",
            "a\u{a0}b",
            "\u{1f600}",
            "abc\u{2028}",
            " abcdef ",
            "ab\u{9f}",
        ] {
            assert_eq!(
                pattern.is_match(raw),
                one_line("x", raw, 5).is_ok(),
                "{raw:?}"
            );
        }
        let one = regex::Regex::new(&one_line_pattern(1)).unwrap();
        assert!(one.is_match(" a ") && !one.is_match("ab"));
    }
}
