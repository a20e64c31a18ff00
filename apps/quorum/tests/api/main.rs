//! End-to-end tests of the all-in-one process through the gateway.

mod helpers;
mod lifecycle;
mod platform;
mod shutdown;
