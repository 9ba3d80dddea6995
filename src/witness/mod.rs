//! A witness of transparency logs (C2SP tlog-witness), both sides: the
//! server `opendraw witness` runs, which cosigns a log's checkpoint only if
//! it extends the last one it cosigned for that log, and the client a log
//! uses to ask for cosignatures. Apart from the service: a witness is run
//! by someone other than the log's operator, with nothing but a state
//! directory.

pub mod client;
mod key;
mod request;
mod server;
mod state;

pub use client::{WitnessError, add_checkpoint};
pub use key::WitnessKey;
pub use server::{MAX_BODY, Refusal, Witness, router};
