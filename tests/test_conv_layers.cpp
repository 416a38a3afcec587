// Conv, pooling, batch-norm and embedding modules.
#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;
using tg::test::rnd;

TEST_CASE("conv layers: Conv2d and Conv1d wrap the ops with PyTorch's names, shapes and init bounds") {
    manual_seed(1);
    Conv2d conv(3, 8, 3, 1, 1);
    const auto names = conv.named_parameters();
    REQUIRE(names.size() == 2);
    CHECK(names[0].first == "weight");
    CHECK(names[0].second.shape() == Shape{8, 3, 3, 3});
    CHECK(names[1].first == "bias");
    const double bound = 1.0 / std::sqrt(27.0);
    for (double v : conv.weight.to_vector()) CHECK(std::abs(v) <= bound);
    const Tensor x = rand({2, 3, 5, 5});
    const Tensor y = conv(x);
    CHECK(y.shape() == Shape{2, 8, 5, 5});
    CHECK(y.to_vector() == conv2d(x, conv.weight, conv.bias, 1, 1).to_vector());
    Conv2d strided(3, 4, {3, 2}, {2, 1}, 0, 1, false);
    CHECK(strided.parameters().size() == 1);
    CHECK(strided(x).shape() == Shape{2, 4, 2, 4});
    Conv1d c1(2, 3, 3, 1, 1);
    CHECK(c1(rand({4, 2, 10})).shape() == Shape{4, 3, 10});
    CHECK(to_string(conv).find("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))") != std::string::npos);
}

TEST_CASE("conv layers: errors name the layer and the shapes") {
    Conv2d conv(3, 8, 3);
    const std::string rank = test::shape_error_of([&] { conv(zeros({3, 5, 5})); });
    CHECK(rank.find("Conv2d(3, 8, kernel_size=(3, 3)") != std::string::npos);
    CHECK(rank.find("4-D input [batch, in_channels, height, width], got shape (3, 5, 5)") != std::string::npos);
    const std::string channels = test::shape_error_of([&] { conv(zeros({2, 4, 5, 5})); });
    CHECK(channels.find("input (2, 4, 5, 5) has 4 channels, expected 3") != std::string::npos);
    const std::string small = test::shape_error_of([&] { conv(zeros({1, 3, 2, 2})); });
    CHECK(small.find("Conv2d(") == 0);
    CHECK(small.find("larger than the padded input") != std::string::npos);
    Conv1d c1(2, 3, 5);
    CHECK(test::shape_error_of([&] { c1(zeros({1, 2, 3})); }).find("Conv1d(2, 3") == 0);
    MaxPool2d pool(2);
    CHECK(test::shape_error_of([&] { pool(zeros({1, 4, 4})); }).find("MaxPool2d(kernel_size=(2, 2)") == 0);
    BatchNorm2d bn(4);
    CHECK(test::shape_error_of([&] { bn(zeros({2, 3, 4, 4})); }).find("BatchNorm2d(4): input (2, 3, 4, 4) has 3 channels") == 0);
    CHECK(test::shape_error_of([&] { bn(zeros({2, 4, 4})); }).find("expected a 4-D input") != std::string::npos);
    Embedding emb(10, 3);
    CHECK(test::shape_error_of([&] { emb(tensor({1.0, 10.0})); }).find("Embedding(10, 3): embedding: index 10") == 0);
}

