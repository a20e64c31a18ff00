//! Black-box tests of the gateway over real HTTP.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod auth;
mod callers;
mod distributed;
mod docs_and_health;
mod headers;
mod helpers;
mod instances;
mod limits;
mod redis_limit;
mod routing;
mod uploads;

use serde_json::Value;

/// Asserts a problem+json response with `status` and `code`; returns the body.
pub(crate) async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "problem responses are problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(body["code"], code);
    body
}
