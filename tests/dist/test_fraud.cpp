// The fraud demo's training on 2 ranks: each rank parses only its part of the
// file, and the model equals the one-process model to float rounding.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <tapegrad/dist/dist.hpp>
#include <tapegrad/tapegrad.hpp>

#include "../../tutorials/fraud/dataset.hpp"
#include "../../tutorials/fraud/generator.hpp"
#include "../../tutorials/fraud/train.hpp"
#include "temp_path.hpp"

using namespace tg;

TEST_CASE("fraud train on 2 ranks: each rank reads its part; the model equals one process's (float)") {
    REQUIRE(dist::world_size() == 2);
    const std::string path = shared_temp_path("fraud.csv");
    if (dist::rank() == 0) {
        std::ofstream out(path, std::ios::binary);
        fraud::generate({.rows = 6000, .seed = 5, .fraud_rate = 0.05, .malformed_rate = 0.01},
                        [&](std::string_view chunk) { out << chunk; });
    }
    dist::barrier();

    auto workers = dist::data_parallel();
    const fraud::LabelledData mine = fraud::load_labelled_part(path, std::size_t(dist::rank()), 2);
    const fraud::LabelledData everywhere = fraud::load_labelled_everywhere(path, *workers);
    const fraud::LabelledData whole = fraud::load_labelled(path);
    CHECK(mine.data.size() < whole.data.size() * 3 / 4);  // a part, not the file
    CHECK(everywhere.data.x.to_vector() == whole.data.x.to_vector());
    CHECK(everywhere.data.y.to_vector() == whole.data.y.to_vector());
    CHECK(everywhere.pattern == whole.pattern);
    CHECK(everywhere.rows_read == whole.rows_read);
    CHECK(everywhere.rejected == whole.rejected);
    REQUIRE(whole.rejected > 0);

    fraud::TrainOptions o;
    o.epochs = 3;
    o.batch_size = 64;
    o.verbose = 0;
    const fraud::TrainResult one = fraud::train_model(whole, o);
    o.strategy = workers;
    const fraud::TrainResult two = fraud::train_model(everywhere, o);
    const auto p1 = one.model.net->parameters(), p2 = two.model.net->parameters();
    REQUIRE(p1.size() == p2.size());
    double worst = 0;
    for (std::size_t k = 0; k < p1.size(); ++k) {
        const auto a = p1[k].to_vector(), b = p2[k].to_vector();
        for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / (1e-3 + std::abs(a[i])));
    }
    MESSAGE("largest relative weight difference, 2 ranks against 1 process: " << worst);
    CHECK(worst < 1e-4);
    CHECK(two.model.threshold == doctest::Approx(one.model.threshold).epsilon(1e-4));
    CHECK(two.best_epoch == one.best_epoch);

    o.batch_size = 63;  // not shared evenly by 2 ranks
    CHECK_THROWS_WITH_AS(fraud::train_model(everywhere, o), doctest::Contains("multiple of 2"), std::invalid_argument);
}
