//! The worker's HTTP side, on its own port (`--admin-listen`, default 127.0.0.1:9090):
//!
//! ```text
//! GET  /healthz            alive                                   (open)
//! GET  /readyz             broker, Genesys token, audit store usable; 503 + reasons otherwise
//! GET  /metrics            Prometheus text format                  (open; bind to a private address)
//! GET  /api/audit          audit records by conversation/time/outcome   (auditor token)
//! GET  /api/audit/verify   the chain verification, as `audit verify`    (auditor token)
//! POST /api/rules/reload   reload the masking rules, fail-closed        (operator token)
//! GET  /                   the auditor page (static, shipped in the binary)
//! ```
//! Every response carries a strict Content-Security-Policy and `nosniff`; API answers are
//! `no-store`. CORS answers only the configured console origins. The page calls the API with the
//! auditor's own token: no Genesys credential ever reaches a browser.

pub mod auth;
pub mod cors;

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::extract::{Query as QueryParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::audit::{self, AuditStore, Outcome, Query};
use auth::{Denied, Role, Tokens};

/// One readiness check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `kafka`, `genesys`, `audit`, `rules`, `gate`.
    pub name: String,
    /// Usable.
    pub ok: bool,
    /// Why not (or a note, such as a failed rule reload with the old rules still live).
    pub detail: String,
}

/// What `/readyz` asks.
#[async_trait]
pub trait Readiness: Send + Sync {
    /// Runs every check (each bounded in time by the implementation).
    async fn checks(&self) -> Vec<Check>;
}

/// What `POST /api/rules/reload` does.
#[async_trait]
pub trait Reload: Send + Sync {
    /// Reloads the rules fail-closed; the new version, or why the old one stays live.
    async fn reload(&self) -> Result<String, String>;
}

/// Everything the handlers need.
#[derive(Clone)]
pub struct AdminState {
    /// The audit log auditors read.
    pub audit: Arc<dyn AuditStore>,
    /// Token hashes.
    pub tokens: Tokens,
    /// The Prometheus handle (`None`: `/metrics` answers 404).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Readiness checks.
    pub readiness: Arc<dyn Readiness>,
    /// Rule reloading (`None`: 404).
    pub reload: Option<Arc<dyn Reload>>,
    /// The last readiness answer, reused for a moment so probes cannot hammer the dependencies.
    pub ready_cache: ReadyCache,
}

/// Readiness results of the last two seconds (one check runs at a time).
#[derive(Clone, Default)]
pub struct ReadyCache(Arc<tokio::sync::Mutex<Option<Snapshot>>>);

/// When the checks ran, and what they said.
type Snapshot = (std::time::Instant, Vec<Check>);

impl ReadyCache {
    async fn get(&self, readiness: &dyn Readiness) -> Vec<Check> {
        let mut slot = self.0.lock().await;
        if let Some((at, checks)) = slot.as_ref()
            && at.elapsed() < std::time::Duration::from_secs(2)
        {
            return checks.clone();
        }
        let checks = readiness.checks().await;
        *slot = Some((std::time::Instant::now(), checks.clone()));
        checks
    }
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The router, with security headers and (when origins are configured) CORS.
pub fn router(state: AdminState, cors_origins: &[String]) -> Result<Router, String> {
    let mut app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/audit", get(audit_query))
        .route("/api/audit/verify", get(audit_verify))
        .route("/api/rules/reload", post(rules_reload))
        .route("/", get(page_html))
        .route("/app.js", get(page_js))
        .route("/app.css", get(page_css))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    if let Some(cors) = cors::layer(cors_origins)? {
        app = app.layer(cors);
    }
    Ok(app)
}

/// Serves the admin API on `addr` until the task is dropped; returns the bound address.
pub async fn spawn(
    addr: &str,
    state: AdminState,
    cors_origins: &[String],
) -> Result<SocketAddr, String> {
    let app = router(state, cors_origins)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "admin server stopped");
        }
    });
    Ok(local)
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `Some(refusal)` when the request lacks a token for `role`.
fn refuse(state: &AdminState, headers: &HeaderMap, role: Role) -> Option<Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match state.tokens.check(value, role) {
        Ok(()) => None,
        Err(Denied::Unauthenticated) => {
            let mut resp =
                json_response(StatusCode::UNAUTHORIZED, json!({"error": "unauthorized"}));
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Some(resp)
        }
        Err(Denied::Forbidden) => Some(json_response(
            StatusCode::FORBIDDEN,
            json!({"error": "forbidden"}),
        )),
    }
}

