#pragma once
// Element types a tensor can hold. float is the default (fast); double is for
// precision work such as gradcheck. Ops never mix them silently: see check_same_dtype.
#include <cstdint>

namespace tg {

enum class DType : std::uint8_t { f32, f64 };

constexpr const char* dtype_name(DType d) { return d == DType::f32 ? "float32" : "float64"; }

}  // namespace tg
