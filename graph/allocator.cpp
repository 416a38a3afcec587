// Per-thread caching allocator. See Note [caching allocator] in allocator.hpp.
#include "allocator.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>

namespace tg::memory {

namespace {

constexpr std::size_t kSmallStep = 16;          // small classes: 16, 32, ... 1024 bytes
constexpr std::size_t kSmallMax = 1024;
constexpr std::size_t kSmallClasses = kSmallMax / kSmallStep;  // 64
constexpr std::size_t kLargeClasses = 4 * 48;   // four per power of two, up to 2^58 bytes
constexpr std::size_t kClasses = kSmallClasses + kLargeClasses;
constexpr std::size_t kAlign = 64;              // alignment of large blocks
constexpr std::size_t kMaxCachedBytes = std::size_t(1) << 30;

struct FreeBlock {
    FreeBlock* next;
};

/// Size class of a request, and the class's block size.
struct SizeClass {
    std::size_t index;
    std::size_t bytes;
};

inline SizeClass size_class(std::size_t bytes) {
    if (bytes <= kSmallMax) {
        const std::size_t k = bytes == 0 ? 0 : (bytes - 1) / kSmallStep;
        return {k, (k + 1) * kSmallStep};
    }
    // (1024, 2^58]: classes 2^e * {1.25, 1.5, 1.75, 2} for e >= 10
    const std::size_t e = std::bit_width(bytes - 1) - 1;  // 2^e < bytes <= 2^(e+1)
    if (e >= 10 + kLargeClasses / 4) return {kClasses, bytes};  // too large to cache
    const std::size_t quarter = std::size_t(1) << (e - 2);
    const std::size_t q = (bytes - (std::size_t(1) << e) + quarter - 1) / quarter;  // 1..4
    return {kSmallClasses + (e - 10) * 4 + (q - 1), (std::size_t(1) << e) + q * quarter};
}

// Trivially destructible, so that access needs no guard; the Flusher below
// empties it when the thread exits.
//
// The bound of Note [caching allocator] is kept as `held`, the bytes this thread
// took from malloc and has neither freed nor lost to another thread: the blocks
// in its lists plus those it handed out. The bytes it owns are `held - cached`,
// and a cache hit changes neither `held` nor, as it should, that difference.
// `limit` is kMaxCachedBytes while the Flusher exists and 0 before it is made or
// once the thread exits, so one comparison covers the cap and both cases.
struct Cache {
    FreeBlock* lists[kClasses];
    std::size_t cached;  // bytes in `lists`
    std::size_t held;    // cached + owned
    std::size_t limit;   // most bytes `lists` may hold now
    bool registered;     // the Flusher of this thread exists
    bool dead;           // the thread is exiting: no more caching
};

thread_local Cache cache{};

/// This thread's cache. GCC recomputes a thread-local's address (a TLS
/// descriptor call) at every use in a function, not once: taking it through an
/// empty asm makes it an ordinary pointer, computed once per call.
inline Cache& this_cache() noexcept {
    Cache* p = &cache;
    asm("" : "+r"(p));
    return *p;
}

void* system_allocate(const SizeClass& c) {
    void* p = c.bytes <= kSmallMax ? std::malloc(c.bytes) : std::aligned_alloc(kAlign, c.bytes);
    if (!p) throw std::bad_alloc();
    return p;
}

void flush(Cache& ca) noexcept {
    for (FreeBlock*& head : ca.lists) {
        while (head) {
            FreeBlock* next = head->next;
            std::free(head);
            head = next;
        }
    }
    ca.held -= ca.cached;
    ca.cached = 0;
}

struct Flusher {
    ~Flusher() {
        Cache& ca = this_cache();
        flush(ca);
        ca.dead = true;
        ca.limit = 0;
    }
};

/// Put a freed block on its list.
inline void keep(Cache& ca, void* p, SizeClass c) noexcept {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = ca.lists[c.index];
    ca.lists[c.index] = b;
    ca.cached += c.bytes;
}

// The slow paths below are out of line and tail-called, so that a cache hit
// (allocate) and a block that simply joins its list (deallocate) save no
// registers: seed-net makes and frees about 100 blocks per step.

/// allocate() on an empty list: a new block, counted as held.
[[gnu::noinline]] void* allocate_new(Cache& ca, SizeClass c) {
    void* p = system_allocate(c);
    ca.held += c.bytes;
    return p;
}

/// deallocate() when the fast check failed: the block is foreign, the cache is
/// full, or this thread has no Flusher yet (make it) or is exiting.
[[gnu::noinline]] void deallocate_slow(Cache& ca, void* p, SizeClass c) noexcept {
    // A block beyond what this thread owns was made by another thread, which goes
    // on allocating: keeping it here would grow this cache without bound.
    if (ca.held - ca.cached < c.bytes) {
        ca.held = ca.cached;  // owns nothing now
        return std::free(p);
    }
    if (!ca.dead && !ca.registered) {
        thread_local Flusher flusher;
        (void)flusher;
        ca.registered = true;
        ca.limit = kMaxCachedBytes;
    }
    if (ca.cached + c.bytes > ca.limit) {  // full, or exiting
        ca.held -= c.bytes;
        return std::free(p);
    }
    keep(ca, p, c);
}

}  // namespace

void* allocate(std::size_t bytes) {
    const SizeClass c = size_class(bytes);
    if (c.index >= kClasses) return system_allocate(c);
    Cache& ca = this_cache();
    FreeBlock* b = ca.lists[c.index];
    if (!b) return allocate_new(ca, c);
    ca.lists[c.index] = b->next;
    ca.cached -= c.bytes;  // owned grows by as much
    return b;
}

void deallocate(void* p, std::size_t bytes) noexcept {
    if (!p) return;
    const SizeClass c = size_class(bytes);
    if (c.index >= kClasses) return std::free(p);  // too large to cache: not counted either
    Cache& ca = this_cache();
    // owned (held - cached) covers the block, and the list has room for it
    if (ca.held - ca.cached < c.bytes || ca.cached + c.bytes > ca.limit) return deallocate_slow(ca, p, c);
    keep(ca, p, c);
}

std::size_t cached_bytes() noexcept { return this_cache().cached; }

std::size_t owned_bytes() noexcept {
    const Cache& ca = this_cache();
    return ca.held - ca.cached;
}

void release_cached() noexcept { flush(this_cache()); }

}  // namespace tg::memory
