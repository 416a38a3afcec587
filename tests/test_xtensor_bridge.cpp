// graph/xtensor.hpp: tensors seen as xtensor expressions without copying, and
// tensors made from xtensor expressions (a copy).
#include <cstdint>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include <tapegrad/graph/xtensor.hpp>

#include "helpers.hpp"

using namespace tg;
using doctest::Contains;

TEST_CASE("xtensor bridge: as_xtensor adapts the tensor's memory with its shape") {
    const Tensor t = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    auto v = as_xtensor<float>(t);
    CHECK(v.dimension() == 2);
    CHECK(v.shape()[0] == 2);
    CHECK(v.shape()[1] == 3);
    CHECK(&v(0, 0) == std::as_const(t).data<float>());  // no copy
    CHECK(v(1, 2) == 6.0f);
    CHECK(xt::sum(as_xtensor<float>(t))() == doctest::Approx(21));
    const xt::xarray<float> col = xt::view(v, xt::all(), 1);
    CHECK(col(0) == 2.0f);
    CHECK(col(1) == 5.0f);
    CHECK_THROWS_AS(as_xtensor<double>(t), DTypeError);
}

TEST_CASE("xtensor bridge: a write through as_xtensor_mut is seen by the tensor and counted") {
    Tensor t = zeros({2, 2}, {DType::f64});
    const std::uint32_t v0 = t.version();
    auto m = as_xtensor_mut<double>(t);
    CHECK(t.version() == v0 + 1);
    m(1, 0) = 4.5;
    m += 1.0;  // an xtensor expression assigned in place
    CHECK(t.to_vector() == std::vector<double>{1, 1, 5.5, 1});
    CHECK(t.at({1, 0}) == 5.5);
}

TEST_CASE("xtensor bridge: from_xtensor copies any expression, keeping or converting the dtype") {
    xt::xarray<double> a = {{1.5, 2}, {3, 4}, {5, 6}};
    Tensor t = from_xtensor(a);
    CHECK(t.dtype() == DType::f64);
    CHECK(t.shape() == Shape{3, 2});
    CHECK(t.to_vector() == std::vector<double>{1.5, 2, 3, 4, 5, 6});
    a(0, 0) = 100;  // a copy
    CHECK(t.at({0, 0}) == 1.5);

    // a lazy expression (evaluated row-major), converted to float32
    Tensor e = from_xtensor(xt::transpose(a) * 2.0, {DType::f32});
    CHECK(e.dtype() == DType::f32);
    CHECK(e.shape() == Shape{2, 3});
    CHECK(e.to_vector<float>() == std::vector<float>{200, 6, 10, 4, 8, 12});

    CHECK(from_xtensor(xt::xarray<std::int64_t>{7, -8}).dtype() == DType::i64);
    CHECK(from_xtensor(xt::xarray<bool>{true, false}).to_vector<bool>() == std::vector<bool>{true, false});
    Tensor leaf = from_xtensor(a, {DType::f64, true});
    CHECK(leaf.requires_grad());
}

TEST_CASE("xtensor bridge: round trip tensor -> xtensor -> tensor keeps values and shape") {
    const Tensor t = randn({3, 1, 4}, {DType::f64});
    const Tensor back = from_xtensor(as_xtensor<double>(t));
    CHECK(back.shape() == t.shape());
    CHECK(back.to_vector() == t.to_vector());
    CHECK(!back.same(t));
    const Tensor s = scalar(2.5, {DType::f64});  // rank 0
    const Tensor s2 = from_xtensor(as_xtensor<double>(s));
    CHECK(s2.dim() == 0);
    CHECK(s2.item() == 2.5);
}
