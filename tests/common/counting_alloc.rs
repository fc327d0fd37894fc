//! A global allocator that counts, per thread, the calls that take memory,
//! the bytes they ask for, and the bytes currently held. Test and bench
//! binaries include it with `#[path]` and install it with
//! `#[global_allocator] static A: counting_alloc::Counting = counting_alloc::Counting;`.
//!
//! Counts are per thread, so that other tests running in parallel, or
//! criterion's own bookkeeping on another thread, cannot disturb them.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Calls that took memory: alloc, alloc_zeroed and realloc.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    /// Bytes those calls asked for (a realloc counts its new size).
    static BYTES: Cell<u64> = const { Cell::new(0) };
    /// Bytes taken and not yet given back by this thread. Memory freed by
    /// another thread is subtracted there, so this can wrap; only
    /// differences taken on one thread mean anything.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// What this thread had done at one moment; subtract two to see what
/// happened in between.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub allocations: u64,
    pub bytes: u64,
    pub live: i64,
}

impl Snapshot {
    /// This thread's counts now.
    pub fn now() -> Self {
        Self {
            allocations: ALLOCATIONS.with(Cell::get),
            bytes: BYTES.with(Cell::get),
            live: LIVE.with(Cell::get),
        }
    }

    /// What happened between `earlier` and `self`.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            allocations: self.allocations - earlier.allocations,
            bytes: self.bytes - earlier.bytes,
            live: self.live - earlier.live,
        }
    }
}

/// `System`, counting.
pub struct Counting;

// A const-initialised `Cell` needs no lazy setup and no destructor, so
// touching one here cannot itself allocate or recurse. `try_with` because
// this may run while the thread's locals are being torn down.
fn took(bytes: usize) {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = BYTES.try_with(|n| n.set(n.get() + bytes as u64));
    let _ = LIVE.try_with(|n| n.set(n.get() + bytes as i64));
}

fn gave_back(bytes: usize) {
    let _ = LIVE.try_with(|n| n.set(n.get() - bytes as i64));
}

// SAFETY: every call is forwarded unchanged, with the caller's own
// arguments, to `System`, which meets the GlobalAlloc contract; the only
// addition is updating thread-local counters, which neither allocates nor
// unwinds. A global allocator cannot be written without `unsafe`; the
// library itself forbids it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        took(layout.size());
        // SAFETY: forwarded with the caller's guarantees about `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        took(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        gave_back(layout.size());
        took(new_size);
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with
        // `layout`, as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        gave_back(layout.size());
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
