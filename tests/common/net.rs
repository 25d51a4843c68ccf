//! A TCP forwarder the tests can cut: in front of a broker it plays "the broker went away and came
//! back on the same address" — every connection reset, new ones closed at once — while the broker
//! behind it keeps its data (the test broker's storage is in memory, so restarting it would lose
//! the topics; cutting its network is the same outage to a client, without that loss).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A cuttable forwarder from `addr` to an upstream address.
pub struct Cuttable {
    /// `127.0.0.1:PORT` to connect to instead of the upstream.
    pub addr: String,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

impl Cuttable {
    /// Listens on a free port now (so the port can be advertised before the upstream starts) and
    /// forwards each connection to `upstream`.
    pub async fn start(upstream: String) -> Cuttable {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut c = conns2.lock().unwrap_or_else(|p| p.into_inner());
                c.retain(|h| !h.is_finished());
                c.push(task.abort_handle());
            }
        })
        .abort_handle();
        Cuttable {
            addr,
            up,
            conns,
            accept,
        }
    }

    /// Resets every connection and refuses new ones until [`Cuttable::restore`].
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self
            .conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            c.abort();
        }
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Cuttable {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}
