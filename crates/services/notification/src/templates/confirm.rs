//! The e-mail that confirms a change of address: the code, sent to the new address (which
//! is not yet the account's, so it is neither a notification nor subject to preferences).

use chrono::{DateTime, Utc};

use super::{escape, when, Email};
use crate::domain::Locale;

/// The code `code` for `name`'s new address, valid until `expires`.
pub(crate) fn email_change(
    locale: Locale,
    name: &str,
    code: &str,
    expires: DateTime<Utc>,
) -> Email {
    let until = when(locale, expires);
    let (subject, greeting, lines) = match locale {
        Locale::Ko => (
            "[Quorum] 이메일 주소 확인 코드".to_string(),
            if name.is_empty() {
                "안녕하세요.".to_string()
            } else {
                format!("{name}님, 안녕하세요.")
            },
            [
                "Quorum 계정의 이메일 주소를 이 주소로 바꾸려면 아래 코드를 입력하세요."
                    .to_string(),
                format!("코드: {code}"),
                format!("{until}까지 유효합니다."),
                "직접 요청하지 않았다면 이 메일을 무시하세요. 주소는 바뀌지 않습니다.".to_string(),
            ],
        ),
        Locale::En => (
            "[Quorum] Your e-mail confirmation code".to_string(),
            if name.is_empty() {
                "Hello,".to_string()
            } else {
                format!("Hi {name},")
            },
            [
                "To make this the e-mail address of your Quorum account, enter this code:"
                    .to_string(),
                format!("Code: {code}"),
                format!("It is valid until {until}."),
                "If you did not ask for this, ignore this message: the address stays as it was."
                    .to_string(),
            ],
        ),
    };
    let text = format!("{greeting}\n\n{}\n", lines.join("\n\n"));
    let paragraphs: String = lines
        .iter()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body><p>{}</p>{paragraphs}</body></html>",
        locale.as_str(),
        escape(&greeting)
    );
    Email {
        subject,
        text,
        html,
    }
}
