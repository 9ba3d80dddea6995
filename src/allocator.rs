//! How the process allocates memory.

/// Makes every allocation of 128 KiB or more a mapping of its own, given
/// back to the system when freed.
///
/// The server moves large buffers through many threads: 1 MiB pieces of
/// stored files, import batches, pages of answers. glibc's allocator raises
/// its mapping threshold each time such a buffer is freed, after which the
/// buffers come from per-thread arenas that keep what they held: resident
/// memory then grows with the number of threads that have touched a large
/// buffer, not with the work in hand (measured: a server sending a 67 MB
/// bundle peaked 13 MiB higher than one sending a 2 MB bundle; with the
/// threshold fixed, 2 MiB). A fixed threshold keeps the peak to what is in
/// use; a mapping per large buffer costs little beside the work that fills
/// it.
///
/// Call it first thing in `main`, before any thread is started.
pub fn release_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; callers call
    // it first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
