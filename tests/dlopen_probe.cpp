// Loads libtapegrad at run time, as a plugin host or Python's ctypes would, and
// calls two functions that read thread-local state. Not linked with tapegrad.
// Usage: dlopen_probe <path to libtapegrad.so>; exit status 0 when all went well.
#include <dlfcn.h>

#include <cstddef>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <library>\n", argv[0]);
        return 2;
    }
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        std::fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    // tg::GradMode::enabled() and tg::memory::cached_bytes()
    auto grad_enabled = reinterpret_cast<bool (*)()>(dlsym(lib, "_ZN2tg8GradMode7enabledEv"));
    auto cached_bytes = reinterpret_cast<std::size_t (*)()>(dlsym(lib, "_ZN2tg6memory12cached_bytesEv"));
    if (!grad_enabled || !cached_bytes) {
        std::fprintf(stderr, "dlsym: %s\n", dlerror());
        return 1;
    }
    if (!grad_enabled() || cached_bytes() != 0) {
        std::fprintf(stderr, "unexpected thread-local state after loading\n");
        return 1;
    }
    return 0;
}
