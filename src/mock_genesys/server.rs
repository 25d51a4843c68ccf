//! The mock's HTTP server: state, routes and handlers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::faults::{Fault, FaultKind, Faults};

const CORRELATION: &str = "ININ-Correlation-Id";

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The OAuth client id it accepts.
    pub client_id: String,
    /// The OAuth client secret it accepts.
    pub client_secret: String,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// Only seeded conversations and participants exist (404 otherwise); when false, any
    /// conversation id is live and any participant id named in a PATCH is one of its customers.
    pub strict: bool,
    /// Largest request body accepted (Genesys: 512,000 bytes); larger ones get 413.
    pub max_body_bytes: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            client_id: "mock-client".into(),
            client_secret: "mock-secret".into(),
            token_ttl: Duration::from_secs(86_399),
            strict: false,
            max_body_bytes: 512_000,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct Participant {
    id: String,
    purpose: String,
    attributes: Map<String, Value>,
}

/// One request body a conversation received, for inspection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// The conversation.
    pub conversation_id: String,
    /// `participant-attributes` or `conversation-context`.
    pub target: String,
    /// The participant, for attribute PATCHes.
    pub participant_id: Option<String>,
    /// The body as received.
    pub body: Value,
    /// The client's correlation id.
    pub correlation_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// Everything the mock knows; shared by handlers and inspectable by tests.
