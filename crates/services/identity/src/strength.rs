//! How hard a new password is to guess: zxcvbn (Dropbox's estimator: dictionaries of common
//! passwords, names and words, keyboard patterns, repeats, sequences, dates, l33t), with the
//! account's name and e-mail address as further words an attacker would try. A score under
//! 3 of 4 ("safely unguessable: moderate protection from offline slow-hash scenarios") is
//! refused with zxcvbn's feedback as the message.

use zxcvbn::Score;

use crate::domain::Password;
use crate::error::ApiError;

/// The lowest zxcvbn score accepted.
const MIN_SCORE: Score = Score::Three;

/// Refuses `password` when it is too easy to guess for an account with these `inputs`
/// (name, e-mail address); the message lists what zxcvbn found and suggests.
pub(crate) fn check(password: &Password, inputs: &[&str]) -> Result<(), ApiError> {
    // The address's parts count as words too (`ann.lee@example.com` → `ann`, `lee`, …).
    let mut words: Vec<&str> = inputs.to_vec();
    for input in inputs {
        words.extend(
            input
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3),
        );
    }
    let estimate = zxcvbn::zxcvbn(password.expose(), &words);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let mut reasons = Vec::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reasons.push(warning.to_string());
        }
        reasons.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    if reasons.is_empty() {
        reasons.push("Add another word or two. Uncommon words are better.".into());
    }
    Err(ApiError::WeakPassword(format!(
        "password: is too easy to guess. {}",
        reasons.join(" ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(password: &str, inputs: &[&str]) -> Result<(), String> {
        let password = Password::parse(password).map_err(|e| e.to_string())?;
        check(&password, inputs).map_err(|e| e.to_string())
    }

    #[test]
    fn common_and_patterned_passwords_are_refused_with_reasons() {
        for weak in [
            "password",
            "12345678",
            "        ",
            "qwertyuiop",
            "iloveyou1",
            "aaaaaaaaaaaa",
            "abcdefgh",
            "P@ssw0rd",
        ] {
            let err = verdict(weak, &[]).unwrap_err();
            assert!(
                err.starts_with("password: is too easy to guess. "),
                "{weak}: {err}"
            );
            assert!(
                err.len() > "password: is too easy to guess. ".len() + 10,
                "{err}"
            );
        }
    }

    #[test]
    fn the_accounts_own_name_and_address_count_as_guesses() {
        let inputs = ["Ann Leeworth", "ann.leeworth@example.com"];
        for own in ["ann.leeworth@example.com", "leeworthann", "AnnLeeworth"] {
            assert!(verdict(own, &inputs).is_err(), "{own}");
            assert!(
                verdict(own, &[]).is_ok(),
                "{own} is strong for someone else"
            );
        }
    }

    #[test]
    fn passphrases_and_random_strings_pass() {
        for strong in [
            "correct horse battery staple",
            "plum-orbit-kettle-57",
            "x7#Qm9!vRt2&",
            "초록 우산과 파란 자전거",
        ] {
            verdict(strong, &["Ann Lee", "ann@example.com"]).unwrap();
        }
    }
}
