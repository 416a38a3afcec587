// Data in and out: spans over a tensor's values, copies in (from_span) and out
// (copy_to), and the shape view returned by Tensor::shape().
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "helpers.hpp"

// The umbrella header must not pull in xtensor (graph/xtensor.hpp is opt-in).
#ifdef XTENSOR_VERSION_MAJOR
#error "tapegrad.hpp includes xtensor"
#endif

using namespace tg;
using doctest::Contains;

TEST_CASE("data io: span<T>() views the tensor's own values without copying") {
    Tensor t = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    const std::span<const float> s = std::as_const(t).span<float>();
    CHECK(s.size() == 6);
    CHECK(s.data() == std::as_const(t).data<float>());  // the same memory
    CHECK(s[4] == 5.0f);
    const std::uint32_t v0 = t.version();
    {
        NoGradGuard no_grad;
        t.fill_(7);
    }
    CHECK(s[4] == 7.0f);             // sees the write: a view, not a copy
    CHECK(t.version() == v0 + 1);    // fill_ counted; reading through span() did not
    (void)std::as_const(t).span<float>();
    CHECK(t.version() == v0 + 1);
}

TEST_CASE("data io: mutable_span<T>() writes through and bumps the version counter") {
    Tensor t = zeros({3}, {DType::f64});
    const std::uint32_t v0 = t.version();
    std::span<double> m = t.mutable_span<double>();
    CHECK(t.version() == v0 + 1);
    m[1] = 2.5;
    CHECK(t.to_vector() == std::vector<double>{0, 2.5, 0});

    // a saved input written through the span: backward refuses (Note [version counter])
    Tensor w = from_vector(std::vector<double>{1, 2}, {2}, {DType::f64, true});
    Tensor x = from_vector(std::vector<double>{3, 4}, {2}, {DType::f64});
    Tensor y = sum(mul(w, x));
    x.mutable_span<double>()[0] = 10;
    CHECK_THROWS_AS(y.backward(), GraphError);
}

TEST_CASE("data io: span<T>() with the wrong element type is a DTypeError naming both") {
    const Tensor t = zeros({2});
    CHECK_THROWS_WITH_AS(t.span<double>(), "span: tensor holds float32 but span<float64>() was asked for", DTypeError);
    Tensor i = from_vector(std::vector<std::int64_t>{1, 2}, {2});
    CHECK_THROWS_AS(i.mutable_span<float>(), DTypeError);
    CHECK(std::as_const(i).span<std::int64_t>()[1] == 2);
    CHECK_THROWS_AS(Tensor().span<float>(), std::invalid_argument);
}

TEST_CASE("data io: from_span copies, keeps the span's dtype by default and converts on request") {
    std::vector<double> src{1.5, -2, 3, 4};
    Tensor t = from_span(std::span<const double>(src), {2, 2});
    CHECK(t.dtype() == DType::f64);
    CHECK(t.to_vector() == src);
    src[0] = 100;  // a copy: the tensor keeps its value
    CHECK(t.at({0, 0}) == 1.5);

    const std::array<float, 3> f{1, 2, 3};
    CHECK(from_span(std::span<const float>(f), {3}).dtype() == DType::f32);
    const std::int64_t ints[] = {5, -6};
    Tensor i = from_span(std::span<const std::int64_t>(ints), {2});
    CHECK(i.dtype() == DType::i64);
    CHECK(i.to_vector<std::int64_t>() == std::vector<std::int64_t>{5, -6});
    Tensor as_f32 = from_span(std::span<const double>(src), {4}, {DType::f32});
    CHECK(as_f32.dtype() == DType::f32);
    CHECK(as_f32.to_vector<float>() == std::vector<float>{100, -2, 3, 4});
    // a NaN is carried, never hidden; a NaN asked for as int64 is refused
    const double nan[] = {std::numeric_limits<double>::quiet_NaN()};
    CHECK(std::isnan(from_span(std::span<const double>(nan), {1}).item()));
    CHECK_THROWS_AS(from_span(std::span<const double>(nan), {1}, {DType::i64}), DTypeError);

    // a leaf that records, when asked
    Tensor leaf = from_span(std::span<const double>(src), {4}, {DType::f64, true});
    CHECK(leaf.requires_grad());
}

