//! HTTP building blocks shared by every Quorum service.
//!
//! - [`codes`]: every error code with its status and meaning, one table (`docs/errors.md` is
//!   generated from it);
//! - [`problem`]: RFC 9457 `application/problem+json` errors with stable codes, and
//!   [`ApiErrorKind`] for each service's own error enum;
//! - [`extract`]: `Json`, `Path` and `Query` extractors whose rejections become 4xx problems,
//!   and [`CurrentUser`], the caller the gateway authenticated;
//! - [`id`]: typed ids ([`typed_id!`]), [`PathId`] and [`parse_id`], one message for a bad id;
//! - [`page`]: pagination parameters and the `{items, page, size, total}` envelope;
//! - [`idempotency`]: `Idempotency-Key` replay for mutating requests;
//! - [`limit`]: request-body limits answering `413 payload_too_large` with the limit;
//! - [`management`]: who may read the operations endpoints' details (a token, else local
//!   clients only).

pub mod codes;
pub mod extract;
pub mod id;
pub mod idempotency;
pub mod input;
pub mod limit;
pub mod management;
pub mod page;
pub mod problem;

pub use codes::Code;
pub use extract::{CurrentUser, Json, Path, Query, USER_HEADER};
pub use id::{parse_id, PathId, TypedId};
pub use page::{Page, PageParams};
pub use problem::{ApiErrorKind, Problem};
