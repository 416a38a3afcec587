#pragma once
// The memory behind tensors and graph nodes (internal).
//
// Note [caching allocator]
// ------------------------
// A training step allocates the same blocks every time: one buffer per
// activation and per gradient, one TensorImpl and one Node per op. Given to
// malloc and back each step, large buffers go through mmap/munmap or heap
// trimming, and every first touch of a page is a page fault (a 1 MB activation
// is 256 faults, each several microseconds on a virtual machine); small ones pay
// malloc's general path. So freed blocks are kept per thread in free lists by
// size class (16-byte steps up to 1 KiB, then four classes per power of two)
// and handed out again. Large blocks are 64-byte aligned (whole cache lines,
// AVX-512).
//
// A thread's cache is bounded by what the thread itself allocated. Each thread
// counts the bytes it allocated and has not freed (never below zero); a freed
// block joins the cache only while that count covers it, otherwise it goes back
// to malloc. So a thread that frees tensors other threads made (a consumer in a
// pipeline) does not hoard them: its cache never holds more than it took from
// malloc itself, while one thread allocating and freeing its own blocks caches
// them all as before. There is also a hard cap, kMaxCachedBytes, and a thread
// that has exited caches nothing.
//
// The cache is an ordinary thread_local (the general-dynamic model, one TLS
// lookup per call): the initial-exec model, slightly cheaper, takes room from
// the static TLS block, which a library loaded at run time (dlopen, Python's
// ctypes) may not find.
#include <cstddef>
#include <new>

namespace tg::memory {

/// A block of at least `bytes` bytes (never null; throws std::bad_alloc).
void* allocate(std::size_t bytes);
/// Give back a block from allocate(bytes), with the same byte count.
void deallocate(void* p, std::size_t bytes) noexcept;
/// Bytes held in this thread's cache (for tests and diagnostics).
std::size_t cached_bytes() noexcept;
/// Bytes this thread allocated and has not freed itself, the bound on its
/// cache (for tests and diagnostics; see Note [caching allocator]).
std::size_t owned_bytes() noexcept;
/// Return this thread's cached blocks to malloc.
void release_cached() noexcept;

/// std::allocator replacement over allocate/deallocate, for xtensor storage
/// and std::allocate_shared.
template <class T>
struct CachingAllocator {
    using value_type = T;
    CachingAllocator() noexcept = default;
    template <class U>
    CachingAllocator(const CachingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(memory::allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { memory::deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const CachingAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const CachingAllocator<U>&) const noexcept { return false; }
};

}  // namespace tg::memory
