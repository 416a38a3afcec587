#pragma once
// Element types a tensor can hold. float is the default (fast); double is for
// precision work such as gradcheck. Ops never mix them silently: see check_same_dtype.
//
// int64 and bool hold data that carries no gradient: class labels, indices
// (gather, index_select, embedding, cross_entropy's targets), masks (the
// comparisons' results, where, masked_fill) and counters (BatchNorm's
// num_batches_tracked). They cannot require grad, and arithmetic and every other
// differentiable op refuse them with a DTypeError naming the op (check_float):
// convert with .to(DType::f32) first. README.md's "Data in and out" lists what
// each dtype supports.
#include <cstddef>
#include <cstdint>

namespace tg {

enum class DType : std::uint8_t { f32, f64, i64, boolean };

constexpr const char* dtype_name(DType d) {
    switch (d) {
        case DType::f32: return "float32";
        case DType::f64: return "float64";
        case DType::i64: return "int64";
        case DType::boolean: return "bool";
    }
    return "unknown";
}

/// The spelling of d in C++ source: "f32", "f64", "i64", "boolean" (for error messages).
constexpr const char* dtype_enum_name(DType d) {
    switch (d) {
        case DType::f32: return "f32";
        case DType::f64: return "f64";
        case DType::i64: return "i64";
        case DType::boolean: return "boolean";
    }
    return "unknown";
}

/// float32 or float64: the dtypes that arithmetic and gradients work on.
constexpr bool is_floating(DType d) { return d == DType::f32 || d == DType::f64; }

/// Bytes per element.
constexpr std::size_t element_size(DType d) {
    switch (d) {
        case DType::f32: return 4;
        case DType::f64: return 8;
        case DType::i64: return 8;
        case DType::boolean: return 1;
    }
    return 0;
}

}  // namespace tg
