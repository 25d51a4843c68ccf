//! Group commit: appends from many concurrent events are written in one transaction.
//!
//! Each store append is durable before it returns (an fsync or a synchronous commit), which caps a
//! one-record-per-transaction worker at a few hundred events per second. [`GroupCommit`] queues
//! appends to one writer task that takes everything waiting (up to a batch limit), appends it as
//! one batch and answers each caller with its own records. Durability per caller is unchanged: a
//! caller still hears back only after its records are committed. When a combined batch fails, each
//! caller's part is retried alone so one bad record cannot fail its neighbours. Continuity upserts
//! (one per delivered event) are grouped the same way, in their own transactions.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::record::{AuditRecord, NewRecord};
use super::store::{AuditError, AuditStore, ContinuityEntry, PastDelivery, Query};

type Reply<T> = oneshot::Sender<Result<T, AuditError>>;

/// Queued work: appends to the chained log, or continuity upserts (kept beside the log).
enum Job {
    Append(Vec<NewRecord>, Reply<Vec<AuditRecord>>),
    Remember(Vec<ContinuityEntry>, Reply<()>),
}

impl Job {
    fn len(&self) -> usize {
        match self {
            Job::Append(b, _) => b.len(),
            Job::Remember(b, _) => b.len(),
        }
    }
}