pub struct MockState {
    cfg: MockConfig,
    tokens: Mutex<HashMap<String, Instant>>,
    conversations: Mutex<HashMap<String, Vec<Participant>>>,
    received: Mutex<Vec<Received>>,
    faults: Mutex<Faults>,
    token_requests: AtomicU64,
    api_requests: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A handler that panicked must not take the whole mock down with a poisoned lock.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl MockState {
    /// Fresh state for `cfg`.
    pub fn new(cfg: MockConfig) -> Arc<MockState> {
        Arc::new(MockState {
            cfg,
            tokens: Mutex::new(HashMap::new()),
            conversations: Mutex::new(HashMap::new()),
            received: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            token_requests: AtomicU64::new(0),
            api_requests: AtomicU64::new(0),
        })
    }

    /// Adds a conversation with a customer (`<id>-customer`) and an agent participant, unless it
    /// exists already.
    pub fn seed_conversation(&self, id: &str) {
        lock(&self.conversations)
            .entry(id.to_string())
            .or_insert_with(|| default_participants(id));
    }

    /// Adds a conversation with exactly these participants (`(id, purpose)`).
    pub fn seed_conversation_with(&self, id: &str, participants: &[(&str, &str)]) {
        let ps = participants
            .iter()
            .map(|(pid, purpose)| Participant {
                id: pid.to_string(),
                purpose: purpose.to_string(),
                attributes: Map::new(),
            })
            .collect();
        lock(&self.conversations).insert(id.to_string(), ps);
    }

    /// Injects a fault.
    pub fn add_fault(&self, f: Fault) {
        lock(&self.faults).add(f);
    }

    /// Removes every injected fault (the end of a simulated outage).
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Invalidates every issued token (as if they had expired).
    pub fn expire_tokens(&self) {
        lock(&self.tokens).clear();
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }

    /// The current attributes of a participant.
    pub fn attributes(&self, conversation: &str, participant: &str) -> Option<Map<String, Value>> {
        lock(&self.conversations)
            .get(conversation)
            .and_then(|ps| ps.iter().find(|p| p.id == participant))
            .map(|p| p.attributes.clone())
    }

    fn record(
        &self,
        conversation_id: String,
        target: &str,
        participant_id: Option<String>,
        body: Value,
        corr: &str,
    ) {
        lock(&self.received).push(Received {
            conversation_id,
            target: target.to_string(),
            participant_id,
            body,
            correlation_id: Some(corr.to_string()),
            at_ms: now_ms(),
        });
    }

    /// Token requests served (successful or not).
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    /// API requests served (everything under `/api/v2`).
    pub fn api_requests(&self) -> u64 {
        self.api_requests.load(Ordering::Relaxed)
    }
}

fn default_participants(conversation: &str) -> Vec<Participant> {
    let mk = |suffix: &str, purpose: &str| Participant {
        id: format!("{conversation}-{suffix}"),
        purpose: purpose.to_string(),
        attributes: Map::new(),
    };
    vec![mk("customer", "customer"), mk("agent", "agent")]
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn correlation(headers: &HeaderMap) -> String {
    headers
        .get(CORRELATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// A Genesys-shaped error response.
fn error(status: StatusCode, code: &str, message: &str, corr: &str) -> Response {
    let body = json!({
        "message": message, "code": code, "status": status.as_u16(),
        "contextId": corr, "details": [], "errors": [],
    });
    let mut resp = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(corr) {
        resp.headers_mut().insert(CORRELATION, v);
    }
    resp
}

fn not_found(what: &str, corr: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not.found",
        &format!("The requested {what} was not found."),
        corr,
    )
}

fn bad_request(message: &str, corr: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad.request", message, corr)
}

fn accepted(corr: &str) -> Response {
    let mut resp = StatusCode::ACCEPTED.into_response();
    if let Ok(v) = HeaderValue::from_str(corr) {
        resp.headers_mut().insert(CORRELATION, v);
    }
    resp
}

/// Builds the router over `state`.
pub fn router(state: Arc<MockState>) -> Router {
    let limit = state.cfg.max_body_bytes;
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v2/conversations/{id}", get(get_conversation))
        .route(
            "/api/v2/conversations/{id}/participants/{pid}/attributes",
            patch(patch_attributes),
        )
        .route("/api/v2/chat/conversations/{id}", patch(patch_context))
        .route("/mock/received", get(received))
        .route("/mock/stats", get(stats))
        .route("/mock/faults", post(add_fault).delete(clear_faults))
        .route("/mock/expire-tokens", post(expire_tokens))
        .route("/mock/conversations", post(seed))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Serves the mock on `listener` until the future is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<MockState>,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}

/// Starts the mock on `addr` (use port 0 for a free one) in the background; returns its address.
pub async fn spawn(addr: &str, cfg: MockConfig) -> std::io::Result<(SocketAddr, Arc<MockState>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let state = MockState::new(cfg);
    let s = state.clone();
    tokio::spawn(async move {
        if let Err(e) = serve(listener, s).await {
            tracing::error!(error = %e, "mock Genesys stopped");
        }
    });
    Ok((local, state))
}

async fn token(State(st): State<Arc<MockState>>, headers: HeaderMap, body: Bytes) -> Response {
    st.token_requests.fetch_add(1, Ordering::Relaxed);
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (status, axum::Json(json!({"error": error, "description": description, "error_description": description})))
            .into_response()
    };
    let form_ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_ok {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "content type must be application/x-www-form-urlencoded",
        );
    }
    let creds = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let expected = format!("{}:{}", st.cfg.client_id, st.cfg.client_secret);
    if creds.as_deref() != Some(expected.as_str()) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let grant: HashMap<String, String> = serde_urlencoded_pairs(&body);
    if grant.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let value = format!("mock-{}", uuid::Uuid::new_v4().simple());
    lock(&st.tokens).insert(value.clone(), Instant::now() + st.cfg.token_ttl);
    axum::Json(json!({"access_token": value, "token_type": "bearer", "expires_in": st.cfg.token_ttl.as_secs()}))
        .into_response()
}

/// Parses an `application/x-www-form-urlencoded` body (only what the token endpoint needs).
fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.replace('+', " "), v.replace('+', " ")))
        .collect()
}

/// Common front of every API handler: counting, bearer check, injected faults.
async fn front(
    st: &MockState,
    headers: &HeaderMap,
    conversation: &str,
) -> Result<String, Response> {
    st.api_requests.fetch_add(1, Ordering::Relaxed);
    let corr = correlation(headers);
    let fault = lock(&st.faults).take(Some(conversation));
    match fault {
        Some(FaultKind::RateLimit { retry_after }) => {
            let msg = format!(
                "Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
            );
            let mut resp = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too.many.requests.retry.after",
                &msg,
                &corr,
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return Err(resp);
        }
        Some(FaultKind::ServerError { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Err(error(
                status,
                "service.unavailable",
                "The service is currently unavailable",
                &corr,
            ));
        }
        Some(FaultKind::Slow { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await
        }
        Some(FaultKind::Drop) => {
            // Promise a body, then fail it: the client sees the connection cut mid-response.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("dropped by fault injection"))
            });
            let mut resp = Response::new(Body::from_stream(stream));
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(64u32));
            return Err(resp);
        }
        Some(FaultKind::Unauthorized) => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
                &corr,
            ));
        }
        None => {}
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let valid = token.is_some_and(|t| {
        lock(&st.tokens)
            .get(t)
            .is_some_and(|exp| Instant::now() < *exp)
    });
    if !valid {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials.",
            &corr,
        ));
    }
    Ok(corr)
}