TEST_CASE("conv layers: pooling modules and a small CNN in Sequential with summary") {
    const Tensor x = rnd({2, 3, 8, 8});
    CHECK(MaxPool2d(2)(x).to_vector() == max_pool2d(x, 2).to_vector());
    CHECK(AvgPool2d(3, 1, 1)(x).to_vector() == avg_pool2d(x, 3, 1, 1).to_vector());
    CHECK(GlobalAvgPool2d()(x).shape() == Shape{2, 3});
    CHECK(MaxPool1d(2)(rnd({2, 3, 6})).shape() == Shape{2, 3, 3});
    manual_seed(2);
    Sequential net(Conv2d(1, 4, 3, 1, 1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Conv2d(4, 8, 3, 1, 1), ReLU(),
                   GlobalAvgPool2d(), Linear(8, 10));
    CHECK(net(rand({5, 1, 8, 8})).shape() == Shape{5, 10});
    const std::string table = summary_string(net, {1, 1, 8, 8});
    CHECK(table.find("Conv2d") != std::string::npos);
    CHECK(table.find("(1, 4, 8, 8)") != std::string::npos);
    CHECK(table.find("(1, 8)") != std::string::npos);
    // 4*1*9+4 + 4+4 + 8*4*9+8 + 8*10+10 = 40 + 8 + 296 + 90
    CHECK(net.parameter_count() == 434);
}

TEST_CASE("conv layers: BatchNorm running statistics, train and eval behaviour") {
    BatchNorm1d bn(2, {.momentum = 0.5});
    const Tensor x = tensor({{1, 10}, {3, 30}});
    const Tensor y = bn(x);  // training: batch statistics
    CHECK(y.at({0, 0}) == doctest::Approx(-1.0).epsilon(1e-4));
    CHECK(y.at({1, 1}) == doctest::Approx(1.0).epsilon(1e-4));
    CHECK(bn.running_mean.at({0}) == doctest::Approx(1.0));        // 0.5 * 0 + 0.5 * 2
    CHECK(bn.running_var.at({0}) == doctest::Approx(0.5 + 1.0));   // 0.5 * 1 + 0.5 * unbiased var 2
    const auto names = bn.state_dict();
    REQUIRE(names.size() == 5);
    CHECK(names[2].first == "running_mean");
    CHECK(names[4].first == "num_batches_tracked");
    CHECK(bn.num_batches_tracked.to_vector<std::int64_t>() == std::vector<std::int64_t>{1});
    bn.eval();
    const Tensor e = bn(tensor({{1.0, 10.0}}));  // one sample is fine in eval
    CHECK(e.at({0, 0}) == doctest::Approx(0.0).epsilon(1e-4));
    CHECK(bn.running_mean.at({0}) == doctest::Approx(1.0));  // unchanged in eval
    bn.train();
    CHECK_THROWS_AS(bn(tensor({{1.0, 10.0}})), ShapeError);  // one value per channel in training
    CHECK(bn.num_batches_tracked.to_vector<std::int64_t>() == std::vector<std::int64_t>{1});  // a refused batch does not count
    BatchNorm2d bn2(3, {.affine = false, .track_running_stats = false});
    CHECK(bn2.parameters().empty());
    bn2.eval();  // without running statistics eval uses the batch's
    const Tensor z = bn2(rnd({4, 3, 2, 2}, -5, 5));
    CHECK(std::abs(mean(z).item()) < 1e-5);
}

TEST_CASE("conv layers: Embedding lookup and its gradient") {
    manual_seed(4);
    Embedding emb(5, 3);
    CHECK(emb.weight.shape() == Shape{5, 3});
    const Tensor idx = tensor({{0.0, 4.0, 4.0}});
    const Tensor e = emb(idx);
    REQUIRE(e.shape() == Shape{1, 3, 3});
    CHECK(e.at({0, 1, 2}) == emb.weight.at({4, 2}));
    sum(e).backward();
    CHECK(emb.weight.grad().at({4, 0}) == 2);
    CHECK(emb.weight.grad().at({1, 0}) == 0);
}

TEST_CASE("conv layers: constructors refuse negative and absurd kernel, stride, padding and dilation") {
    const std::size_t minus_one = static_cast<std::size_t>(-1);
    CHECK(test::shape_error_of([&] { Conv2d(1, 1, 3, 1, minus_one); }).find("Conv2d: padding along height is negative") == 0);
    CHECK(test::shape_error_of([&] { Conv2d(1, 1, 3, Size2(1, minus_one)); }).find("Conv2d: stride along width is negative") == 0);
    CHECK(test::shape_error_of([&] { Conv2d(1, 1, 3, 1, 0, std::size_t(1) << 40); }).find("Conv2d: dilation") == 0);
    CHECK(test::shape_error_of([&] { Conv1d(1, 1, 3, 1, minus_one); }).find("Conv1d: padding along length is negative") == 0);
    CHECK(test::shape_error_of([&] { MaxPool2d(2, 0, minus_one); }).find("MaxPool2d: padding along height is negative") == 0);
    CHECK(test::shape_error_of([&] { AvgPool2d pool(minus_one); }).find("AvgPool2d: kernel size along height is negative") == 0);
    CHECK(test::shape_error_of([&] { MaxPool1d(2, minus_one); }).find("MaxPool1d: stride along length is negative") == 0);
    CHECK(test::shape_error_of([&] { MaxPool2d(2, Size2(2, 0)); }) == "no error");  // 0 = the kernel size
}
