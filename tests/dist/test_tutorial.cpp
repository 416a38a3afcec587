// Tutorial 15 on 2 ranks reaches the same model as one process on the same
// 32-row steps (the union of the ranks' shares), and tutorial 11's accuracy.
#include <doctest/doctest.h>

#include <sstream>

#include <tapegrad/dist/dist.hpp>

#include "../../tutorials/11_cnn/cnn.hpp"
#include "../../tutorials/15_data_parallel/data_parallel.hpp"

using namespace tg;

TEST_CASE("tutorial 15: the digits CNN on 2 ranks equals one process and reads 97% of held-out digits") {
    std::ostringstream printed;
    const auto res = tut::data_parallel::run(printed);
    CHECK(res.ranks == 2);
    CHECK(res.rows_per_rank_step == 16);
    CHECK(res.test_accuracy >= 0.97);

    // one process, 32 rows a step, in the order the two shards make together
    const nn::Dataset digits = tut::data_parallel::in_double(tut::cnn::load_digits());
    const auto [train, test] = nn::train_test_split(digits, 0.2, {.seed = 7, .stratify = true});
    manual_seed(11);
    auto model = tut::cnn::make_cnn();
    model->to(DType::f64);
    optim::Adam adam(model->parameters(), 0.01);
    // the rows both ranks take, in step order: the permutations fit's loader draws
    // from seed 3, less the last row of each (1437 rows: the ranks leave one out
    // so that both take 16 a step)
    const nn::Sampler whole = [](std::size_t epoch, std::size_t rows) {
        Generator gen(3);
        std::vector<std::size_t> order;
        for (std::size_t e = 0; e <= epoch; ++e) order = nn::permutation(rows, gen);
        order.resize(rows / 2 * 2);
        return order;
    };
    const nn::History h = nn::fit(*model, [](const Tensor& o, const Tensor& t) { return nn::cross_entropy(o, t); },
                                  adam, train,
                                  {.epochs = 12, .batch_size = 32, .sampler = whole, .validation = test,
                                   .metrics = {"accuracy"}, .verbose = 0});
    const double accuracy = nn::accuracy(nn::predict(*model, test.x), test.y);
    CHECK(accuracy == doctest::Approx(res.test_accuracy));
    for (std::size_t e = 0; e < 12; ++e)
        CHECK(h["val_loss"][e] == doctest::Approx(res.history["val_loss"][e]).epsilon(1e-9));
    if (dist::rank() == 0) CHECK(printed.str().find("held-out accuracy") != std::string::npos);
    if (dist::rank() == 1) CHECK(printed.str().empty());
}