/// An [`AuditStore`] that groups concurrent appends (and continuity upserts) into shared
/// transactions.
pub struct GroupCommit {
    inner: Arc<dyn AuditStore>,
    tx: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Wraps `inner`; at most `max_batch` records go into one transaction (a larger single append
    /// still goes whole). Needs a Tokio runtime.
    pub fn new(inner: Arc<dyn AuditStore>, max_batch: usize) -> GroupCommit {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(writer(inner.clone(), rx, max_batch.max(1)));
        GroupCommit { inner, tx }
    }

    async fn submit<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, AuditError> {
        let stopped = || AuditError::Database("the audit writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.tx.send(job(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn writer(inner: Arc<dyn AuditStore>, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut records = jobs[0].len();
        while records < max_batch {
            match rx.try_recv() {
                Ok(job) => {
                    records += job.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let (mut appends, mut remembers) = (Vec::new(), Vec::new());
        for job in jobs {
            match job {
                Job::Append(b, r) => appends.push((b, r)),
                Job::Remember(b, r) => remembers.push((b, r)),
            }
        }
        flush(&*inner, appends).await;
        flush(&*inner, remembers).await;
    }
}

type StoreFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, AuditError>> + Send + 'a>>;

/// A kind of grouped write: how a batch of it is written, and how one caller's share is taken off
/// the end of the combined result.
trait Grouped: Clone + Send + Sync + Sized {
    type Out: Send;
    fn write<'a>(store: &'a dyn AuditStore, batch: &'a [Self]) -> StoreFuture<'a, Self::Out>;
    fn take_tail(all: &mut Self::Out, n: usize) -> Self::Out;
}

impl Grouped for NewRecord {
    type Out = Vec<AuditRecord>;
    fn write<'a>(store: &'a dyn AuditStore, batch: &'a [Self]) -> StoreFuture<'a, Self::Out> {
        store.append(batch)
    }
    fn take_tail(all: &mut Self::Out, n: usize) -> Self::Out {
        all.split_off(all.len().saturating_sub(n))
    }
}

impl Grouped for ContinuityEntry {
    type Out = ();
    fn write<'a>(store: &'a dyn AuditStore, batch: &'a [Self]) -> StoreFuture<'a, ()> {
        store.remember_conversations(batch)
    }
    fn take_tail(_: &mut (), _: usize) {}
}

/// One transaction for every queued write of a kind; each caller gets its own share back. When
/// the combined batch fails, each caller's part is retried alone so one bad entry fails only its
/// own caller.
async fn flush<I: Grouped>(inner: &dyn AuditStore, mut jobs: Vec<(Vec<I>, Reply<I::Out>)>) {
    if jobs.len() <= 1 {
        if let Some((batch, reply)) = jobs.pop() {
            let _ = reply.send(I::write(inner, &batch).await);
        }
        return;
    }
    let all: Vec<I> = jobs.iter().flat_map(|(b, _)| b.iter().cloned()).collect();
    match I::write(inner, &all).await {
        Ok(mut out) => {
            for (batch, reply) in jobs.into_iter().rev() {
                let own = I::take_tail(&mut out, batch.len());
                let _ = reply.send(Ok(own));
            }
        }
        Err(_) => {
            for (batch, reply) in jobs {
                let _ = reply.send(I::write(inner, &batch).await);
            }
        }
    }
}

#[async_trait]
impl AuditStore for GroupCommit {
    async fn append(&self, batch: &[NewRecord]) -> Result<Vec<AuditRecord>, AuditError> {
        self.submit(|r| Job::Append(batch.to_vec(), r)).await
    }
    async fn query(&self, q: &Query) -> Result<Vec<AuditRecord>, AuditError> {
        self.inner.query(q).await
    }
    async fn scan(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, AuditError> {
        self.inner.scan(after, limit).await
    }
    async fn head(&self) -> Result<Option<(i64, String)>, AuditError> {
        self.inner.head().await
    }
    async fn seq_range(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Option<(i64, i64)>, AuditError> {
        self.inner.seq_range(since, until).await
    }
    async fn delivery(&self, event_id: &str) -> Result<Option<PastDelivery>, AuditError> {
        self.inner.delivery(event_id).await
    }
    async fn last_conversation(
        &self,
        customer_key: &str,
    ) -> Result<Option<(String, i64)>, AuditError> {
        self.inner.last_conversation(customer_key).await
    }
    async fn remember_conversations(&self, batch: &[ContinuityEntry]) -> Result<(), AuditError> {
        self.submit(|r| Job::Remember(batch.to_vec(), r)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Outcome, SqliteStore, verify};

    fn rec(i: u32) -> NewRecord {
        crate::audit::record::sample(i, &format!("conv-{}", i % 7), Outcome::Delivered)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_share_transactions_and_each_caller_gets_its_own_records() {
        let dir = tempfile::tempdir().unwrap();
        let inner: Arc<dyn AuditStore> =
            Arc::new(SqliteStore::open(&dir.path().join("a.db")).await.unwrap());
        let store = Arc::new(GroupCommit::new(inner.clone(), 64));
        let mut tasks = Vec::new();
        for i in 0..400 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let got = store.append(&[rec(i)]).await.unwrap();
                assert_eq!(got.len(), 1);
                assert_eq!(got[0].record.event_id, format!("evt-{i}"));
                got[0].seq
            }));
        }
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.unwrap());
        }
        seqs.sort();
        assert_eq!(seqs, (1..=400).collect::<Vec<i64>>());
        let all = inner.scan(0, 1000).await.unwrap();
        let v = verify(&all);
        assert!(v.broken.is_none());
        assert_eq!(v.records, 400);
    }

    #[tokio::test]
    async fn a_bad_record_fails_only_its_own_caller() {
        let dir = tempfile::tempdir().unwrap();
        let inner: Arc<dyn AuditStore> =
            Arc::new(SqliteStore::open(&dir.path().join("a.db")).await.unwrap());
        let store = Arc::new(GroupCommit::new(inner.clone(), 64));
        let mut bad = rec(1);
        bad.at = "yesterday".into();
        let (r0, r2) = ([rec(0)], [rec(2)]);
        let bad = [bad];
        let (a, b, c) = tokio::join!(store.append(&r0), store.append(&bad), store.append(&r2));
        assert!(a.is_ok() && c.is_ok());
        assert!(matches!(b, Err(AuditError::Invalid(_))));
        assert_eq!(inner.scan(0, 10).await.unwrap().len(), 2);
    }
}
