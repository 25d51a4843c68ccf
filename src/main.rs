//! The `escalation-masker` binary: parse arguments, hand them to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    escalation_masker::cli::run(escalation_masker::cli::Cli::parse())
}
