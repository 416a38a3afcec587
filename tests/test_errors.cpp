// Error messages of the ops: each kind of mistake throws a typed exception whose
// message names the op, the shapes and the rule broken, and, for the ops that
// take a std::source_location, the caller's file (this file) and line.
#include <string>

#include "helpers.hpp"

using namespace tg;
using doctest::Contains;

namespace {

const TensorOptions f64{DType::f64};

using tg::test::message_of;

}  // namespace

TEST_CASE("errors: broadcast mismatch names the op, both shapes and the axis") {
    const Tensor a = zeros({2, 3}), b = zeros({4, 3});
    CHECK_THROWS_WITH_AS(mul(a, b), Contains("mul: shapes (2, 3) and (4, 3) do not broadcast: axis 0 has sizes 2 and 4"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(mul(a, b), Contains("test_errors.cpp"), ShapeError);
    CHECK_THROWS_WITH_AS(sub(a, b), Contains("sub: shapes (2, 3) and (4, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(div(a, zeros({3, 2})), Contains("div: shapes (2, 3) and (3, 2) do not broadcast: axis 0 has sizes 2 and 3"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(pow(a, b), Contains("pow: shapes (2, 3) and (4, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(maximum(a, b), Contains("maximum: shapes (2, 3) and (4, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(minimum(a, b), Contains("minimum: shapes (2, 3) and (4, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(add(a, b), Contains("add: shapes (2, 3) and (4, 3) do not broadcast"), ShapeError);
    CHECK_THROWS_WITH_AS(a + b, Contains("(2, 3) and (4, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(a * zeros({5}), Contains("mul: shapes (2, 3) and (5) do not broadcast"), ShapeError);
    CHECK_THROWS_WITH_AS(where(zeros({2, 3}), a, b), Contains("where: shapes (2, 3) and (4, 3)"), ShapeError);
    // the mask must broadcast too
    CHECK_THROWS_WITH_AS(where(zeros({5, 1}), a, a), Contains("where: mask (5, 1) does not broadcast"), ShapeError);
    CHECK_THROWS_WITH_AS(where(zeros({5, 1}), a, a), Contains("test_errors.cpp"), ShapeError);
    CHECK_THROWS_WITH_AS(eq(a, b), Contains("eq: shapes (2, 3) and (4, 3)"), ShapeError);
    // the line of the call is named
    const int line = __LINE__ + 1;
    const std::string msg = message_of([&] { mul(a, b); });
    CHECK(msg.find("test_errors.cpp:" + std::to_string(line) + ")") != std::string::npos);
}

TEST_CASE("errors: matmul inner-dimension mismatch reads like the issue's example, with the caller's file") {
    const Tensor a = zeros({3, 4}), b = zeros({5, 2});
    CHECK_THROWS_WITH_AS(matmul(a, b), Contains("matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ"), ShapeError);
    CHECK_THROWS_WITH_AS(matmul(a, b), Contains("test_errors.cpp"), ShapeError);
    const int line = __LINE__ + 1;
    const std::string msg = message_of([&] { matmul(a, b); });
    CHECK(msg == "matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ (at test_errors.cpp:" +
                     std::to_string(line) + ")");
    // 1-D operands are reported with the shapes the caller gave
    CHECK_THROWS_WITH_AS(matmul(zeros({3}), b), Contains("matmul: (3) @ (5, 2): inner dimensions 3 and 5 differ"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(matmul(a, zeros({5})), Contains("matmul: (3, 4) @ (5): inner dimensions 4 and 5 differ"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(matmul(zeros({3}), zeros({4})), Contains("matmul: (3) @ (4): inner dimensions 3 and 4 differ"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(matmul(zeros({2, 3, 4}), zeros({3, 4, 2})),
                         Contains("(2, 3, 4) @ (3, 4, 2): batch dimensions (2) and (3) do not broadcast"), ShapeError);
    CHECK_THROWS_WITH_AS(matmul(scalar(1), a), Contains("matmul: () @ (3, 4): operands must have at least 1 dimension"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(gemm(a, zeros({2, 4}), false, false),
                         Contains("(3, 4) @ (2, 4): inner dimensions 4 and 2 differ"), ShapeError);
    CHECK_THROWS_WITH_AS(gemm(a, zeros({2, 5}), false, true),
                         Contains("(3, 4) @ (2, 5)^T: inner dimensions 4 and 5 differ"), ShapeError);
    CHECK_THROWS_WITH_AS(gemm(a, zeros({2, 5}), false, true), Contains("test_errors.cpp"), ShapeError);
    CHECK_THROWS_WITH_AS(linear(zeros({2, 3}), zeros({4, 5})),
                         Contains("linear: input (2, 3) has 3 features but the weight (4, 5) expects 5"), ShapeError);
    CHECK_THROWS_WITH_AS(linear(zeros({2, 5}), zeros({4, 5}), zeros({3})),
                         Contains("linear: bias (3) must be [4] to match weight (4, 5)"), ShapeError);
    CHECK_THROWS_WITH_AS(linear(zeros({2, 5}), zeros({4, 5}), zeros({3})), Contains("test_errors.cpp"), ShapeError);
}

TEST_CASE("errors: mixing float and double is refused with a hint") {
    const Tensor f = zeros({2}), d = zeros({2}, f64);
    CHECK_THROWS_WITH_AS(mul(f, d), Contains("mul: operands have different dtypes, float32 (2) and float64 (2)"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(mul(f, d), Contains(".to(tg::DType::"), DTypeError);
    CHECK_THROWS_WITH_AS(mul(f, d), Contains("test_errors.cpp"), DTypeError);
    CHECK_THROWS_WITH_AS(add(f, d), Contains("add: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(f - d, Contains("sub: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(matmul(zeros({2, 2}), zeros({2, 2}, f64)), Contains("matmul: operands have different dtypes"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(linear(zeros({1, 2}), zeros({3, 2}, f64)), Contains("linear: operands have different dtypes"),
                         DTypeError);
    CHECK_THROWS_WITH_AS(linear(zeros({1, 2}), zeros({3, 2}), zeros({3}, f64)),
                         Contains("linear: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(concat({f, d}), Contains("concat: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(stack({f, d}), Contains("concat: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(where(zeros({2}), f, d), Contains("where: operands have different dtypes"), DTypeError);
    CHECK_THROWS_WITH_AS(where(zeros({2}, f64), f, f),
                         Contains("where: mask must be bool (or, nonzero meaning true, of the operands' dtype float32), "
                                  "got float64"), DTypeError);
    CHECK_THROWS_WITH_AS(maximum(f, d), Contains("maximum: operands have different dtypes"), DTypeError);
    // an explicit conversion makes it work
    CHECK(mul(f.to(DType::f64), d).dtype() == DType::f64);
}

TEST_CASE("errors: bad axes name the op, the axis and the valid range") {
    const Tensor x = zeros({2, 3});
    CHECK_THROWS_WITH_AS(sum(x, {2}),
                         Contains("sum: axis 2 is out of range for a tensor of rank 2 (valid: -2 to 1)"), ShapeError);
    CHECK_THROWS_WITH_AS(mean(x, {-3}), Contains("mean: axis -3 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(sum(x, {0, -2}), Contains("sum: an axis is repeated"), ShapeError);
    CHECK_THROWS_WITH_AS(max(x, {5}), Contains("max: axis 5 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(logsumexp(x, {5}), Contains("logsumexp: axis 5 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(argmax(x, 2), Contains("argmax: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(softmax(x, 2), Contains("softmax: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(log_softmax(x, -3), Contains("log_softmax: axis -3 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(slice(x, 2, 0, 1), Contains("slice: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(index_select(x, 2, {0}), Contains("index_select: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 2, x), Contains("gather: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(concat({x, x}, 2), Contains("concat: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(stack({x, x}, 4), Contains("stack: axis 4 is out of range for a tensor of rank 3"), ShapeError);
    CHECK_THROWS_WITH_AS(split(x, {1, 1}, 2), Contains("split: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(chunk(x, 2, 2), Contains("chunk: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(unsqueeze(x, 4), Contains("unsqueeze: axis 4 is out of range for a tensor of rank 3"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(squeeze(x, 0), Contains("squeeze: axis 0 of shape (2, 3) has size 2, not 1"), ShapeError);
    CHECK_THROWS_WITH_AS(transpose(x, 0, 2), Contains("transpose: axis 2 is out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(transpose(zeros({3})), Contains("transpose: needs at least 2 dimensions, got shape (3)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(permute(x, {0}), Contains("permute: 1 axes given for a tensor of rank 2 (shape (2, 3))"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(permute(x, {1, 1}), Contains("permute: axis 1 appears twice"), ShapeError);
    CHECK_THROWS_WITH_AS(flatten(zeros({2, 3, 4}), 2, 1), Contains("flatten: start axis 2 comes after end axis 1"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(softmax(scalar(1), -1), Contains("softmax: axis -1 is out of range for a tensor of rank 0"),
                         ShapeError);
}

TEST_CASE("errors: bad reshapes name both shapes and element counts") {
    const Tensor x = zeros({2, 3});
    CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), Contains("reshape: cannot reshape (2, 3) (6 elements) to (4, 2) (8 elements)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), Contains("test_errors.cpp"), ShapeError);
    CHECK_THROWS_WITH_AS(reshape(x, {-1, 4}), Contains("reshape: cannot infer the -1 dimension: 6 elements of (2, 3) into -1, 4"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}), Contains("reshape: only one dimension may be -1"), ShapeError);
    CHECK_THROWS_WITH_AS(reshape(x, {-2, -3}), Contains("reshape: dimension 0 is negative (-2)"), ShapeError);
    CHECK_THROWS_WITH_AS(reshape(zeros({0, 3}), {0, -1}), Contains("reshape: cannot infer the -1 dimension"),
                         ShapeError);
}

TEST_CASE("errors: indices out of range") {
    const Tensor x = zeros({2, 3});
    CHECK_THROWS_WITH_AS(index_select(x, 1, {0, 3}),
                         Contains("index_select: index 3 (position 1) is out of range for axis 1 of size 3 (shape (2, 3))"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(index_select(x, 0, {-3}), Contains("index_select: index -3 (position 0) is out of range"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(slice(x, 1, 0, 3, 0), Contains("slice: step must not be zero"), ShapeError);
    CHECK_THROWS_WITH_AS(x.at({2, 0}), Contains("at: index 2 is out of range for axis 0 of size 2 (shape (2, 3))"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(x.at({0}), Contains("at: 1 indices given for a tensor of rank 2"), ShapeError);
    CHECK_THROWS_WITH_AS(max(zeros({0, 3})), Contains("max: cannot reduce"), ShapeError);
    CHECK_THROWS_WITH_AS(max(zeros({0, 3})), Contains("(0, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(min(zeros({3, 0}), {1}), Contains("min: cannot reduce"), ShapeError);
    CHECK_THROWS_WITH_AS(mean(zeros({0, 3})), Contains("mean: no elements to average in shape (0, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(argmax(zeros({3, 0}), 1), Contains("argmax: axis 1 of shape (3, 0) is empty"), ShapeError);
}

TEST_CASE("errors: gather with a bad index") {
    const Tensor x = zeros({2, 3}, f64);
    CHECK_THROWS_WITH_AS(gather(x, 1, tensor({{0, 3}, {1, 1}}, f64)),
                         Contains("gather: index value 3 at flat position 1 is not in [0, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, tensor({{0, 1}, {-1, 1}}, f64)), Contains("gather: index value -1"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, tensor({{0, 1.5}, {0, 1}}, f64)),
                         Contains("gather: index 1.5 at flat position 1 of the float64 indices (2, 2) is not an integer"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, tensor({0, 1}, f64)),
                         Contains("gather: index (2) must have the rank of the input (2, 3)"), ShapeError);
    CHECK_THROWS_WITH_AS(gather(x, 1, zeros({3, 1}, f64)),
                         Contains("gather: index (3, 1) and input (2, 3) differ on axis 0 (only axis 1 may differ)"),
                         ShapeError);
}

TEST_CASE("errors: concat, stack, split and chunk mismatches") {
    const Tensor a = zeros({2, 3}), b = zeros({2, 4});
    CHECK_THROWS_WITH_AS(
        concat({a, b}, 0),
        Contains("concat: tensor 1 has shape (2, 4), which differs from tensor 0's (2, 3) on an axis other than 0"),
        ShapeError);
    CHECK_THROWS_WITH_AS(concat({a, zeros({2, 3, 1})}, 0), Contains("concat: tensor 1 has shape (2, 3, 1)"), ShapeError);
    CHECK_THROWS_WITH_AS(concat({}, 0), Contains("concat: needs at least one tensor"), ShapeError);
    CHECK_THROWS_WITH_AS(concat({scalar(1), scalar(2)}), Contains("concat: cannot join rank-0 tensors (use stack)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(stack({a, b}), Contains("stack: tensor 1 has shape (2, 4) but tensor 0 has (2, 3)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(stack({}), Contains("stack: needs at least one tensor"), ShapeError);
    CHECK_THROWS_WITH_AS(split(a, {1, 1}, 1), Contains("split: sizes add up to 2 but axis 1 of shape (2, 3) has 3"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(chunk(a, 2, 1),
                         Contains("chunk: axis 1 of shape (2, 3) (size 3) does not split into 2 equal parts"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(chunk(a, 0, 1), Contains("does not split into 0 equal parts"), ShapeError);
}

TEST_CASE("errors: undefined tensors are named by the op that received them") {
    const Tensor u;
    const Tensor x = zeros({2});
    CHECK_THROWS_WITH_AS(exp(u), "exp: tensor is undefined (default-constructed)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(mul(u, x), Contains("mul: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(mul(x, u), Contains("mul: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(add(u, x), Contains("add: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(u * 2.0, Contains("mul: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(-u, Contains("neg: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sigmoid(u), Contains("sigmoid: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(softmax(u), Contains("softmax: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(step(u), Contains("step: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sum(u), Contains("sum: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(max(u), Contains("max: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(logsumexp(u, {}), Contains("logsumexp: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(argmax(u), Contains("argmax: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(matmul(u, x), Contains("matmul: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(gemm(x, u, false, false), Contains("matmul: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(linear(u, x), Contains("linear: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(reshape(u, {2}), Contains("reshape: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(gather(x, 0, u), Contains("gather: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(concat({x, u}), Contains("concat: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(stack({x, u}), Contains("stack: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(where(u, x, x), Contains("where: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(eq(u, 1.0), Contains("eq: tensor is undefined"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(u.size(0), Contains("size: tensor is undefined"), std::invalid_argument);
}

TEST_CASE("errors: other invalid arguments") {
    CHECK_THROWS_WITH_AS(clamp(zeros({2}), 1, -1), Contains("clamp: lo must not exceed hi"), std::invalid_argument);
}