TEST_CASE("data io: from_span with a size that does not fill the shape is a ShapeError naming both") {
    const std::vector<float> v(5);
    CHECK_THROWS_WITH_AS(from_span(std::span<const float>(v), {2, 3}),
                         "from_span: 5 values cannot fill shape (2, 3) (6 elements)", ShapeError);
    CHECK(from_span(std::span<const float>(), {0, 3}).size() == 0);
}

TEST_CASE("data io: copy_to copies out, converting, and checks the destination's size") {
    const Tensor t = from_vector(std::vector<double>{1.75, -2.5, 3}, {3}, {DType::f64});
    std::vector<double> d(3);
    t.copy_to(std::span<double>(d));
    CHECK(d == std::vector<double>{1.75, -2.5, 3});
    std::vector<std::int64_t> i(3);
    t.copy_to(std::span<std::int64_t>(i));  // truncation toward zero, as to_vector<int64_t>()
    CHECK(i == std::vector<std::int64_t>{1, -2, 3});
    std::array<float, 2> small{};
    CHECK_THROWS_WITH_AS(t.copy_to(std::span<float>(small)),
                         "copy_to: the destination holds 2 values but the tensor of shape (3) has 3", ShapeError);
    const double nan[] = {std::numeric_limits<double>::quiet_NaN()};
    std::array<std::int64_t, 1> one{};
    CHECK_THROWS_AS(from_span(std::span<const double>(nan), {1}).copy_to(std::span<std::int64_t>(one)), DTypeError);
}

TEST_CASE("data io: shape() is a view safe to iterate and to hold while the tensor lives") {
    const Tensor t = zeros({2, 3, 4});
    auto it = t.shape().begin();  // with a Shape returned by value this iterator dangled
    CHECK(*it == 2);
    CHECK(*(it + 2) == 4);
    const ShapeView s = t.shape();
    CHECK(s.size() == 3);
    CHECK(!s.empty());
    CHECK(s.back() == 4);
    CHECK(s[1] == 3);
    CHECK(s.data() == t.shape().data());  // no copy: the sizes stored in the tensor
    std::size_t product = 1;
    for (std::size_t n : t.shape()) product *= n;
    CHECK(product == 24);

    // comparisons both ways, with Shape and with another view
    CHECK(t.shape() == Shape{2, 3, 4});
    CHECK(Shape{2, 3, 4} == t.shape());
    CHECK(t.shape() != Shape{2, 3});
    CHECK(Shape{2, 4, 3} != t.shape());
    CHECK(t.shape() == zeros({2, 3, 4}).shape());
    CHECK(t.shape() != zeros({2, 3, 5}).shape());
    CHECK(scalar(1).shape().empty());
    CHECK(scalar(1).shape() == Shape{});

    // converts to an owning Shape; shape_str and functions taking const Shape& accept it
    Shape copy = t.shape();
    copy.push_back(5);
    CHECK(copy == Shape{2, 3, 4, 5});
    CHECK(shape_str(t.shape()) == "(2, 3, 4)");
    CHECK(zeros(t.shape()).shape() == t.shape());
}

TEST_CASE("data io: a shape view follows set_data only while the storage is the same") {
    // The view's lifetime is the storage's: a Shape copy is what survives set_data.
    Tensor t = zeros({2, 3});
    const Shape kept = t.shape();
    {
        NoGradGuard no_grad;
        t.set_data(ones({2, 3}, {DType::f64}));
    }
    CHECK(t.shape() == kept);  // a fresh view of the new storage
    CHECK(t.dtype() == DType::f64);
}
