//! Work spread over every core: renders, compression and parsing are
//! CPU-bound and independent per document.
//!
//! The work runs on rayon's pool, whose threads live as long as the
//! process: state kept per thread (regex caches, allocator arenas) is made
//! once per core, not once per batch as it would be with threads spawned
//! for each call.

use rayon::prelude::*;

/// Maps `f` over `items` on every core, in order.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    /// Below this many jobs handing them over costs more than it saves.
    const MIN_JOBS: usize = 4;
    if items.len() < MIN_JOBS || rayon::current_num_threads() < 2 {
        return items.iter().map(f).collect();
    }
    items.par_iter().map(f).collect()
}
