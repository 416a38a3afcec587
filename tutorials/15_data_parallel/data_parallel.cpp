#include "data_parallel.hpp"

#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <tapegrad/dist/dist.hpp>

#include "../11_cnn/cnn.hpp"

namespace tut::data_parallel {

namespace nn = tg::nn;

nn::Dataset in_double(const nn::Dataset& d) { return nn::Dataset(d.x.to(tg::DType::f64), d.y.to(tg::DType::f64)); }

Result run(std::ostream& out) {
    Result res;
    res.ranks = tg::dist::world_size();
    constexpr std::size_t kRowsPerStep = 32;
    if (kRowsPerStep % static_cast<std::size_t>(res.ranks) != 0)
        throw std::invalid_argument(fmt::format("run on 1, 2, 4, 8, 16 or 32 processes, not {}", res.ranks));
    res.rows_per_rank_step = kRowsPerStep / static_cast<std::size_t>(res.ranks);
    const bool chief = tg::dist::is_chief();

    // In double precision, so that the comparison with one process holds to many
    // digits: in float32 the two ways of summing the gradients round differently,
    // and 540 Adam steps carry those last bits into visible differences.
    const nn::Dataset digits = in_double(cnn::load_digits());
    const auto [train, test] = nn::train_test_split(digits, 0.2, {.seed = 7, .stratify = true});
    tg::manual_seed(11);  // the same initial weights everywhere (DDP also copies rank 0's)
    auto model = cnn::make_cnn();
    model->to(tg::DType::f64);
    tg::optim::Adam adam(model->parameters(), 0.01);
    const nn::LossFn loss = [](const tg::Tensor& o, const tg::Tensor& t) { return nn::cross_entropy(o, t); };
    if (chief)
        fmt::print(out, "Tutorial 15: the digits CNN of tutorial 11, trained on {} process{}.\n"
                        "  {} rows a step{}. Adam (lr 0.01), 12 epochs, float64.\n",
                   res.ranks, res.ranks == 1 ? "" : "es", kRowsPerStep,
                   res.ranks == 1 ? "" : fmt::format(": {} from each process", res.rows_per_rank_step));
    res.history = nn::fit(*model, loss, adam, train,
                          {.epochs = 12, .batch_size = res.rows_per_rank_step, .seed = 3, .validation = test,
                           .metrics = {"accuracy"}, .verbose = 0, .strategy = tg::dist::data_parallel()});
    const nn::History& h = res.history;
    if (chief) {
        fmt::print(out, "  {:>5} {:>8} {:>9} {:>9} {:>13}\n", "epoch", "loss", "accuracy", "val_loss", "val_accuracy");
        for (std::size_t e = 0; e < h.epochs(); ++e)
            if (e < 3 || (e + 1) % 3 == 0)
                fmt::print(out, "  {:>5} {:>8.4f} {:>8.1f}% {:>9.4f} {:>12.1f}%\n", e + 1, h["loss"][e],
                           100 * h["accuracy"][e], h["val_loss"][e], 100 * h["val_accuracy"][e]);
    }
    const tg::Tensor logits = nn::predict(*model, test.x);
    res.test_accuracy = nn::accuracy(logits, test.y);
    res.test_size = test.size();
    res.test_right = static_cast<std::size_t>(res.test_accuracy * static_cast<double>(res.test_size) + 0.5);
    if (chief)
        fmt::print(out, "  held-out accuracy {:.1f}% ({} of {} right)\n", 100 * res.test_accuracy, res.test_right,
                   res.test_size);
    return res;
}

}  // namespace tut::data_parallel
