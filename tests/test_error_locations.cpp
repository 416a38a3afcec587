// Errors name the user's file and line (Note [error locations] in
// graph/error.hpp): for the operators a + b, a - b, a * b, a / b and their
// compound forms, and for errors raised inside layers, which name the line that
// called the layer rather than the library's own source file.
#include <memory>
#include <string>

#include "helpers.hpp"

using namespace tg;
using doctest::Contains;

namespace {

using tg::test::message_of;

std::string at_line(int line) { return "(at test_error_locations.cpp:" + std::to_string(line); }

/// A user model whose forward calls its layers: an error inside fc2 names the
/// line of `(*fc2)(...)` here, the innermost call written outside the library.
struct TwoLayers : nn::Module {
    std::shared_ptr<nn::Linear> fc1, fc2;
    int fc2_line = 0;
    TwoLayers() {
        fc1 = register_module("fc1", std::make_shared<nn::Linear>(2, 3));
        fc2 = register_module("fc2", std::make_shared<nn::Linear>(4, 1));  // expects 4 features, gets 3
    }
    Tensor forward(const Tensor& x) override {
        Tensor h = relu((*fc1)(x));
        fc2_line = __LINE__ + 1;
        return (*fc2)(h);
    }
};

}  // namespace

TEST_CASE("error locations: tensor-tensor operators name the expression's line") {
    const Tensor a = zeros({2, 3}), b = zeros({4, 3});
    // each lambda is one line: __LINE__ there is the expression's line
    std::string m = message_of([&] { return a + b; }); const int add_line = __LINE__;
    CHECK(m.find("add: shapes (2, 3) and (4, 3) do not broadcast") != std::string::npos);
    CHECK(m.find(at_line(add_line) + ")") != std::string::npos);
    m = message_of([&] { return a - b; }); const int sub_line = __LINE__;
    CHECK(m.find("sub: shapes (2, 3) and (4, 3)") != std::string::npos);
    CHECK(m.find(at_line(sub_line) + ")") != std::string::npos);
    m = message_of([&] { return a * b; }); const int mul_line = __LINE__;
    CHECK(m.find("mul: shapes (2, 3) and (4, 3)") != std::string::npos);
    CHECK(m.find(at_line(mul_line) + ")") != std::string::npos);
    m = message_of([&] { return a / b; }); const int div_line = __LINE__;
    CHECK(m.find("div: shapes (2, 3) and (4, 3)") != std::string::npos);
    CHECK(m.find(at_line(div_line) + ")") != std::string::npos);
}

TEST_CASE("error locations: compound assignments and dtype mismatches name the line too") {
    Tensor a = zeros({2, 3});
    const Tensor b = zeros({4, 3}), d = zeros({2, 3}, {DType::f64});
    std::string m = message_of([&] { a += b; }); const int l1 = __LINE__;
    CHECK(m.find(at_line(l1) + ")") != std::string::npos);
    m = message_of([&] { a -= b; }); const int l2 = __LINE__;
    CHECK(m.find(at_line(l2) + ")") != std::string::npos);
    m = message_of([&] { a *= b; }); const int l3 = __LINE__;
    CHECK(m.find(at_line(l3) + ")") != std::string::npos);
    m = message_of([&] { a /= b; }); const int l4 = __LINE__;
    CHECK(m.find(at_line(l4) + ")") != std::string::npos);
    m = message_of([&] { return a + d; }); const int l5 = __LINE__;
    CHECK(m.find("add: operands have different dtypes") != std::string::npos);
    CHECK(m.find(at_line(l5) + ")") != std::string::npos);
    // the number forms still pick their own overloads (no ambiguity with TensorAt)
    CHECK((a + 1.0).to_vector() == std::vector<double>(6, 1.0));
    CHECK((2.0 * (a + 1.0) - 1.0).to_vector() == std::vector<double>(6, 1.0));
}

