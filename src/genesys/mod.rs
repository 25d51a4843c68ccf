//! Genesys Cloud: the only place masked data leaves the process for.
//!
//! Data flows: a masked context → [`Deliverer`] (enrichment, target shape, flattening, egress check,
//! size limit, customer participant lookup) → [`GenesysClient`] (rate limit, token, retries,
//! correlation id) → HTTPS. Errors come back typed ([`GenesysError`]) so the worker can retry,
//! pause or dead-letter with a precise reason.

pub mod client;
pub mod deliver;
pub mod error;
pub mod region;
pub mod token;

pub use client::{GenesysClient, Response};
pub use deliver::{Delivered, Deliverer, Delivery, flatten};
pub use error::{ErrorInfo, GenesysError, Rejection};
pub use token::Credentials;
