// sort and topk (ops/sort.hpp): values and indices against hand-worked
// examples, stability, NaN placement as PyTorch, gradients and second
// derivatives in double, and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <tapegrad/tapegrad.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

TEST_CASE("sort: values and int64 indices along an axis, ascending and descending, stable") {
    const Tensor x = from_vector(std::vector<double>{3, 1, 2, 1, /**/ 0, -1, 5, 4}, {2, 4}, f64);
    const SortResult up = sort(x);
    check_values(up.values, {2, 4}, {1, 1, 2, 3, -1, 0, 4, 5});
    CHECK(up.indices.dtype() == DType::i64);
    CHECK(up.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 3, 2, 0, 1, 0, 3, 2});  // the two 1s keep their order
    const SortResult down = sort(x, -1, true);
    check_values(down.values, {2, 4}, {3, 2, 1, 1, 5, 4, 0, -1});
    CHECK(down.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 2, 1, 3, 2, 3, 0, 1});
    // along axis 0
    const SortResult cols = sort(x, 0);
    check_values(cols.values, {2, 4}, {0, -1, 2, 1, 3, 1, 5, 4});
    CHECK(cols.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1, 0, 0, 0, 0, 1, 1});
}

TEST_CASE("sort and topk: NaN sorts as the largest value, as in PyTorch") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Tensor x = from_vector(std::vector<double>{2, nan, -1}, {3}, f64);
    CHECK(sort(x).indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 0, 1});
    CHECK(sort(x, 0, true).indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 2});
    const SortResult top = topk(x, 1);
    CHECK(std::isnan(top.values.item()));  // never hidden
}

TEST_CASE("topk: the k largest or smallest, sorted, along any axis") {
    const Tensor x = from_vector(std::vector<double>{4, 9, 1, 7, /**/ 6, 2, 8, 3}, {2, 4}, f64);
    const SortResult big = topk(x, 2);
    check_values(big.values, {2, 2}, {9, 7, 8, 6});
    CHECK(big.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 3, 2, 0});
    const SortResult small = topk(x, 1, 0, false);
    check_values(small.values, {1, 4}, {4, 2, 1, 3});
    CHECK(small.indices.shape() == Shape{1, 4});
    CHECK(topk(x, 0).values.shape() == Shape{2, 0});
}

TEST_CASE("sort and topk: gradients go back to the chosen positions; second derivatives in double") {
    const Tensor x = rnd({3, 5}, -1, 1, 41);  // distinct values: the order does not change under small steps
    check_grad([](const std::vector<Tensor>& in) { return sort(in[0], 1, true).values; }, {x}, "sort");
    check_grad([](const std::vector<Tensor>& in) { return topk(in[0], 2, 0).values; }, {x}, "topk");
    check_gradgrad([](const std::vector<Tensor>& in) { return square(topk(in[0], 3).values); }, {x}, "topk squared");
    // the positions not chosen get zero
    const Tensor leaf = from_vector(std::vector<double>{1, 5, 3}, {3}, f64_leaf);
    sum(topk(leaf, 1).values).backward();
    check_values(leaf.grad(), {3}, {0, 1, 0});
}

TEST_CASE("sort and topk: errors name the op") {
    const Tensor x = zeros({2, 3});
    CHECK(shape_error_of([&] { topk(x, 4); }).find("topk: k = 4 is larger than the size 3") != std::string::npos);
    CHECK(shape_error_of([&] { sort(x, 2); }).find("sort") != std::string::npos);
    CHECK(shape_error_of([&] { sort(zeros({})); }).find("scalar") != std::string::npos);
    CHECK_THROWS_AS(sort(from_vector(std::vector<std::int64_t>{3, 1}, {2})), DTypeError);
}
