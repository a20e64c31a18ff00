//! Extractors whose rejections are problem documents, and the authenticated caller.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::{Code, Problem};

/// Header through which the gateway tells a service who the caller is. The gateway strips any
/// value a client sends and sets it only after verifying the access token; a service process
/// of the distributed mode, reachable over the network, does the same itself
/// (`quorum_gateway::Callers`) and never takes a value that arrived.
pub const USER_HEADER: &str = "x-quorum-user-id";

/// `axum::Json` with problem+json rejections (400 malformed, 415 wrong content type, 422 a
/// field missing or of the wrong type). Also a response type.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

fn json_problem(rejection: JsonRejection) -> Problem {
    let code = match &rejection {
        JsonRejection::MissingJsonContentType(_) => Code::UnsupportedMediaType,
        JsonRejection::JsonDataError(_) => Code::InvalidBody,
        JsonRejection::JsonSyntaxError(_) => Code::MalformedJson,
        // Past the body limit (axum's own, where no `limit::apply` replaced it).
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
        _ => Code::BadRequest,
    };
    Problem::new(code, rejection.body_text())
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` with problem+json rejections (400 on an unparsable segment).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|r: PathRejection| Problem::new(Code::InvalidPath, r.body_text()))
    }
}

/// `axum::extract::Query` with problem+json rejections (400 with the offending parameter).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|r: QueryRejection| Problem::new(Code::InvalidQuery, r.body_text()))
    }
}

/// The authenticated caller, as asserted in [`USER_HEADER`] by the gateway (or, in a service
/// process of the distributed mode, by the service's own check of the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUser(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(USER_HEADER)
            .ok_or_else(|| Problem::unauthorized("an access token is required"))?;
        value
            .to_str()
            .ok()
            .and_then(|v| Uuid::parse_str(v).ok())
            .map(CurrentUser)
            .ok_or_else(|| Problem::unauthorized("the caller identity is malformed"))
    }
}
