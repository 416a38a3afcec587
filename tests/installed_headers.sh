#!/usr/bin/env bash
# What a user gets from `meson install`: install into a scratch directory, then
# compile and run a program that includes every public header (tapegrad.hpp, the
# opt-in xtensor bridge, tg::dist's header) against the installed files only.
# Catches a header that includes one that is not installed.
#   installed_headers.sh BUILD_DIR CXX
set -euo pipefail
build=$1
cxx=${2:-c++}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --quiet >/dev/null
include=$(dirname "$(find "$dest" -path '*/include/tapegrad/tapegrad.hpp' | head -1)")/..
lib=$(dirname "$(find "$dest" -name 'libtapegrad.so' | head -1)")
cat > "$dest/user.cpp" <<'CPP'
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/graph/xtensor.hpp>
#include <cstdio>
int main() {
    tg::nn::Linear fc(3, 2);
    tg::Tensor y = fc(tg::ones({4, 3}));
    std::printf("%zu %zu\n", y.shape()[0], y.shape()[1]);
    return y.shape()[0] == 4 && y.shape()[1] == 2 ? 0 : 1;
}
CPP
headers=$(cd "$include" && find tapegrad -name '*.hpp' | sort)
for h in $headers; do echo "#include <$h>"; done > "$dest/every_header.cpp"
echo 'int main() {}' >> "$dest/every_header.cpp"
flags=(-std=c++20 -I"$include" $(pkg-config --cflags fmt xtensor 2>/dev/null || true))
"$cxx" "${flags[@]}" -fsyntax-only "$dest/every_header.cpp"
"$cxx" "${flags[@]}" "$dest/user.cpp" -o "$dest/user" -L"$lib" -ltapegrad $(pkg-config --libs fmt) -Wl,-rpath,"$lib"
"$dest/user"
echo "installed headers: $(echo "$headers" | wc -l) compile, and a program built on them runs"