/// Anyone (a load balancer's probe) learns whether each dependency is usable; the reasons, which
/// name brokers, topics and rule files, need a token.
async fn readyz(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    let checks = state.ready_cache.get(&*state.readiness).await;
    let ready = checks.iter().all(|c| c.ok);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let detailed = refuse(&state, &headers, Role::Auditor).is_none();
    let checks: Vec<serde_json::Value> = checks
        .iter()
        .map(|c| {
            if detailed {
                json!(c)
            } else {
                json!({"name": c.name, "ok": c.ok})
            }
        })
        .collect();
    json_response(status, json!({"ready": ready, "checks": checks}))
}

async fn metrics(State(state): State<AdminState>) -> Response {
    match &state.metrics {
        Some(h) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            )],
            h.render(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /api/audit` parameters (the CLI's `audit query` flags).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuditParams {
    conversation_id: Option<String>,
    event_id: Option<String>,
    since: Option<String>,
    until: Option<String>,
    outcome: Option<String>,
    limit: Option<usize>,
}

/// Largest page the API returns.
const MAX_LIMIT: usize = 1000;

async fn audit_query(
    State(state): State<AdminState>,
    headers: HeaderMap,
    params: Result<QueryParams<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Some(resp) = refuse(&state, &headers, Role::Auditor) {
        return resp;
    }
    let bad = |msg: String| json_response(StatusCode::BAD_REQUEST, json!({"error": msg}));
    let Ok(QueryParams(p)) = params else {
        return bad(
            "unknown or malformed parameter; use conversationId, eventId, since, until, outcome, limit"
                .into(),
        );
    };
    let time = |t: &Option<String>| t.as_deref().map(audit::normalise_time).transpose();
    let (since, until) = match (time(&p.since), time(&p.until)) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    let outcome = match p.outcome.as_deref() {
        None => None,
        Some(o) => match Outcome::parse(o) {
            Some(o) => Some(o),
            None => {
                return bad(
                    "outcome must be delivered, duplicate, dead_lettered or blocked".into(),
                );
            }
        },
    };
    let limit = p.limit.unwrap_or(100).clamp(1, MAX_LIMIT);
    let q = Query {
        conversation_id: p.conversation_id,
        event_id: p.event_id,
        since,
        until,
        outcome,
        limit,
    };
    match state.audit.query(&q).await {
        Ok(records) => json_response(
            StatusCode::OK,
            json!({"records": records, "count": records.len(), "limit": limit}),
        ),
        Err(e) => {
            tracing::error!(error = %e, "audit API query failed");
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "the audit store is unavailable"}),
            )
        }
    }
}

async fn audit_verify(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(resp) = refuse(&state, &headers, Role::Auditor) {
        return resp;
    }
    match audit::verify_store(&*state.audit, None).await {
        Ok(v) => json_response(
            StatusCode::OK,
            json!({"intact": v.broken.is_none(), "verification": v}),
        ),
        Err(e) => {
            tracing::error!(error = %e, "audit API verification failed");
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "the audit store is unavailable"}),
            )
        }
    }
}

async fn rules_reload(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(resp) = refuse(&state, &headers, Role::Operator) {
        return resp;
    }
    let Some(reload) = &state.reload else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "not available"}));
    };
    match reload.reload().await {
        Ok(version) => json_response(
            StatusCode::OK,
            json!({"reloaded": true, "version": version}),
        ),
        Err(why) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"reloaded": false, "error": why}),
        ),
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

async fn page_html() -> Response {
    asset("text/html; charset=utf-8", include_str!("page/index.html"))
}

async fn page_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    )
}

async fn page_css() -> Response {
    asset("text/css; charset=utf-8", include_str!("page/app.css"))
}
