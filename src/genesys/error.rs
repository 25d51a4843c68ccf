//! What can go wrong when delivering to Genesys, typed so the worker can decide: retry later,
//! dead-letter with a reason, or block.

use std::fmt;
use std::time::Duration;

/// The Genesys error body (`ErrorBody`), reduced to what is safe and useful to log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// HTTP status.
    pub status: u16,
    /// Genesys `code`, e.g. `too.many.requests.retry.after`.
    pub code: Option<String>,
    /// Genesys `contextId` (correlation id).
    pub context_id: Option<String>,
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(c) = &self.code {
            write!(f, " code={c}")?;
        }
        if let Some(c) = &self.context_id {
            write!(f, " contextId={c}")?;
        }
        Ok(())
    }
}

/// Which permanent rejection it was: the dead-letter reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// 400: the body or the ids are invalid.
    BadRequest,
    /// 403: the OAuth client lacks the permission.
    Forbidden,
    /// 404: no such conversation or participant.
    NotFound,
    /// 409: conflict with the conversation's state.
    Conflict,
    /// 413: the body is too large for Genesys.
    PayloadTooLarge,
    /// 501: the endpoint is not implemented there (retrying cannot help).
    NotImplemented,
    /// Any other 4xx.
    OtherClientError,
}

impl Rejection {
    /// Classifies a status that is not retried (4xx, and 501).
    pub fn from_status(status: u16) -> Rejection {
        match status {
            400 => Rejection::BadRequest,
            403 => Rejection::Forbidden,
            404 => Rejection::NotFound,
            409 => Rejection::Conflict,
            413 => Rejection::PayloadTooLarge,
            501 => Rejection::NotImplemented,
            _ => Rejection::OtherClientError,
        }
    }

    /// A stable name for logs, metrics and dead-letter headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::BadRequest => "bad_request",
            Rejection::Forbidden => "forbidden",
            Rejection::NotFound => "not_found",
            Rejection::Conflict => "conflict",
            Rejection::PayloadTooLarge => "payload_too_large",
            Rejection::NotImplemented => "not_implemented",
            Rejection::OtherClientError => "client_error",
        }
    }
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum GenesysError {
    /// Genesys refused the request for good; retrying cannot help.
    #[error("rejected by Genesys ({}): {info}", .kind.as_str())]
    Rejected {
        /// Which rejection.
        kind: Rejection,
        /// Status, code and correlation id.
        info: ErrorInfo,
    },
    /// The OAuth client credentials were refused, or a fresh token was refused too.
    #[error("Genesys authentication failed: {0}")]
    Auth(String),
    /// Retries ran out (attempts or time) on transient failures.
    #[error("Genesys unavailable after {attempts} attempt(s) in {elapsed:?}: {last}")]
    Exhausted {
        /// Attempts made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The last failure.
        last: String,
    },
    /// The login service could not be reached or failed (timeout, 5xx): worth retrying.
    #[error("Genesys login unavailable: {0}")]
    TokenUnavailable(String),
    /// A 429 asked us to wait longer than the configured cap.
    #[error("Genesys asked to retry after {0:?}, longer than the configured maximum")]
    RetryAfterTooLong(Duration),
    /// The egress guard found what looks like a full card number in the outgoing body: nothing sent.
    #[error(
        "blocked: the outgoing body contains what looks like an unmasked card number (at {path})"
    )]
    UnmaskedDataBlocked {
        /// Where (a JSON path or attribute key, never the value).
        path: String,
    },
    /// The body exceeds the configured size limit: nothing sent.
    #[error("request body is {size} bytes, over the limit of {limit}")]
    RequestTooLarge {
        /// Body size.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// The conversation has no participant with purpose `customer` to attach attributes to.
    #[error("conversation has no customer participant")]
    NoCustomerParticipant,
    /// A conversation or participant id with characters no Genesys id has (it would change the URL).
    #[error("invalid {what} id {id:?}: only letters, digits, '-', '_' and '.' are allowed")]
    InvalidId {
        /// `conversation` or `participant`.
        what: &'static str,
        /// The id, cut to 64 characters.
        id: String,
    },
    /// The client could not be built from its configuration.
    #[error("Genesys client configuration: {0}")]
    Config(String),
}

impl GenesysError {
    /// A short, stable class name for logs, metrics, audit records and dead-letter reasons.
    pub fn class(&self) -> &'static str {
        match self {
            GenesysError::Rejected { kind, .. } => kind.as_str(),
            GenesysError::Auth(_) => "auth_failed",
            GenesysError::TokenUnavailable(_) => "login_unavailable",
            GenesysError::Exhausted { .. } => "unavailable",
            GenesysError::RetryAfterTooLong(_) => "retry_after_too_long",
            GenesysError::UnmaskedDataBlocked { .. } => "unmasked_data_blocked",
            GenesysError::RequestTooLarge { .. } => "request_too_large",
            GenesysError::NoCustomerParticipant => "no_customer_participant",
            GenesysError::InvalidId { .. } => "invalid_id",
            GenesysError::Config(_) => "config",
        }
    }

    /// True when trying again later may succeed (the worker keeps the event; it does not dead-letter it).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GenesysError::Exhausted { .. }
                | GenesysError::RetryAfterTooLong(_)
                | GenesysError::Auth(_)
        )
    }
}
