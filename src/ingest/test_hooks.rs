//! Faults the end-to-end tests inject, in debug builds only: a panic while
//! ingesting a named file (`BULLETIND_TEST_PANIC_ON`), an ingest stuck on
//! one (`BULLETIND_TEST_STALL_ON`), and the process killed between
//! recording a rejection and moving the file
//! (`BULLETIND_TEST_EXIT_BEFORE_QUARANTINE_MOVE`).

#[cfg(debug_assertions)]
pub fn before_parse(name: &str) {
    if std::env::var("BULLETIND_TEST_PANIC_ON").is_ok_and(|v| v == name) {
        panic!("test hook: panic while ingesting {name}");
    }
    if std::env::var("BULLETIND_TEST_STALL_ON").is_ok_and(|v| v == name) {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

#[cfg(debug_assertions)]
pub fn before_quarantine_move(name: &str) {
    if std::env::var("BULLETIND_TEST_EXIT_BEFORE_QUARANTINE_MOVE").is_ok_and(|v| v == name) {
        // As abrupt as kill -9: no destructors, no flush.
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
pub fn before_parse(_name: &str) {}

#[cfg(not(debug_assertions))]
pub fn before_quarantine_move(_name: &str) {}
