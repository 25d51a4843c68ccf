//! A stand-in for Genesys Cloud that speaks the subset of its API this project uses, over real
//! HTTP, so the client, the demo and every integration test run against something real.
//!
//! Endpoints (as documented for Genesys Cloud):
//! - `POST /oauth/token` — client credentials (Basic auth, form body), expiring bearer tokens;
//! - `GET /api/v2/conversations/{id}` — a conversation with customer and agent participants;
//! - `PATCH /api/v2/conversations/{id}/participants/{pid}/attributes` — `{"attributes": {string: string}}`, 202;
//! - `PATCH /api/v2/chat/conversations/{id}` — `{"context": {…}}`, 202 (the design documents' target).
//!
//! Errors use Genesys' body shape (`message`, `code`, `status`, `contextId`, `details`, `errors`) and
//! echo `ININ-Correlation-Id`. For tests and operators there is a control surface under `/mock/`:
//! `GET /mock/received` (what each conversation received), `GET /mock/stats`, `POST /mock/faults`
//! (inject N×429 with Retry-After, 5xx, slow responses, dropped connections — per conversation or at
//! a rate), `DELETE /mock/faults`, `POST /mock/expire-tokens` and `POST /mock/conversations`.

mod faults;
mod server;

pub use faults::{Fault, FaultKind};
pub use server::{MockConfig, MockState, Received, router, serve, spawn};
