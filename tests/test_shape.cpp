// Shape and indexing ops: forward values, gradchecks (including empty shapes),
// second derivatives through the scatter rules, and the no-aliasing rule.
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {
using V = const std::vector<Tensor>&;

/// 0, 1, ..., n-1 as a float64 tensor of the given shape.
Tensor iota(const Shape& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return reshape(arange(0, static_cast<double>(n), 1, f64), shape);
}

/// Gradcheck a unary shape op and check the result's shape; also a backward by hand.
void check_shape_op(const std::string& name, const std::function<Tensor(const Tensor&)>& op, const Shape& in,
                    const Shape& out) {
    INFO(name << " on " << shape_str(in));
    const Tensor x = rnd(in, -1, 1, 13);
    check_grad([&](V v) { return op(v[0]); }, {x}, name);
    Tensor gx = x.detach().requires_grad_();
    const Tensor y = op(gx);
    CHECK(y.shape() == out);
    if (!y.requires_grad()) return;  // a no-op returned its input (a leaf): nothing to run
    sum(mul(y, rnd(out, 0.5, 1.5, 3))).backward();
    REQUIRE(gx.grad().defined());
    CHECK(gx.grad().shape() == in);
}

}  // namespace

// ---- reshape family --------------------------------------------------------------

TEST_CASE("shape: reshape, flatten, squeeze and unsqueeze keep the row-major order") {
    const Tensor x = iota({2, 3});
    check_values(reshape(x, {3, -1}), {3, 2}, {0, 1, 2, 3, 4, 5});
    check_values(reshape(x, {-1}), {6}, {0, 1, 2, 3, 4, 5});
    check_values(reshape(x, {1, -1, 1}), {1, 6, 1}, {0, 1, 2, 3, 4, 5});
    check_values(reshape(x, {6}), {6}, {0, 1, 2, 3, 4, 5});
    check_values(reshape(scalar(4, f64), {1, 1}), {1, 1}, {4});
    check_values(reshape(tensor({4}, f64), {}), {}, {4});
    CHECK(reshape(zeros({0, 3}, f64), {3, -1}).shape() == Shape{3, 0});
    CHECK(reshape(zeros({0, 3}, f64), {-1, 3}).shape() == Shape{0, 3});
    const Tensor y = iota({2, 3, 4});
    CHECK(flatten(y).shape() == Shape{24});
    CHECK(flatten(y, 1).shape() == Shape{2, 12});
    CHECK(flatten(y, 0, 1).shape() == Shape{6, 4});
    CHECK(flatten(y, -2, -1).shape() == Shape{2, 12});
    CHECK(flatten(scalar(1, f64)).shape() == Shape{1});
    check_values(flatten(y, 1), {2, 12}, y.to_vector());
    const Tensor z = iota({1, 3, 1});
    check_values(squeeze(z), {3}, {0, 1, 2});
    check_values(squeeze(z, 0), {3, 1}, {0, 1, 2});
    check_values(squeeze(z, -1), {1, 3}, {0, 1, 2});
    check_values(squeeze(tensor({7}, f64)), {}, {7});
    check_values(unsqueeze(x, 0), {1, 2, 3}, x.to_vector());
    check_values(unsqueeze(x, 1), {2, 1, 3}, x.to_vector());
    check_values(unsqueeze(x, 2), {2, 3, 1}, x.to_vector());
    check_values(unsqueeze(x, -1), {2, 3, 1}, x.to_vector());
    check_values(unsqueeze(scalar(5, f64), 0), {1}, {5});
}

