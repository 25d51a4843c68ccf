//! `escalation-masker demo`.
use std::process::ExitCode;

use super::DemoArgs;

pub(super) fn run(_args: &DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}
