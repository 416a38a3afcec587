// fit() with the data-parallel strategy on 2 ranks equals fit() on one process
// with the two ranks' batches together.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <tapegrad/dist/dist.hpp>
#include <tapegrad/tapegrad.hpp>

using namespace tg;
using namespace tg::nn;

namespace {

Dataset make_data(std::size_t rows, std::uint64_t seed) {
    Generator g(seed);
    std::vector<double> xs(rows * 4), ys(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        double s = 0;
        for (int j = 0; j < 4; ++j) s += (xs[i * 4 + j] = g.normal()) * (j + 1);
        ys[i] = s + 0.3 * g.normal() > 0 ? 1.0 : 0.0;
    }
    return Dataset(from_vector(xs, {rows, 4}, {.dtype = DType::f64}), from_vector(ys, {rows, 1}, {.dtype = DType::f64}));
}

std::shared_ptr<Module> make_net() {
    manual_seed(9);
    auto net = mlp({4, 8, 1}, {"tanh"});
    net->to(DType::f64);
    return net;
}

}  // namespace

TEST_CASE("fit with data_parallel(): 2 ranks x 32 rows equal one process x 64 rows, and log the same numbers") {
    REQUIRE(dist::world_size() == 2);
    const Dataset train = make_data(256, 1), validation = make_data(100, 2);
    std::vector<Metric> metrics{Metric("accuracy", 0.0), "roc_auc"};

    auto single = make_net();
    optim::SGD opt1(single->parameters(), {.lr = 0.1, .momentum = 0.9});
    const History h1 = fit(single, BCEWithLogitsLoss(), opt1, train,
                           {.epochs = 3, .batch_size = 64, .seed = 5, .validation = validation,
                            .metrics = metrics, .verbose = 0});

    auto parallel = make_net();
    optim::SGD opt2(parallel->parameters(), {.lr = 0.1, .momentum = 0.9});
    std::ostringstream printed;
    const History h2 = fit(parallel, BCEWithLogitsLoss(), opt2, train,
                           {.epochs = 3, .batch_size = 32, .seed = 5, .validation = validation,
                            .metrics = metrics, .verbose = 2, .out = &printed,
                            .strategy = dist::data_parallel({.bucket_bytes = 64})});

    const auto p1 = single->parameters(), p2 = parallel->parameters();
    for (std::size_t k = 0; k < p1.size(); ++k) {
        const auto a = p1[k].to_vector(), b = p2[k].to_vector();
        for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-10));
    }
    for (const std::string key : {"loss", "accuracy", "roc_auc", "val_loss", "val_accuracy", "val_roc_auc"})
        for (std::size_t e = 0; e < 3; ++e) CHECK(h2[key][e] == doctest::Approx(h1[key][e]).epsilon(1e-10));
    // only rank 0 prints
    CHECK((printed.str().empty()) == (dist::rank() != 0));
}

TEST_CASE("fit with data_parallel() on a two-input, two-output Functional equals one process") {
    REQUIRE(dist::world_size() == 2);
    const Dataset base = make_data(256, 3), validation_base = make_data(100, 4);
    // the second input: the first one's columns reversed; the second target: 1 - y
    auto two = [](const Dataset& d) {
        return Dataset({d.x, index_select(d.x, 1, std::vector<std::int64_t>{3, 2, 1, 0})}, {d.y, 1.0 - d.y});
    };
    const Dataset train = two(base), validation = two(validation_base);
    auto make_model = [] {
        manual_seed(11);
        auto a = std::make_shared<Linear>(4, 6), b = std::make_shared<Linear>(4, 6);
        auto head1 = std::make_shared<Linear>(6, 1), head2 = std::make_shared<Linear>(6, 1);
        auto m = std::make_shared<Functional>(
            NamedModules{{"a", a}, {"b", b}, {"head1", head1}, {"head2", head2}},
            [=](const Tensors& in) {
                const Tensor h = tanh((*a)(in[0]) + (*b)(in[1]));
                return Tensors{(*head1)(h), (*head2)(h)};
            },
            2);
        m->to(DType::f64);
        return m;
    };
    const MultiLossFn loss = per_output_loss({BCEWithLogitsLoss(), BCEWithLogitsLoss()}, {1.0, 0.5});

    auto single = make_model();
    optim::SGD opt1(single->parameters(), {.lr = 0.1, .momentum = 0.9});
    const History h1 = fit(single, loss, opt1, train,
                           {.epochs = 2, .batch_size = 64, .seed = 5, .validation = validation, .verbose = 0});
    auto parallel = make_model();
    optim::SGD opt2(parallel->parameters(), {.lr = 0.1, .momentum = 0.9});
    const History h2 = fit(parallel, loss, opt2, train,
                           {.epochs = 2, .batch_size = 32, .seed = 5, .validation = validation, .verbose = 0,
                            .strategy = dist::data_parallel({.bucket_bytes = 64})});

    const auto p1 = single->parameters(), p2 = parallel->parameters();
    REQUIRE(p1.size() == 8);
    for (std::size_t k = 0; k < p1.size(); ++k) {
        const auto x = p1[k].to_vector(), y = p2[k].to_vector();
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == doctest::Approx(x[i]).epsilon(1e-10));
    }
    for (const std::string key : {"loss", "val_loss"})
        for (std::size_t e = 0; e < 2; ++e) CHECK(h2[key][e] == doctest::Approx(h1[key][e]).epsilon(1e-10));
    CHECK(h1["loss"][1] < h1["loss"][0]);
}