TEST_CASE("shape: gradcheck of reshape, flatten, squeeze and unsqueeze, including empty shapes") {
    check_shape_op("reshape -1", [](const Tensor& x) { return reshape(x, {-1, 2}); }, {3, 4}, {6, 2});
    check_shape_op("reshape", [](const Tensor& x) { return reshape(x, {4, 1, 3}); }, {2, 6}, {4, 1, 3});
    check_shape_op("reshape to rank 0", [](const Tensor& x) { return reshape(x, {}); }, {1, 1}, {});
    check_shape_op("reshape from rank 0", [](const Tensor& x) { return reshape(x, {1, -1}); }, {}, {1, 1});
    check_shape_op("reshape empty", [](const Tensor& x) { return reshape(x, {3, -1}); }, {0, 3}, {3, 0});
    check_shape_op("flatten", [](const Tensor& x) { return flatten(x, 1); }, {2, 3, 4}, {2, 12});
    check_shape_op("flatten all", [](const Tensor& x) { return flatten(x); }, {2, 3, 4}, {24});
    check_shape_op("flatten empty", [](const Tensor& x) { return flatten(x); }, {2, 0, 4}, {0});
    check_shape_op("squeeze", [](const Tensor& x) { return squeeze(x); }, {1, 3, 1, 2}, {3, 2});
    check_shape_op("squeeze axis", [](const Tensor& x) { return squeeze(x, -2); }, {3, 1, 2}, {3, 2});
    check_shape_op("squeeze empty", [](const Tensor& x) { return squeeze(x, 0); }, {1, 0}, {0});
    check_shape_op("unsqueeze", [](const Tensor& x) { return unsqueeze(x, 1); }, {3, 2}, {3, 1, 2});
    check_shape_op("unsqueeze end", [](const Tensor& x) { return unsqueeze(x, -1); }, {3, 2}, {3, 2, 1});
    check_shape_op("unsqueeze empty", [](const Tensor& x) { return unsqueeze(x, 0); }, {0, 2}, {1, 0, 2});
}

// ---- transpose and permute ---------------------------------------------------------

TEST_CASE("shape: transpose and permute values") {
    const Tensor x = iota({2, 3});
    check_values(transpose(x), {3, 2}, {0, 3, 1, 4, 2, 5});
    check_values(transpose(x, 0, 1), {3, 2}, {0, 3, 1, 4, 2, 5});
    check_values(transpose(x, -1, -2), {3, 2}, {0, 3, 1, 4, 2, 5});
    const Tensor y = iota({2, 3, 4});
    std::vector<double> t02, p201;
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 2; ++i) t02.push_back(12 * i + 4 * j + k);  // out[k][j][i] = y[i][j][k]
    check_values(transpose(y, 0, 2), {4, 3, 2}, t02);
    for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 3; ++c) p201.push_back(12 * b + 4 * c + a);  // out[a][b][c] = y[b][c][a]
    check_values(permute(y, {2, 0, 1}), {4, 2, 3}, p201);
    check_values(permute(y, {-1, 0, 1}), {4, 2, 3}, p201);
    check_values(transpose(y), {2, 4, 3}, permute(y, {0, 2, 1}).to_vector());
    // permute then its inverse is the identity
    check_values(permute(permute(y, {2, 0, 1}), {1, 2, 0}), {2, 3, 4}, y.to_vector());
}

TEST_CASE("shape: gradcheck of transpose and permute") {
    check_shape_op("transpose", [](const Tensor& x) { return transpose(x); }, {3, 4}, {4, 3});
    check_shape_op("transpose 3-D", [](const Tensor& x) { return transpose(x, 0, 2); }, {2, 3, 4}, {4, 3, 2});
    check_shape_op("transpose last two", [](const Tensor& x) { return transpose(x); }, {2, 3, 4}, {2, 4, 3});
    check_shape_op("permute", [](const Tensor& x) { return permute(x, {2, 0, 1}); }, {2, 3, 4}, {4, 2, 3});
    check_shape_op("permute 4-D", [](const Tensor& x) { return permute(x, {1, 3, 0, 2}); }, {2, 3, 1, 2},
                   {3, 2, 2, 1});
    check_shape_op("permute negative", [](const Tensor& x) { return permute(x, {-1, -3, -2}); }, {2, 3, 4},
                   {4, 2, 3});
    check_shape_op("permute empty", [](const Tensor& x) { return permute(x, {1, 0}); }, {0, 3}, {3, 0});
    check_shape_op("permute size-1", [](const Tensor& x) { return permute(x, {1, 0, 2}); }, {1, 3, 1}, {3, 1, 1});
}

