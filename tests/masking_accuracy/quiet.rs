//! Masking under `catch_unwind` without printing the panic's message: a slicing panic quotes the
//! string it was slicing, and that string may hold a card number or other personal data. One hook for
//! the whole test binary, installed once, so test threads never race on `take_hook`/`set_hook`.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static MASKING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; `None` when it panicked. The panic's location is printed, its message never.
pub fn catch<R>(f: impl FnOnce() -> R) -> Option<R> {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if MASKING.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                eprintln!(
                    "masking panicked at {at} (message withheld: it may quote personal data)"
                );
            } else {
                previous(info);
            }
        }));
    });
    MASKING.with(|m| m.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    MASKING.with(|m| m.set(false));
    result.ok()
}
