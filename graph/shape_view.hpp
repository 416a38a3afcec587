#pragma once
// ShapeView: what Tensor::shape() returns, a read-only view of the sizes stored
// inside the tensor (no copy, no allocation).
//
// Lifetime: the view points into the tensor's own storage. It stays valid while
// that storage lives and is not replaced (set_data, Module::to); keep a Shape
// (`Shape s = t.shape();`) to hold the sizes beyond that, or past the tensor.
// Holding it in `auto` is fine within a statement or a block where the tensor lives.
#include <cstddef>
#include <vector>

namespace tg {

using Shape = std::vector<std::size_t>;

class ShapeView {
public:
    using value_type = std::size_t;
    using const_iterator = const std::size_t*;
    using iterator = const_iterator;

    constexpr ShapeView() = default;
    constexpr ShapeView(const std::size_t* data, std::size_t size) : data_(data), size_(size) {}

    constexpr std::size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr const std::size_t* data() const { return data_; }
    constexpr const std::size_t* begin() const { return data_; }
    constexpr const std::size_t* end() const { return data_ + size_; }
    constexpr std::size_t operator[](std::size_t i) const { return data_[i]; }
    constexpr std::size_t front() const { return data_[0]; }
    constexpr std::size_t back() const { return data_[size_ - 1]; }

    /// A copy of the sizes that owns them.
    Shape to_shape() const { return Shape(begin(), end()); }
    operator Shape() const { return to_shape(); }

    friend bool operator==(ShapeView a, ShapeView b) {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (a.data_[i] != b.data_[i]) return false;
        return true;
    }
    // (and, rewritten by C++20, Shape == ShapeView and both !=)
    friend bool operator==(ShapeView a, const Shape& b) { return a == ShapeView(b.data(), b.size()); }

private:
    const std::size_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tg