// ---- slicing and indexing -------------------------------------------------------------

TEST_CASE("shape: slice with steps, negative and out-of-range bounds") {
    const Tensor x = iota({6});
    check_values(slice(x, 0, 1, 5, 2), {2}, {1, 3});
    check_values(slice(x, 0, -3, 6), {3}, {3, 4, 5});
    check_values(slice(x, 0, 0, -1), {5}, {0, 1, 2, 3, 4});
    check_values(slice(x, 0, -100, 100, 4), {2}, {0, 4});
    check_values(slice(x, -1, 5, 6), {1}, {5});
    check_values(slice(x, 0, 4, 2), {0}, {});
    check_values(slice(x, 0, -1, -3), {0}, {});
    const Tensor m = iota({2, 3});
    check_values(slice(m, 1, 0, 3, 2), {2, 2}, {0, 2, 3, 5});
    check_values(slice(m, -1, -2, 3), {2, 2}, {1, 2, 4, 5});
    check_values(slice(m, 0, 1, 2), {1, 3}, {3, 4, 5});
    const Tensor y = iota({2, 3, 4});
    check_values(slice(y, 1, 1, 3), {2, 2, 4}, {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23});
}

TEST_CASE("shape: slice with negative steps, as Python's list slicing") {
    // expected values printed by Python 3 for list(range(6))[start:stop:step]
    struct Case {
        std::int64_t start, stop, step;
        std::vector<double> expected;
    };
    const std::vector<Case> cases = {
        {5, -7, -1, {5, 4, 3, 2, 1, 0}}, {-1, -7, -1, {5, 4, 3, 2, 1, 0}}, {4, 1, -1, {4, 3, 2}},
        {4, 1, -2, {4, 2}},              {-2, 0, -3, {4, 1}},              {100, -100, -2, {5, 3, 1}},
        {0, 5, -1, {}},                  {-7, 3, -1, {}},                  {5, 2, -5, {5}},
        {3, 3, -1, {}},
    };
    const Tensor x = iota({6});
    for (const Case& c : cases) {
        INFO(c.start << ":" << c.stop << ":" << c.step);
        check_values(slice(x, 0, c.start, c.stop, c.step), {c.expected.size()}, c.expected);
    }
    // along an inner axis, and its gradient (scattered back to the picked positions)
    const Tensor m = iota({2, 3});
    check_values(slice(m, 1, 2, -4, -1), {2, 3}, {2, 1, 0, 5, 4, 3});
    check_grad([](const std::vector<Tensor>& in) { return slice(in[0], 1, -1, -5, -2); }, {rnd({3, 4})},
               "slice negative step");
    check_gradgrad([](const std::vector<Tensor>& in) { return square(slice(in[0], 0, 2, -4, -1)); }, {rnd({3, 2})},
                   "slice negative step, second order");
}

TEST_CASE("shape: index_select and gather values, with repeats") {
    const Tensor m = iota({2, 3});
    check_values(index_select(m, 1, {2, 0, 2}), {2, 3}, {2, 0, 2, 5, 3, 5});
    check_values(index_select(m, 0, {1, 1}), {2, 3}, {3, 4, 5, 3, 4, 5});
    check_values(index_select(m, -1, {-1}), {2, 1}, {2, 5});
    check_values(index_select(m, 1, {}), {2, 0}, {});
    check_values(gather(m, 1, tensor({{2, 0}, {1, 1}}, f64)), {2, 2}, {2, 0, 4, 4});
    check_values(gather(m, 0, tensor({{1, 0, 1}}, f64)), {1, 3}, {3, 1, 5});
    check_values(gather(m, -1, tensor({{0, 1, 2}, {2, 1, 0}}, f64)), {2, 3}, {0, 1, 2, 5, 4, 3});
    // a float32 index works for a float64 input (it is read as integers)
    check_values(gather(m, 1, from_vector(std::vector<float>{1, 2}, {2, 1})), {2, 1}, {1, 5});
    const Tensor y = iota({2, 3, 2});
    // along the middle axis: out[i][j][k] = y[i][idx[i][j][k]][k]
    check_values(gather(y, 1, tensor({{{2, 0}}, {{1, 1}}}, f64)), {2, 1, 2}, {4, 1, 8, 9});

    // gradients add up on repeats
    Tensor x = iota({2, 3}).detach().requires_grad_();
    sum(index_select(x, 1, {2, 0, 2})).backward();
    check_values(x.grad(), {2, 3}, {1, 0, 2, 1, 0, 2});
    x.zero_grad();
    sum(mul(gather(x, 1, tensor({{2, 0}, {1, 1}}, f64)), tensor({{1, 10}, {100, 1000}}, f64))).backward();
    check_values(x.grad(), {2, 3}, {10, 0, 1, 0, 1100, 0});
    x.zero_grad();
    sum(mul(slice(x, 1, 0, 3, 2), tensor({{1, 2}, {3, 4}}, f64))).backward();
    check_values(x.grad(), {2, 3}, {1, 0, 2, 3, 0, 4});
}

