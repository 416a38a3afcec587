// int64 and bool tensors: creation, conversions both ways, printing, the ops
// that take them (comparisons, where/masked_fill masks, indices of gather,
// index_select, embedding and class targets) and the refusal, naming the op,
// of everything that computes.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;
using doctest::Contains;

namespace {

const TensorOptions i64{DType::i64};
const TensorOptions boolean{DType::boolean};

std::vector<std::int64_t> ints(const Tensor& t) { return t.to_vector<std::int64_t>(); }
std::vector<bool> bools(const Tensor& t) { return t.to_vector<bool>(); }

}  // namespace

TEST_CASE("dtypes: int64 and bool tensors are made, read and printed") {
    CHECK(std::string(dtype_name(DType::i64)) == "int64");
    CHECK(std::string(dtype_name(DType::boolean)) == "bool");
    CHECK(element_size(DType::i64) == 8);
    CHECK(element_size(DType::boolean) == 1);

    const Tensor a = from_vector(std::vector<std::int64_t>{3, -1, 4, 1, -5, 9}, {2, 3});
    CHECK(a.dtype() == DType::i64);
    CHECK(a.shape() == Shape{2, 3});
    CHECK(ints(a) == std::vector<std::int64_t>{3, -1, 4, 1, -5, 9});
    CHECK(a.at({1, 2}) == 9.0);
    CHECK(std::as_const(a).data<std::int64_t>()[4] == -5);
    // integers beyond 2^53 stay exact in int64 (as a double they would round)
    const std::int64_t big = (std::int64_t{1} << 60) + 1;
    const Tensor b = from_vector(std::vector<std::int64_t>{big, -big}, {2});
    CHECK(ints(b) == std::vector<std::int64_t>{big, -big});
    CHECK(ints(b.clone()) == ints(b));
    CHECK(ints(b.detach()) == ints(b));

    const Tensor m = from_vector(std::vector<bool>{true, false, true}, {3});
    CHECK(m.dtype() == DType::boolean);
    CHECK(bools(m) == std::vector<bool>{true, false, true});
    CHECK(m.to_vector() == std::vector<double>{1, 0, 1});

    CHECK(ints(zeros({2}, i64)) == std::vector<std::int64_t>{0, 0});
    CHECK(ints(full({2}, -7, i64)) == std::vector<std::int64_t>{-7, -7});
    CHECK(ints(arange(0, 5, 2, i64)) == std::vector<std::int64_t>{0, 2, 4});
    CHECK(ints(tensor({{1, 2}, {3, 4}}, i64)) == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(bools(ones({2}, boolean)) == std::vector<bool>{true, true});
    CHECK(bools(full({1}, 0.5, boolean)) == std::vector<bool>{true});
    CHECK(scalar(12, i64).item() == 12.0);
    // a double that has no int64 value is refused, never cast (undefined behaviour)
    CHECK_THROWS_WITH_AS(full({1}, std::nan(""), i64), Contains("full: value nan"), DTypeError);
    CHECK_THROWS_WITH_AS(tensor({1.5, 1e30}, i64), Contains("value 1e+30 at flat position 1 has no int64 value"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(uniform({2}, 0, 1, i64), Contains("uniform: draws float32 or float64 values, not int64"),
                         DTypeError);

    Tensor c = zeros({3}, i64);
    c.set({1}, 8);
    c.fill_(2);
    c.set({0}, -3);
    CHECK(ints(c) == std::vector<std::int64_t>{-3, 2, 2});
    c.copy_(from_vector(std::vector<std::int64_t>{7, 8, 9}, {3}));
    CHECK(ints(c) == std::vector<std::int64_t>{7, 8, 9});

    CHECK(to_string(from_vector(std::vector<std::int64_t>{1, -20, 300}, {3})) ==
          "tensor(shape=(3), dtype=int64, [1, -20, 300])");
    CHECK(to_string(from_vector(std::vector<bool>{true, false, false, true}, {2, 2})) ==
          "tensor(shape=(2, 2), dtype=bool, [[true, false],\n [false, true]])");
}

TEST_CASE("dtypes: to() converts both ways, with PyTorch's rules") {
    const Tensor x = tensor({-1.7, -0.2, 0.0, 2.9, 5.0}, f64);
    // truncation toward zero, as torch's .to(torch.int64)
    CHECK(ints(x.to(DType::i64)) == std::vector<std::int64_t>{-1, 0, 0, 2, 5});
    CHECK(bools(x.to(DType::boolean)) == std::vector<bool>{true, true, false, true, true});
    CHECK(x.to(DType::i64).to(DType::f32).to_vector() == std::vector<double>{-1, 0, 0, 2, 5});
    CHECK(from_vector(std::vector<bool>{true, false}, {2}).to(DType::f64).to_vector() == std::vector<double>{1, 0});
    CHECK(ints(from_vector(std::vector<bool>{true, false}, {2}).to(DType::i64)) == std::vector<std::int64_t>{1, 0});
    CHECK(bools(from_vector(std::vector<std::int64_t>{0, -3}, {2}).to(DType::boolean)) == std::vector<bool>{false, true});
    // NaN is true as a bool (nonzero), and has no int64 value
    const Tensor bad = tensor({1.0, std::nan(""), 3.0});
    CHECK(bools(bad.to(DType::boolean)) == std::vector<bool>{true, true, true});
    CHECK_THROWS_WITH_AS(bad.to(DType::i64), Contains("to: value nan at flat position 1 has no int64 value"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(tensor({std::numeric_limits<double>::infinity()}, f64).to(DType::i64),
                         Contains("value inf at flat position 0"), DTypeError);
    CHECK_THROWS_WITH_AS(tensor({0x1p63}, f64).to(DType::i64), Contains("outside [-2^63, 2^63)"), DTypeError);
    CHECK(ints(tensor({-0x1p63}, f64).to(DType::i64)) == std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min()});
    CHECK_THROWS_WITH_AS(bad.to_vector<std::int64_t>(), Contains("to_vector: value nan at flat position 1"), DTypeError);
    CHECK(tensor({1.25f, -2.5f}).to_vector<float>() == std::vector<float>{1.25f, -2.5f});

    // to an int64 or bool dtype the result is a constant; float to float stays differentiable
    const Tensor leaf = tensor({1.5, 2.5}, f64_leaf);
    CHECK_FALSE(leaf.to(DType::i64).requires_grad());
    CHECK_FALSE(leaf.to(DType::boolean).requires_grad());
    CHECK(leaf.to(DType::f32).requires_grad());
}

TEST_CASE("dtypes: int64 and bool tensors never require grad") {
    CHECK_THROWS_WITH_AS(zeros({2}, {DType::i64, true}),
                         Contains("requires_grad_: a int64 tensor cannot require gradients"), DTypeError);
    Tensor m = from_vector(std::vector<bool>{true}, {1});
    CHECK_THROWS_WITH_AS(m.requires_grad_(), Contains("a bool tensor cannot require gradients"), DTypeError);
    CHECK_NOTHROW(m.requires_grad_(false));
    CHECK_FALSE(m.requires_grad());
}

TEST_CASE("dtypes: every op that computes refuses int64 and bool, naming itself") {
    const Tensor a = from_vector(std::vector<std::int64_t>{1, 2, 3}, {3});
    const Tensor m = from_vector(std::vector<bool>{true, false, true}, {3});
    const Tensor f = tensor({1.0f, 2.0f, 3.0f});
    auto refuses = [](const std::function<Tensor()>& op, const std::string& what) {
        INFO(what);
        CHECK_THROWS_WITH_AS(op(), Contains(what.c_str()), DTypeError);
    };
    refuses([&] { return a + a; }, "add: needs a float32 or float64 tensor, got int64 (3)");
    refuses([&] { return f + a; }, "add: needs a float32 or float64 tensor, got int64");
    refuses([&] { return a - a; }, "sub: needs a float32 or float64 tensor, got int64");
    refuses([&] { return m * f; }, "mul: needs a float32 or float64 tensor, got bool");
    refuses([&] { return a / 2.0; }, "mul: needs a float32 or float64 tensor, got int64");
    refuses([&] { return a + 1.0; }, "add: needs");
    refuses([&] { return -a; }, "neg: needs");
    refuses([&] { return exp(a); }, "exp: needs");
    refuses([&] { return log(a); }, "log: needs");
    refuses([&] { return sin(a); }, "sin: needs");
    refuses([&] { return pow(a, 2.0); }, "pow: needs");
    refuses([&] { return abs(a); }, "abs: needs");
    refuses([&] { return clamp(a, 0, 1); }, "clamp: needs");
    refuses([&] { return relu(a); }, "relu: needs");
    refuses([&] { return sigmoid(m); }, "sigmoid: needs");
    refuses([&] { return tanh(a); }, "tanh: needs");
    refuses([&] { return softmax(a); }, "softmax: needs");
    refuses([&] { return log_softmax(a); }, "log_softmax: needs");
    refuses([&] { return sum(a); }, "sum: needs");
    refuses([&] { return mean(a); }, "mean: needs");
    refuses([&] { return max(a); }, "max: needs");
    refuses([&] { return argmax(a); }, "argmax: needs");
    refuses([&] { return var(a); }, "var: needs");
    refuses([&] { return cumsum(a, 0); }, "cumsum: needs");
    refuses([&] { return maximum(a, a); }, "maximum: needs");
    refuses([&] { return matmul(reshape(a, {1, 3}), reshape(a, {3, 1})); }, "matmul: needs");
    refuses([&] { return masked_fill(a, m, 0); }, "masked_fill: needs");
    refuses([&] { return where(m, a, a); }, "where: needs");
    refuses([&] { return nn::mse_loss(a, a); }, "mse_loss: needs");
    refuses([&] { return embedding(a.to(DType::i64), a); }, "embedding: needs");
    nn::Linear lin(3, 2);
    refuses([&] { return lin(reshape(a, {1, 3})); }, "Linear: needs a float32 or float64 tensor, got int64 (1, 3)");
    // in-place arithmetic too (optimisers use it)
    Tensor c = a.clone();
    CHECK_THROWS_WITH_AS(c.add_(c), Contains("add_: needs"), DTypeError);
    CHECK_THROWS_WITH_AS(c.mul_(2), Contains("mul_: needs"), DTypeError);
}

TEST_CASE("dtypes: comparisons return bool masks, on every dtype") {
    const Tensor a = tensor({1.0, 2.0, 3.0, 4.0}, f64);
    const Tensor b = tensor({4.0, 2.0, 1.0, 5.0}, f64);
    CHECK(eq(a, b).dtype() == DType::boolean);
    CHECK(bools(lt(a, b)) == std::vector<bool>{true, false, false, true});
    CHECK(bools(ge(a, 3.0)) == std::vector<bool>{false, false, true, true});
    // broadcasting: [2, 1] against [3]
    CHECK(bools(gt(from_vector(std::vector<double>{1, 3}, {2, 1}, f64), tensor({0, 2, 4}, f64))) ==
          std::vector<bool>{true, false, false, true, true, false});
    CHECK(gt(from_vector(std::vector<double>{1, 3}, {2, 1}, f64), tensor({0, 2, 4}, f64)).shape() == Shape{2, 3});
    // int64: against int64, and against a number in double (1 < 1.5 but not 2 < 1.5)
    const Tensor i = from_vector(std::vector<std::int64_t>{1, 2, 3}, {3});
    CHECK(bools(le(i, from_vector(std::vector<std::int64_t>{2, 2, 2}, {3}))) == std::vector<bool>{true, true, false});
    CHECK(bools(lt(i, 1.5)) == std::vector<bool>{true, false, false});
    CHECK(bools(ne(i, 2.0)) == std::vector<bool>{true, false, true});
    // bool against bool
    const Tensor m = from_vector(std::vector<bool>{true, false}, {2});
    CHECK(bools(eq(m, from_vector(std::vector<bool>{true, true}, {2}))) == std::vector<bool>{true, false});
    CHECK_THROWS_WITH_AS(eq(m, 1.0), Contains("eq: compares numbers"), DTypeError);
    // mixed dtypes never compare silently
    CHECK_THROWS_WITH_AS(eq(i, tensor({1.0, 2.0, 3.0}, f64)),
                         Contains("eq: operands have different dtypes, int64 (3) and float64 (3)"), DTypeError);
    // never recorded
    const Tensor x = tensor({1.0, 2.0}, f64_leaf);
    CHECK_FALSE(gt(x, 1.5).requires_grad());
}

TEST_CASE("dtypes: where and masked_fill take bool masks (float masks still work)") {
    const Tensor m = from_vector(std::vector<bool>{true, false, false, true}, {2, 2});
    const Tensor a = tensor({{1.0, 2.0}, {3.0, 4.0}}, f64);
    const Tensor b = tensor({-1.0, -2.0}, f64);
    check_values(where(m, a, b), {2, 2}, {1, -2, -1, 4});
    check_values(where(m.to(DType::f64), a, b), {2, 2}, {1, -2, -1, 4});
    check_values(masked_fill(a, m, 9), {2, 2}, {9, 2, 3, 9});
    check_values(masked_fill(a, gt(a, 2.5), -7), {2, 2}, {1, 2, -7, -7});
    // a mask row broadcast over the rows
    check_values(where(from_vector(std::vector<bool>{false, true}, {2}), a, b), {2, 2}, {-1, 2, -1, 4});
    CHECK_THROWS_WITH_AS(where(from_vector(std::vector<std::int64_t>{1, 0}, {2}), a, b),
                         Contains("where: mask must be bool (or, nonzero meaning true, of the operands' dtype float64), "
                                  "got int64 (2)"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(where(from_vector(std::vector<bool>{true, false, true}, {3}), a, b),
                         Contains("where: mask (3) does not broadcast"), ShapeError);
    // gradients: a where the mask is true, b where it is false (summed over b's broadcast)
    check_grad([&](const std::vector<Tensor>& in) { return where(m, in[0], in[1]); }, {rnd({2, 2}), rnd({2}, -1, 1, 3)},
               "where bool mask");
    check_grad([&](const std::vector<Tensor>& in) { return masked_fill(in[0], m, 3.0); }, {rnd({2, 2})},
               "masked_fill bool mask");
    check_gradgrad([&](const std::vector<Tensor>& in) { return where(m, square(in[0]), in[1]); },
                   {rnd({2, 2}), rnd({2, 2}, -1, 1, 5)}, "where bool mask, second order");
}

TEST_CASE("dtypes: int64 indices in gather, index_select and embedding (float indices still work)") {
    const Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, f64);
    const Tensor idx = from_vector(std::vector<std::int64_t>{2, 0, 1, 1}, {2, 2});
    check_values(gather(x, 1, idx), {2, 2}, {3, 1, 5, 5});
    check_values(gather(x, 1, idx.to(DType::f64)), {2, 2}, {3, 1, 5, 5});
    check_grad([&](const std::vector<Tensor>& in) { return gather(in[0], 1, idx); }, {rnd({2, 3})}, "gather int64");
    CHECK_THROWS_WITH_AS(gather(x, 1, from_vector(std::vector<std::int64_t>{3, 0, 1, 1}, {2, 2})),
                         Contains("gather: index value 3 at flat position 0 is not in [0, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, from_vector(std::vector<std::int64_t>{-1, 0, 1, 1}, {2, 2})),
                         Contains("gather: index value -1"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, tensor({{0.5, 0.0}, {1.0, 1.0}}, f64)),
                         Contains("gather: index 0.5 at flat position 0 of the float64 indices (2, 2) is not an integer"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, from_vector(std::vector<bool>{true, false, true, true}, {2, 2})),
                         Contains("gather: indices must be int64"), DTypeError);

    const Tensor rows = from_vector(std::vector<std::int64_t>{1, -1, 0}, {3});
    check_values(index_select(x, 1, rows), {2, 3}, {2, 3, 1, 5, 6, 4});
    check_values(index_select(x, 0, tensor({1.0, 1.0}, f64)), {2, 3}, {4, 5, 6, 4, 5, 6});
    check_grad([&](const std::vector<Tensor>& in) { return index_select(in[0], 1, rows); }, {rnd({2, 3})},
               "index_select int64");
    CHECK_THROWS_WITH_AS(index_select(x, 1, from_vector(std::vector<std::int64_t>{0, 1}, {1, 2})),
                         Contains("index_select: indices must be 1-D, got shape (1, 2)"), ShapeError);
    CHECK_THROWS_WITH_AS(index_select(x, 1, from_vector(std::vector<std::int64_t>{3}, {1})),
                         Contains("index_select: index 3 (position 0) is out of range for axis 1 of size 3"), ShapeError);

    Generator gen(3);
    nn::Embedding emb(5, 2);
    emb.to(DType::f64);
    const Tensor tokens = from_vector(std::vector<std::int64_t>{4, 0, 4}, {3});
    const Tensor y = emb(tokens);
    CHECK(y.shape() == Shape{3, 2});
    const std::vector<double> w = emb.weight.to_vector();
    CHECK(y.to_vector() == std::vector<double>{w[8], w[9], w[0], w[1], w[8], w[9]});
    CHECK(emb(tokens.to(DType::f64)).to_vector() == y.to_vector());
    CHECK_THROWS_WITH_AS(emb(from_vector(std::vector<std::int64_t>{5}, {1})),
                         Contains("index 5 at flat position 0 of indices (1) is out of range for weight (5, 2)"),
                         ShapeError);
    check_grad([&](const std::vector<Tensor>& in) { return embedding(in[0], tokens); }, {rnd({5, 2})},
               "embedding int64");
}

TEST_CASE("dtypes: class-index targets of cross_entropy and nll_loss as int64 (float targets still work)") {
    const Tensor logits = rnd({4, 3}, -2, 2, 21);
    const Tensor labels = from_vector(std::vector<std::int64_t>{2, 0, 1, 2}, {4});
    const Tensor float_labels = labels.to(DType::f64);
    for (auto reduction : {nn::Reduction::mean, nn::Reduction::sum, nn::Reduction::none}) {
        const std::vector<double> a = nn::cross_entropy(logits, labels, reduction).to_vector();
        const std::vector<double> b = nn::cross_entropy(logits, float_labels, reduction).to_vector();
        CHECK(a == b);
        CHECK(nn::nll_loss(log_softmax(logits, 1), labels, reduction).to_vector() == b);
    }
    // the value against the formula: mean of -log softmax(logits)[n, t_n]
    const std::vector<double> ls = log_softmax(logits, 1).to_vector();
    const double expected = -(ls[2] + ls[3] + ls[7] + ls[11]) / 4;
    CHECK(nn::cross_entropy(logits, labels).item() == doctest::Approx(expected).epsilon(1e-14));
    // class weights with int64 labels
    const Tensor cw = tensor({1.0, 2.0, 0.5}, f64);
    CHECK(nn::cross_entropy(logits, labels, nn::Reduction::mean, cw).item() ==
          doctest::Approx(nn::cross_entropy(logits, float_labels, nn::Reduction::mean, cw).item()).epsilon(1e-15));
    check_grad([&](const std::vector<Tensor>& in) { return nn::cross_entropy(in[0], labels); }, {logits},
               "cross_entropy int64 labels");
    check_grad([&](const std::vector<Tensor>& in) { return nn::nll_loss(in[0], labels, nn::Reduction::sum); },
               {logits}, "nll_loss int64 labels");
    // float32 logits with int64 labels: no conversion needed
    CHECK(nn::cross_entropy(logits.to(DType::f32), labels).dtype() == DType::f32);
    CHECK_THROWS_WITH_AS(nn::cross_entropy(logits, from_vector(std::vector<std::int64_t>{0, 3, 1, 2}, {4})),
                         Contains("cross_entropy: target[1] = 3 is not a class index in [0, 3)"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(nn::cross_entropy(logits, from_vector(std::vector<bool>{true, false, true, false}, {4})),
                         Contains("cross_entropy: operands have different dtypes, float64 (4, 3) and bool (4)"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(nn::cross_entropy(labels, labels), Contains("cross_entropy: needs a float32"), DTypeError);
}

TEST_CASE("dtypes: argmax and argmin return int64; a NaN wins, never hidden") {
    const Tensor x = tensor({{1.0, 5.0, 5.0}, {-2.0, -7.0, 0.0}}, f64);
    const Tensor am = argmax(x, 1);
    CHECK(am.dtype() == DType::i64);
    CHECK(ints(am) == std::vector<std::int64_t>{1, 2});
    CHECK(ints(argmin(x, 1)) == std::vector<std::int64_t>{0, 1});
    CHECK(ints(argmax(x, 0, true)) == std::vector<std::int64_t>{0, 0, 0});
    CHECK(argmax(x, 0, true).shape() == Shape{1, 3});
    const Tensor n = tensor({1.0f, std::nanf(""), 9.0f, std::nanf("")});
    CHECK(ints(argmax(n, 0)) == std::vector<std::int64_t>{1});
    CHECK(ints(argmin(n, 0)) == std::vector<std::int64_t>{1});
    // the predicted classes compare with int64 labels directly
    CHECK(bools(eq(am, from_vector(std::vector<std::int64_t>{1, 0}, {2}))) == std::vector<bool>{true, false});
}

TEST_CASE("dtypes: shape ops move int64 and bool values") {
    const Tensor a = from_vector(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, {2, 3});
    CHECK(ints(reshape(a, {3, 2})) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    CHECK(ints(transpose(a)) == std::vector<std::int64_t>{1, 4, 2, 5, 3, 6});
    CHECK(ints(slice(a, 1, 1, 3)) == std::vector<std::int64_t>{2, 3, 5, 6});
    CHECK(ints(concat({a, a}, 0)).size() == 12);
    CHECK(stack({a, a}, 0).shape() == Shape{2, 2, 3});
    CHECK(ints(flatten(unsqueeze(a, 0))) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    const Tensor m = from_vector(std::vector<bool>{true, false, false, true, true, false}, {2, 3});
    CHECK(transpose(m).dtype() == DType::boolean);
    CHECK(bools(transpose(m)) == std::vector<bool>{true, true, false, true, false, false});
    CHECK(bools(index_select(m, 1, {2, 0})) == std::vector<bool>{false, true, false, true});
    CHECK(ints(gather(a, 1, from_vector(std::vector<std::int64_t>{2, 0}, {2, 1}))) == std::vector<std::int64_t>{3, 4});
    CHECK_THROWS_WITH_AS(concat({a, m}, 0), Contains("concat: operands have different dtypes"), DTypeError);
}

TEST_CASE("dtypes: Module::to converts float state only") {
    nn::Linear lin(2, 2);
    CHECK_THROWS_WITH_AS(lin.to(DType::i64), Contains("Module::to: converts to float32 or float64, not int64"),
                         DTypeError);
}
