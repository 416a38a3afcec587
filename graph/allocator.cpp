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
struct Cache {
    FreeBlock* lists[kClasses];
    std::size_t bytes;
    std::size_t owned;  // bytes allocated here and not freed here: the bound on `bytes`
    bool registered;    // the Flusher of this thread exists
    bool dead;          // the thread is exiting: no more caching
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
    ca.bytes = 0;
}

struct Flusher {
    ~Flusher() {
        Cache& ca = this_cache();
        flush(ca);
        ca.dead = true;
    }
};

[[gnu::noinline]] void register_flusher(Cache& ca) {
    thread_local Flusher flusher;
    (void)flusher;
    ca.registered = true;
}

}  // namespace

void* allocate(std::size_t bytes) {
    const SizeClass c = size_class(bytes);
    if (c.index >= kClasses) return system_allocate(c);
    Cache& ca = this_cache();
    if (FreeBlock* b = ca.lists[c.index]) {
        ca.lists[c.index] = b->next;
        ca.bytes -= c.bytes;
        ca.owned += c.bytes;
        return b;
    }
    void* p = system_allocate(c);
    ca.owned += c.bytes;
    return p;
}

void deallocate(void* p, std::size_t bytes) noexcept {
    if (!p) return;
    const SizeClass c = size_class(bytes);
    if (c.index >= kClasses) return std::free(p);  // too large to cache: not counted either
    Cache& ca = this_cache();
    // A block beyond what this thread owns was made by another thread, which goes
    // on allocating: keeping it here would grow this cache without bound.
    const bool foreign = ca.owned < c.bytes;
    ca.owned = foreign ? 0 : ca.owned - c.bytes;
    if (foreign || ca.dead || ca.bytes + c.bytes > kMaxCachedBytes) {
        std::free(p);
        return;
    }
    if (!ca.registered) register_flusher(ca);
    auto* b = static_cast<FreeBlock*>(p);
    b->next = ca.lists[c.index];
    ca.lists[c.index] = b;
    ca.bytes += c.bytes;
}

std::size_t cached_bytes() noexcept { return this_cache().bytes; }

std::size_t owned_bytes() noexcept { return this_cache().owned; }

void release_cached() noexcept { flush(this_cache()); }

}  // namespace tg::memory