TEST_CASE("shape: gradcheck of slice, index_select and gather") {
    check_shape_op("slice step", [](const Tensor& x) { return slice(x, 1, 0, 5, 2); }, {3, 5}, {3, 3});
    check_shape_op("slice negative", [](const Tensor& x) { return slice(x, -1, -3, -1); }, {3, 5}, {3, 2});
    check_shape_op("slice axis 0", [](const Tensor& x) { return slice(x, 0, 1, 100); }, {3, 2, 2}, {2, 2, 2});
    check_shape_op("slice middle", [](const Tensor& x) { return slice(x, 1, 1, 3); }, {2, 4, 3}, {2, 2, 3});
    check_shape_op("slice empty result", [](const Tensor& x) { return slice(x, 0, 2, 2); }, {3, 2}, {0, 2});
    check_shape_op("slice of empty", [](const Tensor& x) { return slice(x, 1, 0, 2); }, {0, 3}, {0, 2});
    check_shape_op("index_select repeats", [](const Tensor& x) { return index_select(x, 0, {2, 0, 2, 2}); }, {3, 4},
                   {4, 4});
    check_shape_op("index_select middle", [](const Tensor& x) { return index_select(x, 1, {1, -1}); }, {2, 3, 2},
                   {2, 2, 2});
    check_shape_op("index_select none", [](const Tensor& x) { return index_select(x, 1, {}); }, {2, 3}, {2, 0});
    check_shape_op("index_select of empty", [](const Tensor& x) { return index_select(x, 1, {2, 0}); }, {0, 3},
                   {0, 2});
    const Tensor idx = tensor({{2, 0, 2}, {1, 1, 0}}, f64);
    check_shape_op("gather axis 1", [&](const Tensor& x) { return gather(x, 1, idx); }, {2, 4}, {2, 3});
    const Tensor idx0 = tensor({{1, 0, 1, 1}, {1, 1, 0, 0}, {0, 0, 0, 1}}, f64);
    check_shape_op("gather axis 0", [&](const Tensor& x) { return gather(x, 0, idx0); }, {2, 4}, {3, 4});
    const Tensor idx3 = tensor({{{0, 1}, {0, 0}, {1, 1}}, {{1, 0}, {1, 1}, {0, 0}}}, f64);
    check_shape_op("gather 3-D last axis", [&](const Tensor& x) { return gather(x, 2, idx3); }, {2, 3, 4}, {2, 3, 2});
    const Tensor none = zeros({2, 0}, f64);
    check_shape_op("gather empty index", [&](const Tensor& x) { return gather(x, 1, none); }, {2, 3}, {2, 0});
}

// ---- joining and splitting -------------------------------------------------------------

