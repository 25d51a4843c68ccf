//! Per-conversation lanes: events of one conversation are handled one after another, in the
//! order they were received; events of different conversations run concurrently.
//!
//! Each received event takes a [`Ticket`] that holds the completion of the conversation's previous
//! event and a completion of its own for the next one. A ticket's completion fires when it is
//! dropped, whatever became of the event — delivered, dead-lettered, abandoned at shutdown, left
//! to a partition's new owner, or its task aborted — so a lane can never wait on an event that
//! will not finish. A lane with no event in it leaves no entry behind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::lock;

/// The lanes of one worker.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Per conversation: the newest ticket's sequence number and its completion.
    tails: HashMap<String, (u64, oneshot::Receiver<()>)>,
    next_seq: u64,
}

/// An event's place in its conversation's lane.
#[derive(Debug)]
pub(crate) struct Ticket {
    lanes: Arc<Lanes>,
    conversation: String,
    seq: u64,
    before: Option<oneshot::Receiver<()>>,
    done: Option<oneshot::Sender<()>>,
}

impl Lanes {
    /// Queues an event of `conversation` behind the ones already in its lane.
    pub(crate) fn enter(self: &Arc<Self>, conversation: &str) -> Ticket {
        let (tx, rx) = oneshot::channel();
        let mut inner = lock(&self.inner);
        inner.next_seq += 1;
        let seq = inner.next_seq;
        let before = inner
            .tails
            .insert(conversation.to_string(), (seq, rx))
            .map(|(_, rx)| rx);
        Ticket {
            lanes: self.clone(),
            conversation: conversation.to_string(),
            seq,
            before,
            done: Some(tx),
        }
    }

    /// Conversations with an event in their lane now.
    #[cfg(test)]
    pub(crate) fn busy(&self) -> usize {
        lock(&self.inner).tails.len()
    }
}

impl Ticket {
    /// Waits until the conversation's previous event is finished (or will never finish).
    pub(crate) async fn turn(&mut self) {
        if let Some(before) = self.before.take() {
            // An error means the predecessor's ticket was dropped: its turn is over either way.
            let _ = before.await;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        drop(self.done.take());
        let mut inner = lock(&self.lanes.inner);
        if inner
            .tails
            .get(&self.conversation)
            .is_some_and(|(s, _)| *s == self.seq)
        {
            inner.tails.remove(&self.conversation);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Whether `t`'s turn has come within a short while.
    async fn has_turn(t: &mut Ticket) -> bool {
        tokio::time::timeout(Duration::from_millis(50), t.turn())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn events_of_one_conversation_wait_for_each_other_and_others_do_not() {
        let lanes = Arc::new(Lanes::default());
        let mut a1 = lanes.enter("a");
        let mut a2 = lanes.enter("a");
        let mut b1 = lanes.enter("b");
        assert!(has_turn(&mut a1).await);
        assert!(has_turn(&mut b1).await, "another conversation goes at once");
        let mut a2_waits = Box::pin(async move {
            a2.turn().await;
            a2
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut a2_waits)
                .await
                .is_err(),
            "a2 waits for a1"
        );
        drop(a1);
        let a2 = tokio::time::timeout(Duration::from_millis(500), a2_waits)
            .await
            .expect("a2's turn after a1 finished");
        assert_eq!(lanes.busy(), 2);
        drop((a2, b1));
        assert_eq!(lanes.busy(), 0, "empty lanes leave no entry");
    }

    #[tokio::test]
    async fn an_abandoned_event_never_blocks_its_lane() {
        let lanes = Arc::new(Lanes::default());
        // The first event is abandoned before its turn even came (revoked partition, shutdown).
        let first = lanes.enter("c");
        let mut second = lanes.enter("c");
        let mut third = lanes.enter("c");
        drop(first);
        assert!(has_turn(&mut second).await);
        // The second one's task is aborted mid-way: its ticket is dropped with the task.
        let task = tokio::spawn(async move {
            second.turn().await;
            std::future::pending::<()>().await;
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        task.abort();
        let _ = task.await;
        assert!(
            has_turn(&mut third).await,
            "an aborted task releases the lane"
        );
        drop(third);
        assert_eq!(lanes.busy(), 0);
    }

    #[tokio::test]
    async fn many_events_keep_their_order() {
        let lanes = Arc::new(Lanes::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..50 {
            let mut t = lanes.enter(if i % 2 == 0 { "even" } else { "odd" });
            let order = order.clone();
            tasks.push(tokio::spawn(async move {
                t.turn().await;
                // Later events finish faster: only the lane keeps them in order.
                tokio::time::sleep(Duration::from_millis(50 - i)).await;
                lock(&order).push(i);
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let order = lock(&order).clone();
        for parity in [0, 1] {
            let seen: Vec<u64> = order.iter().copied().filter(|i| i % 2 == parity).collect();
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            assert_eq!(seen, sorted, "order within a conversation");
        }
        assert_eq!(lanes.busy(), 0);
    }
}
