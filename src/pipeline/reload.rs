//! Hot reload of the masking rules, fail-closed.
//!
//! Triggers: a change in the rules directory (watched, debounced), SIGHUP, `POST /api/rules/reload`.
//! A new ruleset is compiled and its own examples (`rules test`) run before it goes live; any
//! problem keeps the old ruleset live, is logged with file:line and rule id (never example
//! values), counted in metrics and shown in `/readyz`. The switch is one atomic pointer swap:
//! an event loads the ruleset once, so it is masked and audited with exactly one version.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use notify::{RecursiveMode, Watcher};

use crate::masking::{LoadError, Ruleset, examples};
use crate::rule_dir::{self, KeyPolicy};

use super::handler::Handler;

/// Reloads a handler's rules from a directory.
pub struct Reloader {
    dir: PathBuf,
    handler: Arc<Handler>,
    /// One reload at a time; the last failure for `/readyz`.
    last_error: Mutex<Option<String>>,
    serial: tokio::sync::Mutex<()>,
}

impl Reloader {
    /// A reloader for `handler`'s rules from `dir`.
    pub fn new(dir: PathBuf, handler: Arc<Handler>) -> Arc<Reloader> {
        crate::metrics::ruleset(handler.rules.load().version(), None);
        Arc::new(Reloader {
            dir,
            handler,
            last_error: Mutex::new(None),
            serial: tokio::sync::Mutex::new(()),
        })
    }

    /// The last reload failure, while the old rules stay live (`None` after a success).
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Compiles and tests the directory's rules, then swaps them in. Returns the live version.
    pub async fn reload_now(&self, trigger: &str) -> Result<String, String> {
        let _one = self.serial.lock().await;
        let dir = self.dir.clone();
        let compiled = tokio::task::spawn_blocking(move || compile(&dir))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        let old = self.handler.rules.load_full();
        let result = match compiled {
            Ok(new) if new.version() == old.version() => Ok(old.version().to_string()),
            Ok(new) => {
                let version = new.version().to_string();
                self.handler.rules.store(Arc::new(new));
                crate::metrics::ruleset(&version, Some(old.version()));
                tracing::info!(trigger, old = old.version(), new = %version, "masking rules reloaded");
                Ok(version)
            }
            Err(why) => {
                tracing::error!(
                    trigger,
                    live = old.version(),
                    problems = %why,
                    "masking rules NOT reloaded; the previous rules stay live"
                );
                Err(why)
            }
        };
        crate::metrics::reload(result.is_ok());
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = result.as_ref().err().cloned();
        result
    }

    /// Listens for SIGHUP and, when `files`, watches the directory, until the returned task is
    /// aborted.
    pub fn watch(self: &Arc<Self>, files: bool) -> Result<tokio::task::JoinHandle<()>, String> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(16);
        let watcher = if files {
            let mut w = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
                if ev.is_ok_and(|e| !e.kind.is_access()) {
                    let _ = tx.try_send(());
                }
            })
            .map_err(|e| format!("cannot watch the rules directory: {e}"))?;
            w.watch(&self.dir, RecursiveMode::NonRecursive)
                .map_err(|e| format!("cannot watch {}: {e}", self.dir.display()))?;
            Some(w)
        } else {
            drop(tx);
            None
        };
        let me = self.clone();
        Ok(tokio::spawn(async move {
            let _keep = watcher;
            #[cfg(unix)]
            let mut hup =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            loop {
                #[cfg(unix)]
                let hangup = async {
                    match hup.as_mut() {
                        Some(h) => h.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let hangup = std::future::pending::<Option<()>>();
                let trigger = tokio::select! {
                    Some(()) = rx.recv() => "file change",
                    _ = hangup => "SIGHUP",
                };
                if trigger == "file change" {
                    // An editor writes a file in several steps: wait for quiet, then reload once.
                    while let Ok(Some(())) =
                        tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
                    {
                    }
                }
                let _ = me.reload_now(trigger).await;
            }
        }))
    }
}

#[async_trait]
impl crate::admin::Reload for Reloader {
    async fn reload(&self) -> Result<String, String> {
        self.reload_now("admin API").await
    }
}

/// Loads and tests a ruleset; the error lists every problem by file:line and rule id.
fn compile(dir: &std::path::Path) -> Result<Ruleset, String> {
    let rs = rule_dir::load(dir, KeyPolicy::Required).map_err(|e| match e {
        LoadError::Invalid(problems) => problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        e => e.to_string(),
    })?;
    let run = examples::run(&rs);
    if !run.failures.is_empty() {
        let listed: Vec<String> = run
            .failures
            .iter()
            .map(|f| {
                let what = if f.expected_match {
                    "an example that should match did not"
                } else {
                    "an example that should be ignored matched"
                };
                format!("{}: rule `{}`: {what}", f.at, f.rule)
            })
            .collect();
        return Err(format!("rules test failed: {}", listed.join("; ")));
    }
    Ok(rs)
}
