//! Verifying a whole store page by page: the chain, the head marker and a published head. The
//! CLI (`audit verify`) and the audit API report the same result from here.

use std::collections::HashMap;

use serde::Serialize;

use super::record::{GENESIS, verify_from};
use super::store::{AuditError, AuditStore};

/// The outcome of [`verify_store`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreVerification {
    /// Records verified.
    pub records: u64,
    /// Sequence number of the last record (0 for an empty log).
    pub head_seq: i64,
    /// Hash of the last record (the genesis value for an empty log).
    pub head_hash: String,
    /// `None` when intact; otherwise what broke, starting with ` at record N: …` or `: …`.
    pub broken: Option<String>,
}

const PAGE: usize = 10_000;

/// Recomputes the chain over the whole store (bounded memory), checks the head marker, and — when
/// given — that a head published earlier (`seq`, `hash`) is still in the log unchanged.
pub async fn verify_store(
    store: &dyn AuditStore,
    expect: Option<&(i64, String)>,
) -> Result<StoreVerification, AuditError> {
    let (mut after, mut prev) = (0i64, GENESIS.to_string());
    let mut total = 0u64;
    let mut seen = HashMap::new();
    let result = |total, after, prev: &str, broken: Option<String>| StoreVerification {
        records: total,
        head_seq: after,
        head_hash: prev.to_string(),
        broken,
    };
    loop {
        let page = match store.scan(after, PAGE).await {
            Ok(p) => p,
            Err(AuditError::Corrupt { seq, message }) => {
                let why = format!(
                    " at record {seq}: the row is unreadable ({message}) ({total} record(s) verified before it)"
                );
                return Ok(result(total, after, &prev, Some(why)));
            }
            Err(e) => return Err(e),
        };
        if page.is_empty() {
            break;
        }
        if let Some((seq, _)) = expect
            && let Some(r) = page.iter().find(|r| r.seq == *seq)
        {
            seen.insert(r.seq, r.hash.clone());
        }
        let v = verify_from(after, &prev, &page);
        total += v.records;
        if let Some(b) = v.broken {
            let why = format!(
                " at record {}: {} ({} record(s) verified before it)",
                b.seq, b.reason, total
            );
            return Ok(result(total, after, &prev, Some(why)));
        }
        after = page.last().map_or(after, |r| r.seq);
        prev = v.head;
    }
    // The head marker written with every append must match the last record: removing records
    // from the end of the log leaves the marker pointing past it.
    let broken = match store.head().await? {
        Some((seq, hash)) if seq != after || hash != prev => Some(format!(
            " at record {}: the log ends at record {after} but its head marker says record {seq} \
             (records were removed from the end, or the marker was changed)",
            after.min(seq) + 1
        )),
        None if total > 0 => Some(format!(" at record {after}: the head marker is missing")),
        _ => check_expected(expect, &seen, after).map(|r| format!(": {r}")),
    };
    Ok(result(total, after, &prev, broken))
}

/// Checks a published head against the verified records: it must be one of them, unchanged.
pub(crate) fn check_expected(
    expect: Option<&(i64, String)>,
    seen: &HashMap<i64, String>,
    last: i64,
) -> Option<String> {
    let (seq, hash) = expect?;
    match seen.get(seq) {
        Some(h) if h == hash => None,
        Some(_) => Some(format!(
            "record {seq} no longer has the published hash (the log was rewritten from there)"
        )),
        None if *seq > last => Some(format!(
            "the log ends at record {last}, before the published head {seq} (records were removed from the end)"
        )),
        None => Some(format!(
            "record {seq} of the published head is not in the checked range"
        )),
    }
}