fn conversation_exists(st: &MockState, id: &str) -> bool {
    let mut convs = lock(&st.conversations);
    if convs.contains_key(id) {
        return true;
    }
    if st.cfg.strict {
        return false;
    }
    convs.insert(id.to_string(), default_participants(id));
    true
}

async fn get_conversation(
    State(st): State<Arc<MockState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let corr = match front(&st, &headers, &id).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    if !conversation_exists(&st, &id) {
        return not_found("conversation", &corr);
    }
    let participants = lock(&st.conversations)
        .get(&id)
        .cloned()
        .unwrap_or_default();
    axum::Json(json!({"id": id, "participants": participants})).into_response()
}

async fn patch_attributes(
    State(st): State<Arc<MockState>>,
    Path((id, pid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let corr = match front(&st, &headers, &id).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let parsed: Option<Map<String, Value>> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("attributes").cloned())
        .and_then(|a| match a {
            Value::Object(m) if m.values().all(Value::is_string) => Some(m),
            _ => None,
        });
    let Some(attributes) = parsed else {
        return bad_request(
            "The request body must be {\"attributes\": {string: string}}.",
            &corr,
        );
    };
    if !conversation_exists(&st, &id) {
        return not_found("conversation", &corr);
    }
    {
        let mut convs = lock(&st.conversations);
        let Some(ps) = convs.get_mut(&id) else {
            return not_found("conversation", &corr);
        };
        // Outside strict mode any named participant exists (as a customer), like any conversation.
        if !st.cfg.strict && !ps.iter().any(|p| p.id == pid) {
            ps.push(Participant {
                id: pid.clone(),
                purpose: "customer".into(),
                attributes: Map::new(),
            });
        }
        let Some(p) = ps.iter_mut().find(|p| p.id == pid) else {
            return not_found("participant", &corr);
        };
        p.attributes.extend(attributes.clone());
    }
    st.record(
        id,
        "participant-attributes",
        Some(pid),
        json!({"attributes": attributes}),
        &corr,
    );
    accepted(&corr)
}

async fn patch_context(
    State(st): State<Arc<MockState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let corr = match front(&st, &headers, &id).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let parsed = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(|v| v.get("context").is_some_and(Value::is_object));
    let Some(body) = parsed else {
        return bad_request("The request body must be {\"context\": {…}}.", &corr);
    };
    if !conversation_exists(&st, &id) {
        return not_found("conversation", &corr);
    }
    st.record(id, "conversation-context", None, body, &corr);
    accepted(&corr)
}

#[derive(Deserialize)]
struct ReceivedQuery {
    #[serde(rename = "conversationId")]
    conversation_id: Option<String>,
}

async fn received(State(st): State<Arc<MockState>>, Query(q): Query<ReceivedQuery>) -> Response {
    let all = st.received();
    let list: Vec<Received> = match q.conversation_id {
        Some(c) => all.into_iter().filter(|r| r.conversation_id == c).collect(),
        None => all,
    };
    axum::Json(list).into_response()
}

async fn stats(State(st): State<Arc<MockState>>) -> Response {
    axum::Json(json!({
        "tokenRequests": st.token_requests(),
        "apiRequests": st.api_requests(),
        "received": lock(&st.received).len(),
    }))
    .into_response()
}

async fn add_fault(State(st): State<Arc<MockState>>, body: Bytes) -> Response {
    match Fault::from_json(&body) {
        Ok(f) => {
            st.add_fault(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, format!("bad fault: {e}")).into_response(),
    }
}

async fn clear_faults(State(st): State<Arc<MockState>>) -> Response {
    lock(&st.faults).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn expire_tokens(State(st): State<Arc<MockState>>) -> Response {
    st.expire_tokens();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SeedBody {
    id: String,
    #[serde(default)]
    participants: Option<Vec<SeedParticipant>>,
}

#[derive(Deserialize)]
struct SeedParticipant {
    id: String,
    purpose: String,
}

async fn seed(State(st): State<Arc<MockState>>, axum::Json(b): axum::Json<SeedBody>) -> Response {
    match b.participants {
        Some(ps) => {
            let list: Vec<(&str, &str)> = ps
                .iter()
                .map(|p| (p.id.as_str(), p.purpose.as_str()))
                .collect();
            st.seed_conversation_with(&b.id, &list);
        }
        None => {
            st.seed_conversation(&b.id);
        }
    }
    StatusCode::CREATED.into_response()
}