TEST_CASE("error locations: an error inside a layer names the caller's line, not the library's file") {
    nn::Linear fc(3, 2);
    std::string m = message_of([&] { return fc(zeros({5, 4})); }); const int line = __LINE__;
    CHECK(m.find("Linear(in_features=3, out_features=2): input (5, 4) must end with 3 features") != std::string::npos);
    CHECK(m.find(at_line(line) + ", in Linear)") != std::string::npos);
    CHECK(m.find("linear.cpp") == std::string::npos);

    nn::Conv2d conv(3, 8, 3);
    m = message_of([&] { return conv(zeros({1, 2, 8, 8})); }); const int conv_line = __LINE__;
    CHECK(m.find("input (1, 2, 8, 8) has 2 channels, expected 3") != std::string::npos);
    CHECK(m.find(at_line(conv_line) + ", in Conv2d)") != std::string::npos);

    nn::LayerNorm norm(Shape{4});
    m = message_of([&] { return norm(zeros({2, 3})); }); const int norm_line = __LINE__;
    CHECK(m.find("does not end in the normalised shape (4)") != std::string::npos);
    CHECK(m.find(at_line(norm_line) + ", in LayerNorm)") != std::string::npos);

    // an op's own error inside a layer (int64 input refused by check_float)
    m = message_of([&] { return fc(zeros({5, 3}, {DType::i64})); }); const int dtype_line = __LINE__;
    CHECK(m.find("Linear: needs a float32 or float64 tensor") != std::string::npos);
    CHECK(m.find(at_line(dtype_line) + ", in Linear)") != std::string::npos);
}

TEST_CASE("error locations: nested modules name the user's call") {
    // Sequential calls its layers from library code: the user's call of the Sequential is named
    nn::Sequential net(nn::Linear(2, 3), nn::ReLU(), nn::Linear(4, 1));
    std::string m = message_of([&] { return net(zeros({5, 2})); }); const int line = __LINE__;
    CHECK(m.find("Linear(in_features=4, out_features=1): input (5, 3) must end with 4 features") != std::string::npos);
    CHECK(m.find(at_line(line) + ", in Sequential)") != std::string::npos);
    // the same through the fused Linear + ReLU path of the first pair
    nn::Sequential fused(nn::Linear(2, 3), nn::ReLU());
    m = message_of([&] { return fused(zeros({5, 7})); }); const int fused_line = __LINE__;
    CHECK(m.find(at_line(fused_line) + ", in Sequential)") != std::string::npos);

    // a user's forward calling its layers: the line of the layer call in that forward
    TwoLayers model;
    m = message_of([&] { return model(zeros({5, 2})); });
    REQUIRE(model.fc2_line != 0);
    CHECK(m.find("input (5, 3) must end with 4 features") != std::string::npos);
    CHECK(m.find(at_line(model.fc2_line) + ", in Linear)") != std::string::npos);

    // after the call the site is gone: a plain op error names its own line again
    const Tensor a = zeros({2}), b = zeros({3});
    m = message_of([&] { return mul(a, b); }); const int after = __LINE__;
    CHECK(m.find(at_line(after) + ")") != std::string::npos);
    CHECK(m.find(", in ") == std::string::npos);
}

TEST_CASE("error locations: a model called with several inputs names the caller's line") {
    // a Functional over a layer that expects 4 features and is given 3: its
    // function is the user's code, so the layer call there is named
    auto fc = std::make_shared<nn::Linear>(4, 1);
    nn::Functional model({{"fc", fc}}, [=](const nn::Tensors& in) { return nn::Tensors{(*fc)(in[0] + in[1])}; }, 2); const int fn_line = __LINE__;
    const Tensor a = zeros({5, 3}), b = zeros({5, 3});
    std::string m = message_of([&] { return model({a, b}); });
    CHECK(m.find("input (5, 3) must end with 4 features") != std::string::npos);
    CHECK(m.find(at_line(fn_line) + ", in Linear)") != std::string::npos);
    // an error of the model call itself (two inputs where it takes 2... given 3) names the caller
    m = message_of([&] { return model(nn::Tensors{a, b, a}); }); const int call_line = __LINE__;
    CHECK(m.find("3") != std::string::npos);
    CHECK(m.find(at_line(call_line)) != std::string::npos);
}

TEST_CASE("error locations: where() reports a library location only through a user call site") {
    // a location inside the library with no active call site says nothing
    CHECK(where(std::source_location::current()).find("test_error_locations.cpp") != std::string::npos);
    CHECK(!in_library(std::source_location::current()));
    CHECK(where(std::source_location{}).empty());
}
