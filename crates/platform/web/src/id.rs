//! Typed ids: one way to read an id from a path, a query or a body, one message when it is
//! not a UUID (400 `bad_request`: "meeting id `x` is not a valid UUID").
//!
//! [`typed_id!`](crate::typed_id) declares a newtype (`MeetingId`, `TodoId`, …) that says what
//! it names; [`PathId`] extracts one from a route's single path parameter; [`parse_id`] reads
//! one from anywhere else.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::{Code, Path, Problem};

/// An id type that says what it names (for messages) and wraps a UUID.
pub trait TypedId: Sized + Send {
    /// What the id names, as the start of a sentence ("meeting id").
    const WHAT: &'static str;
    fn from_uuid(id: Uuid) -> Self;
}

/// Reads `raw` as a UUID (surrounding white space ignored); otherwise a 400 problem naming
/// `what` and the value.
pub fn parse_id(raw: &str, what: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        Problem::new(
            Code::BadRequest,
            format!("{what} `{raw}` is not a valid UUID"),
        )
    })
}

/// The route's single path parameter as a typed id (400 naming it when it is not a UUID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathId<T>(pub T);

impl<T: TypedId, S: Send + Sync> FromRequestParts<S> for PathId<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        parse_id(&raw, T::WHAT).map(|id| PathId(T::from_uuid(id)))
    }
}

/// Declares a typed id: a `Copy` newtype over [`Uuid`] with `Display`, `as_uuid()`,
/// `From<Uuid>` and [`TypedId`], e.g. `quorum_web::typed_id!(pub(crate) TodoId, "todo id");`.
#[macro_export]
macro_rules! typed_id {
    ($vis:vis $name:ident, $what:literal) => {
        #[doc = concat!("A ", $what, ".")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(::uuid::Uuid);

        impl $name {
            #[allow(dead_code)]
            $vis fn as_uuid(&self) -> ::uuid::Uuid {
                self.0
            }
        }

        impl ::core::convert::From<::uuid::Uuid> for $name {
            fn from(id: ::uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl $crate::TypedId for $name {
            const WHAT: &'static str = $what;
            fn from_uuid(id: ::uuid::Uuid) -> Self {
                Self(id)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::typed_id!(ThingId, "thing id");

    #[test]
    fn ids_parse_and_bad_ones_are_a_400_naming_them() {
        let id = Uuid::now_v7();
        assert_eq!(parse_id(&format!(" {id} "), "thing id").unwrap(), id);
        let err = parse_id("nope", ThingId::WHAT).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(err.code, "bad_request");
        assert_eq!(err.detail, "thing id `nope` is not a valid UUID");
        assert_eq!(ThingId::from_uuid(id).to_string(), id.to_string());
    }
}