TEST_CASE("shape: concat, stack, split and chunk values") {
    const Tensor a = iota({2, 3});
    const Tensor b = add(iota({1, 3}), 10.0);
    const Tensor c = add(iota({2, 1}), 20.0);
    check_values(concat({a, b}), {3, 3}, {0, 1, 2, 3, 4, 5, 10, 11, 12});
    check_values(concat({a, c}, 1), {2, 4}, {0, 1, 2, 20, 3, 4, 5, 21});
    check_values(concat({c, a, c}, -1), {2, 5}, {20, 0, 1, 2, 20, 21, 3, 4, 5, 21});
    check_values(concat({a}), {2, 3}, a.to_vector());
    check_values(concat({zeros({0, 3}, f64), b}), {1, 3}, {10, 11, 12});
    check_values(stack({a, a}), {2, 2, 3}, {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5});
    check_values(stack({a, mul(a, 2.0)}, 1), {2, 2, 3}, {0, 1, 2, 0, 2, 4, 3, 4, 5, 6, 8, 10});
    check_values(stack({a, mul(a, 2.0)}, -1), {2, 3, 2}, {0, 0, 1, 2, 2, 4, 3, 6, 4, 8, 5, 10});
    check_values(stack({scalar(1, f64), scalar(2, f64)}), {2}, {1, 2});
    const std::vector<Tensor> parts = split(a, {1, 2}, 1);
    REQUIRE(parts.size() == 2);
    check_values(parts[0], {2, 1}, {0, 3});
    check_values(parts[1], {2, 2}, {1, 2, 4, 5});
    const std::vector<Tensor> withempty = split(a, {0, 2, 0}, 0);
    REQUIRE(withempty.size() == 3);
    CHECK(withempty[0].shape() == Shape{0, 3});
    check_values(withempty[1], {2, 3}, a.to_vector());
    const std::vector<Tensor> chunks = chunk(iota({4, 2}), 2);
    REQUIRE(chunks.size() == 2);
    check_values(chunks[0], {2, 2}, {0, 1, 2, 3});
    check_values(chunks[1], {2, 2}, {4, 5, 6, 7});
    const std::vector<Tensor> cols = chunk(a, 3, -1);
    REQUIRE(cols.size() == 3);
    check_values(cols[2], {2, 1}, {2, 5});
}

TEST_CASE("shape: gradcheck of concat, stack, split and chunk") {
    const Tensor a = rnd({2, 3}, -1, 1, 1), b = rnd({1, 3}, -1, 1, 2), c = rnd({2, 2}, -1, 1, 3);
    const Tensor e = rnd({0, 3}, -1, 1, 4);
    check_grad([](V v) { return concat({v[0], v[1]}, 0); }, {a, b}, "concat 0");
    check_grad([](V v) { return concat({v[0], v[1], v[0]}, -1); }, {a, c}, "concat -1 (a used twice)");
    check_grad([](V v) { return concat({v[0], v[1], v[2]}, 0); }, {a, e, b}, "concat with an empty piece");
    check_grad([](V v) { return stack({v[0], v[1], v[0]}, 1); }, {a, rnd({2, 3}, -1, 1, 5)}, "stack 1");
    check_grad([](V v) { return stack({v[0], v[1]}, -1); }, {a, rnd({2, 3}, -1, 1, 6)}, "stack -1");
    check_grad([](V v) { return stack({v[0], v[1]}); }, {e, rnd({0, 3}, -1, 1, 7)}, "stack empty");
    // pieces weighted differently so each slice's gradient is distinguishable
    check_grad(
        [](V v) {
            const std::vector<Tensor> p = split(v[0], {1, 0, 2}, 1);
            return concat({mul(p[0], 3.0), p[1], square(p[2])}, 1);
        },
        {a}, "split");
    check_grad(
        [](V v) {
            const std::vector<Tensor> p = chunk(v[0], 2, 0);
            return add(mul(p[0], 2.0), exp(p[1]));
        },
        {rnd({4, 3}, -1, 1, 8)}, "chunk");
    // only one piece of a split used: the others get zero gradient
    Tensor x = iota({2, 3}).detach().requires_grad_();
    sum(split(x, {2, 1}, 1)[1]).backward();
    check_values(x.grad(), {2, 3}, {0, 0, 1, 0, 0, 1});
    // concat's gradient slices back to each input
    Tensor p = tensor({1, 2}, f64_leaf), q = tensor({3}, f64_leaf);
    sum(mul(concat({p, q}), tensor({10, 20, 30}, f64))).backward();
    check_values(p.grad(), {2}, {10, 20});
    check_values(q.grad(), {1}, {30});
}

