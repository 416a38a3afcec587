// batch_norm and embedding ops.
#include <cmath>

#include "helpers.hpp"

using namespace tg;
using tg::test::check_grad;
using tg::test::check_gradgrad;
using tg::test::rnd;

TEST_CASE("norm: batch_norm training values and running statistics") {
    // two channels, batch of 4 ([N, C] layout)
    const Tensor x = tensor({{1, 10}, {2, 20}, {3, 30}, {4, 40}}, {DType::f64});
    Tensor rm = zeros({2}, {DType::f64});
    Tensor rv = ones({2}, {DType::f64});
    const Tensor w = tensor({2, 1}, {DType::f64});
    const Tensor b = tensor({0, 5}, {DType::f64});
    const Tensor y = batch_norm(x, rm, rv, w, b, true, 0.1, 0.0);
    // channel 0: mean 2.5, biased var 1.25
    const double s = std::sqrt(1.25);
    CHECK(y.at({0, 0}) == doctest::Approx(2 * (1 - 2.5) / s));
    CHECK(y.at({3, 0}) == doctest::Approx(2 * (4 - 2.5) / s));
    CHECK(y.at({0, 1}) == doctest::Approx((10 - 25) / (10 * s) + 5));
    // running stats: 0.9 r + 0.1 s with the unbiased variance (1.25 * 4/3 = 5/3)
    CHECK(rm.at({0}) == doctest::Approx(0.25));
    CHECK(rm.at({1}) == doctest::Approx(2.5));
    CHECK(rv.at({0}) == doctest::Approx(0.9 + 0.1 * 5.0 / 3.0));
    CHECK(rv.at({1}) == doctest::Approx(0.9 + 0.1 * 500.0 / 3.0));
    // eval uses the running statistics
    const Tensor e = batch_norm(x, rm, rv, w, b, false, 0.1, 1e-5);
    CHECK(e.at({1, 0}) == doctest::Approx(2 * (2 - 0.25) / std::sqrt(rv.at({0}) + 1e-5)));
    CHECK(e.at({1, 1}) == doctest::Approx((20 - 2.5) / std::sqrt(rv.at({1}) + 1e-5) + 5));
    CHECK(rm.at({0}) == doctest::Approx(0.25));  // eval leaves them alone
}

TEST_CASE("norm: batch_norm normalises each channel of an image batch") {
    const Tensor x = rnd({4, 3, 5, 5}, -3, 7, 81);
    const Tensor y = batch_norm(x, {}, {}, {}, {}, true);
    const Tensor m = mean(y, {0, 2, 3});
    const Tensor v = mean(square(y), {0, 2, 3});
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(std::abs(m.at({c})) < 1e-10);
        CHECK(v.at({c}) == doctest::Approx(1.0).epsilon(1e-4));
    }
}

TEST_CASE("norm: batch_norm gradcheck in training mode (1-D, 2-D), eval, and second order") {
    const Tensor x2 = rnd({3, 2, 3, 4}, -1, 1, 91);
    const Tensor w = rnd({2}, 0.5, 1.5, 92);
    const Tensor b = rnd({2}, -1, 1, 93);
    check_grad([](const std::vector<Tensor>& in) { return batch_norm(in[0], {}, {}, in[1], in[2], true); }, {x2, w, b},
               "batch_norm 2d train");
    const Tensor x1 = rnd({5, 3}, -1, 1, 94);
    const Tensor w1 = rnd({3}, 0.5, 1.5, 95);
    check_grad([](const std::vector<Tensor>& in) { return batch_norm(in[0], {}, {}, in[1], {}, true); }, {x1, w1},
               "batch_norm 1d train");
    const Tensor x3 = rnd({4, 3, 6}, -1, 1, 96);
    check_grad([](const std::vector<Tensor>& in) { return batch_norm(in[0], {}, {}, {}, {}, true); }, {x3},
               "batch_norm [N, C, L] train");
    const Tensor rm = rnd({2}, -1, 1, 97), rv = rnd({2}, 0.5, 2, 98);
    check_grad([&](const std::vector<Tensor>& in) { return batch_norm(in[0], rm, rv, in[1], in[2], false); },
               {x2, w, b}, "batch_norm eval");
    check_gradgrad([](const std::vector<Tensor>& in) { return batch_norm(in[0], {}, {}, in[1], {}, true); }, {x1, w1},
                   "batch_norm train, second order");
}

TEST_CASE("norm: batch_norm errors") {
    CHECK_THROWS_AS(batch_norm(zeros({4}), {}, {}, {}, {}, true), ShapeError);
    CHECK_THROWS_AS(batch_norm(zeros({1, 3}), {}, {}, {}, {}, true), ShapeError);  // one value per channel
    try {
        batch_norm(zeros({4, 3}), {}, {}, zeros({2}), {}, true);
        FAIL("expected an error");
    } catch (const ShapeError& e) {
        CHECK(std::string(e.what()).find("weight has shape (2)") != std::string::npos);
    }
}

TEST_CASE("embedding: lookup values, repeated indices, gradcheck, errors") {
    const Tensor w = tensor({{0, 1}, {10, 11}, {20, 21}}, {DType::f64, true});
    const Tensor idx = tensor({{2, 0}, {2, 1}}, {DType::f64});
    const Tensor e = embedding(w, idx);
    REQUIRE(e.shape() == Shape{2, 2, 2});
    CHECK(e.to_vector() == std::vector<double>{20, 21, 0, 1, 20, 21, 10, 11});
    sum(e).backward();
    CHECK(w.grad().to_vector() == std::vector<double>{1, 1, 1, 1, 2, 2});  // row 2 used twice
    const Tensor w2 = rnd({5, 3}, -1, 1, 101);
    check_grad([](const std::vector<Tensor>& in) { return embedding(in[0], std::vector<std::int64_t>{4, 1, 4, 0}); },
               {w2}, "embedding");
    check_gradgrad(
        [](const std::vector<Tensor>& in) { return square(embedding(in[0], std::vector<std::int64_t>{4, 1, 4}, {3})); },
        {w2}, "embedding^2");
    CHECK(embedding(w.detach(), scalar(1)).to_vector() == std::vector<double>{10, 11});
    CHECK_THROWS_AS(embedding(w, tensor({3.0})), ShapeError);
    CHECK_THROWS_AS(embedding(w, tensor({0.5})), ShapeError);
    try {
        embedding(w, std::vector<std::int64_t>{0, -1});
        FAIL("expected an error");
    } catch (const ShapeError& e2) {
        CHECK(std::string(e2.what()).find("index -1 (position 1)") != std::string::npos);
    }
}

TEST_CASE("embedding: an index outside int64's range or not a number is refused before any cast") {
    using doctest::Contains;
    const Tensor w = zeros({3, 2});
    // casting 1e30 to int64 is undefined behaviour: the error must name the index as given
    CHECK_THROWS_WITH_AS(embedding(w, tensor({1.0, 1e30}, {DType::f64})),
                         Contains("embedding: index 1e+30 at flat position 1 of the float64 indices (2) is out of range"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(embedding(w, tensor({-1e30}, {DType::f64})), Contains("index -1e+30"), ShapeError);
    CHECK_THROWS_WITH_AS(embedding(w, tensor({std::nan("")})), Contains("index nan at flat position 0"), ShapeError);
    CHECK_THROWS_WITH_AS(embedding(w, tensor({INFINITY})), Contains("index inf"), ShapeError);
    CHECK_THROWS_WITH_AS(embedding(w, tensor({3.0})), Contains("index 3 at flat position 0"), ShapeError);
}
