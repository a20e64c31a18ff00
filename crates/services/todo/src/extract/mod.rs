//! Pure text work for the consumers: explicit action lines in notes ([`notes`]), due dates
//! ([`dates`]), participant names ([`names`]) and title similarity for the dedupe rule
//! ([`similar`]).

pub(crate) mod dates;
pub(crate) mod names;
pub(crate) mod notes;
pub(crate) mod similar;
