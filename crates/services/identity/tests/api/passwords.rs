//! What a password (and an address) may be: strength, normalisation.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn easily_guessed_passwords_are_refused_with_the_reason() {
    let app = spawn_app().await;
    for weak in [
        "password",
        "12345678",
        "        ",
        "qwerty123",
        "Ann Lee 2024",
    ] {
        let res = app.register("ann@example.com", weak, "Ann Lee").await;
        let body = assert_problem(res, 422, "weak_password").await;
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("password: is too easy to guess. "),
            "{weak}: {detail}"
        );
    }
    // The feedback names what is wrong.
    let res = app.register("ann@example.com", "password", "Ann Lee").await;
    let body = assert_problem(res, 422, "weak_password").await;
    assert!(
        body["detail"].as_str().unwrap().contains("common password"),
        "{body}"
    );
    // Nothing was created.
    assert_eq!(
        app.register("ann@example.com", PASSWORD, "Ann Lee")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_new_password_must_be_hard_to_guess_too() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let res = app
        .authed(Method::PUT, "/api/users/me/password", &id, &tokens)
        .json(&json!({"currentPassword": PASSWORD, "newPassword": "iloveyou"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "weak_password").await;
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn passwords_and_addresses_are_the_same_however_they_were_typed() {
    let app = spawn_app().await;
    // Full-width characters (a Korean or Japanese keyboard in wide mode) are NFKC'd.
    let res = app
        .register(
            "ａｎｎ＠Ｅｘａｍｐｌｅ.ｃｏｍ",
            "ｐｌｕｍ ｏｒｂｉｔ ｋｅｔｔｌｅ ５７",
            "Ann",
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "ann@example.com");
    assert_eq!(
        app.login("ann@example.com", "plum orbit kettle 57")
            .await
            .status(),
        200
    );
    assert_problem(
        app.register("ANN@example.com", PASSWORD, "Other").await,
        409,
        "email_taken",
    )
    .await;
    // Decomposed Hangul (as macOS keyboards send it) is the composed password.
    let composed = "\u{d478}\u{b978} \u{c6b0}\u{c0b0}\u{acfc} \u{ae30}\u{cc28}";
    let decomposed: String = composed_to_decomposed(composed);
    assert_ne!(composed, decomposed);
    assert_eq!(
        app.register("bo@example.com", &decomposed, "Bo")
            .await
            .status(),
        201
    );
    assert_eq!(app.login("bo@example.com", composed).await.status(), 200);
}

/// Hangul syllables split into their jamo (Unicode's canonical decomposition).
fn composed_to_decomposed(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let code = c as u32;
        if !(0xAC00..=0xD7A3).contains(&code) {
            out.push(c);
            continue;
        }
        let index = code - 0xAC00;
        let (lead, vowel, tail) = (index / 588, (index % 588) / 28, index % 28);
        out.push(char::from_u32(0x1100 + lead).unwrap());
        out.push(char::from_u32(0x1161 + vowel).unwrap());
        if tail > 0 {
            out.push(char::from_u32(0x11A7 + tail).unwrap());
        }
    }
    out
}