// ---- second derivatives and aliasing ------------------------------------------------------

TEST_CASE("shape: gradgradcheck through the scatter rules of slice, index_select, gather and concat") {
    const Tensor x = rnd({3, 4}, -1, 1, 9);
    const Tensor idx = tensor({{2, 0, 2}, {1, 3, 3}, {0, 0, 1}}, f64);
    check_gradgrad([](V v) { return square(reshape(v[0], {2, -1})); }, {x}, "reshape");
    check_gradgrad([](V v) { return square(transpose(v[0])); }, {x}, "transpose");
    check_gradgrad([](V v) { return square(permute(unsqueeze(v[0], 0), {2, 0, 1})); }, {x}, "permute");
    check_gradgrad([](V v) { return square(slice(v[0], 1, 1, 4, 2)); }, {x}, "slice");
    check_gradgrad([](V v) { return square(index_select(v[0], 0, {2, 2, 0})); }, {x}, "index_select");
    check_gradgrad([&](V v) { return square(gather(v[0], 1, idx)); }, {x}, "gather");
    check_gradgrad([](V v) { return mul(concat({v[0], v[1]}, 0), concat({v[1], v[0]}, 0)); },
                   {rnd({2, 3}, -1, 1, 10), rnd({2, 3}, -1, 1, 11)}, "concat * concat");
    check_gradgrad([](V v) { return square(stack(chunk(v[0], 2, 1), 0)); }, {x}, "chunk/stack");
}

TEST_CASE("shape: results never share storage with their input") {
    NoGradGuard no_grad;
    const Tensor x = iota({2, 3});
    const std::vector<double> before = x.to_vector();
    std::vector<Tensor> results = {reshape(x, {3, 2}), flatten(x),         unsqueeze(x, 0),
                                   transpose(x),       permute(x, {1, 0}), slice(x, 1, 0, 3),
                                   index_select(x, 0, {0, 1}), gather(x, 1, zeros({2, 3}, f64)),
                                   concat({x}),        stack({x}),         split(x, {2}, 0)[0],
                                   chunk(x, 1)[0],     squeeze(unsqueeze(x, 0))};
    for (Tensor& r : results) r.fill_(-1);
    check_values(x, {2, 3}, before);
    // documented exception: an op that changes nothing returns its input handle (no copy, no node)
    CHECK(reshape(x, {2, 3}).same(x));
    CHECK(flatten(iota({4})).shape() == Shape{4});
    CHECK(permute(x, {0, 1}).same(x));
}

TEST_CASE("shape: every shape op runs in float32 and agrees with float64, gradients included") {
    const Tensor x = rnd({2, 3, 4}, -1, 1, 1);
    const Tensor idx = tensor({{{0, 1, 2, 0}, {2, 2, 1, 0}}, {{1, 1, 1, 1}, {0, 0, 0, 2}}}, {DType::f32});
    check_f32("reshape/flatten/squeeze", [](V v) { return squeeze(unsqueeze(flatten(reshape(v[0], {4, -1}), 0), 1)); },
              {x});
    check_f32("permute/transpose", [](V v) { return transpose(permute(v[0], {2, 0, 1})); }, {x});
    check_f32("slice/index_select", [](V v) { return index_select(slice(v[0], 1, 0, 3, 2), 2, {3, 3, 0}); }, {x});
    check_f32("gather", [&](V v) { return gather(v[0], 1, idx); }, {x});
    check_f32("concat/stack/split/chunk",
              [](V v) {
                  const std::vector<Tensor> p = split(v[0], {1, 2}, 1);  // (2, 1, 4), (2, 2, 4)
                  const std::vector<Tensor> c = chunk(v[0], 2, 2);       // two (2, 3, 2)
                  return add(sum(mul(concat({p[1], p[0]}, 1), v[0])), sum(square(stack(c, 1))));
              },
              {x});
}
