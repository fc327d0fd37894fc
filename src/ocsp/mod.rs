//! OCSP stapling: the event a connection raises, and its answer.

mod event;

pub use event::{EmptyResponse, OcspCompletion, OcspOutcome, OcspRequest};
pub(crate) use event::{OcspAnswer, RequestId};
