//! Proves the parse path is heap-free (ARCHITECTURE.md, "Invariants"):
//! framing a captured first flight, parsing its ClientHello, asking
//! `requests_ocsp()` and walking every accessor and iterator performs no
//! allocation at all, and neither does any way of failing to parse.
//!
//! A counting global allocator does the proving. The count is per thread, so
//! the other tests the harness runs in parallel cannot disturb it.

#[allow(dead_code)] // only `exercise` is needed here
#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::hint::black_box;
use std::path::Path;

use stapler::codec::{split_handshake, split_record, ClientHello, MAX_PLAINTEXT_LEN};

thread_local! {
    /// Allocations (including reallocations) made by this thread so far.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// `System`, plus a per-thread count of every call that can take memory.
struct Counting;

fn count_one() {
    // A const-initialised `Cell<u64>` needs no lazy setup and no destructor,
    // so touching it here cannot itself allocate or recurse. `try_with`
    // because this may run while the thread's locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: the GlobalAlloc contract is met by `System`, to which every call is
// forwarded unchanged with the caller's own arguments; the only addition is
// bumping a thread-local counter, which neither allocates nor unwinds. This
// is the one `unsafe` in the project: the library itself forbids it, and a
// global allocator cannot be written without it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded with the caller's guarantees about `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with
        // `layout`, as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns what it returned and how many allocations it made.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    let after = ALLOCATIONS.with(Cell::get);
    (value, after - before)
}

/// Every capture, read before anything is counted.
fn captures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello");
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 12, "captures missing");
    files
}

/// The whole path for one capture: record, message, hello, every accessor.
fn parse_all(capture: &[u8]) -> (bool, targets::HelloSummary) {
    let (record, _) = split_record(capture, MAX_PLAINTEXT_LEN)
        .expect("valid record")
        .expect("whole record");
    let (message, _) = split_handshake(record.fragment)
        .expect("valid message")
        .expect("whole message");
    let hello = ClientHello::parse(message.body).expect("valid hello");
    (hello.requests_ocsp(), targets::exercise(&hello))
}

#[test]
fn the_counter_sees_allocations() {
    // Otherwise every zero below would prove nothing.
    let (_, n) = allocations_in(|| black_box(Vec::<u8>::with_capacity(black_box(64))));
    assert!(n >= 1, "the counting allocator is not in use");
    let (_, n) = allocations_in(|| black_box(String::from("x")).repeat(100));
    assert!(n >= 2);
}

#[test]
fn parsing_every_capture_allocates_nothing() {
    let captures = captures();
    let mut ocsp = 0;
    for (name, bytes) in &captures {
        let input = black_box(&bytes[..]);
        let ((requests_ocsp, summary), n) = allocations_in(|| black_box(parse_all(input)));
        assert_eq!(n, 0, "{name}: {n} allocations");
        assert!(
            summary.extensions > 0 && summary.cipher_suites > 0,
            "{name}"
        );
        ocsp += usize::from(requests_ocsp);
    }
    // Not vacuous: the OCSP branch of the accessors ran too.
    assert!(ocsp > 0);
}

#[test]
fn the_largest_hellos_allocate_nothing() {
    // 64 KiB hellos with thousands of unknown extensions or key shares: the
    // duplicate checks outgrow their inline list and switch to a bit set,
    // which lives on the stack.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz_regressions");
    let bodies: Vec<_> = ["unknown-extensions", "key-shares"]
        .map(|what| fs::read(dir.join(format!("client_hello-quadratic-{what}.bin"))).unwrap())
        .into();
    for body in &bodies {
        let input = black_box(&body[..]);
        let (summary, n) = allocations_in(|| {
            let hello = ClientHello::parse(input).expect("valid hello");
            black_box(targets::exercise(&hello))
        });
        assert_eq!(n, 0, "{n} allocations");
        assert!(summary.extensions > 0);
    }
}

#[test]
fn failing_to_parse_allocates_nothing() {
    for (name, bytes) in captures() {
        let (record, _) = split_record(&bytes, MAX_PLAINTEXT_LEN).unwrap().unwrap();
        let (message, _) = split_handshake(record.fragment).unwrap().unwrap();
        let body = message.body;
        // Every truncation of the body, of the message and of the record:
        // each fails (or, cut after the compression methods, is a valid
        // hello without extensions) without touching the heap.
        let ((), n) = allocations_in(|| {
            for end in 0..body.len() {
                if let Ok(hello) = ClientHello::parse(black_box(&body[..end])) {
                    black_box(targets::exercise(&hello));
                }
            }
            for end in 0..message.encoded.len() {
                let _ = black_box(split_handshake(black_box(&message.encoded[..end])));
            }
            for end in 0..bytes.len() {
                let _ = black_box(split_record(black_box(&bytes[..end]), MAX_PLAINTEXT_LEN));
            }
            // And a corrupted length inside the extensions block.
            let mut corrupt = [0u8; 4096];
            corrupt[..body.len()].copy_from_slice(body);
            let at = body.len() - 3;
            corrupt[at] ^= 0xff;
            let _ = black_box(ClientHello::parse(black_box(&corrupt[..body.len()])));
        });
        assert_eq!(n, 0, "{name}: {n} allocations");
    }
}
