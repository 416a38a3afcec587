// The tutorials (tutorials/NN_topic): their key numbers, and the output their
// READMEs quote (see Note [tutorial output is checked] in tutorials/common/report.hpp).
// Refresh the quoted output after changing a tutorial:
//     TAPEGRAD_UPDATE_READMES=1 ./build/tests/tapegrad_tests -tc='tutorials:*'
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../tutorials/01_perceptron/perceptron.hpp"
#include "../tutorials/02_xor/xor.hpp"
#include "../tutorials/03_activations/activations.hpp"
#include "../tutorials/04_forward/forward.hpp"
#include "../tutorials/05_loss/loss.hpp"
#include "../tutorials/06_gradient_descent/descent.hpp"
#include "../tutorials/07_gradient_ascent/ascent.hpp"
#include "../tutorials/08_backprop/backprop.hpp"
#include "../tutorials/09_vanishing_exploding/gradients.hpp"
#include "../tutorials/10_deep_networks/deep.hpp"
#include "../tutorials/11_cnn/cnn.hpp"
#include "../tutorials/12_rnn/rnn.hpp"
#include "../tutorials/14_transformer/transformer.hpp"
#include "../tutorials/common/ascii.hpp"
#include "../tutorials/common/readme_check.hpp"
#include "../tutorials/common/testing.hpp"

namespace {

// All problems of a README as one message, so a failure shows them.
void check_readme_matches(const std::string& topic, const std::string& output) {
    const auto problems = tut::testing::readme_problems(topic, output);
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    INFO(all);
    CHECK(problems.empty());
}

}  // namespace

TEST_CASE("tutorials: readme_check finds, compares and rewrites quoted sections") {
    const std::string output = "intro\n\n=== First part ===\na 1\nb 2\n\n=== Second (part) ===\nc 3\n\n=== Files ===\nwrote x\n";
    CHECK(tut::slug("Second (part)") == "second-part");
    CHECK(tut::output_section(output, "first-part") == "=== First part ===\na 1\nb 2\n");
    CHECK(tut::output_section(output, "second-part") == "=== Second (part) ===\nc 3\n");
    CHECK(tut::output_section(output, "third") == "");

    const auto dir = std::filesystem::temp_directory_path() / "tapegrad-readme-check-test";
    std::filesystem::create_directories(dir);
    const auto readme = dir / "README.md";
    tut::write_file_atomic(readme, "# T\n<!-- output: t#first-part -->\n```text\n=== First part ===\na 1\nb 2\n```\n"
                                   "text\n<!-- output: t#second-part -->\n\n```text\nold\n```\nend\n");
    auto problems = tut::check_readme(readme, "t", output);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("second-part") != std::string::npos);
    CHECK(tut::check_readme(readme, "other", output).size() == 1);  // quotes nothing of "other"
    tut::check_readme(readme, "t", output, /*update=*/true);
    CHECK(tut::check_readme(readme, "t", output).empty());
    // a marker without a block is reported, not ignored
    tut::write_file_atomic(readme, "<!-- output: t#first-part -->\nno block\n");
    CHECK(tut::check_readme(readme, "t", output).size() == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("tutorials: ascii plots put points where they belong") {
    tut::Series s{"line", '*', {0, 1, 2}, {0, 1, 2}};
    const std::string plot = tut::ascii_plot({s}, {.width = 3, .height = 3});
    // the rising line: bottom-left, middle, top-right
    CHECK(plot.find("2 |  *\n") != std::string::npos);
    CHECK(plot.find("  | *\n") != std::string::npos);
    CHECK(plot.find("0 |*\n") != std::string::npos);
    const std::string map = tut::ascii_map([](double x, double) { return x < 0 ? '.' : '#'; }, -1, 1, 0, 1, {}, 5, 2);
    CHECK(map.find("|..###") != std::string::npos);
    CHECK(tut::ascii_image({0, 16}, 1, 2, 16).find("|  @@|") != std::string::npos);
}

TEST_CASE("tutorials: 01 perceptron learns AND and OR through the chain rule") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("01_perceptron", tut::perceptron::run, run);
    CHECK(r.neuron_sum_a == doctest::Approx(0.1));
    CHECK(r.neuron_out_a == 1);
    CHECK(r.neuron_sum_b == doctest::Approx(-0.1));
    CHECK(r.neuron_out_b == 0);
    // the first update on AND: (y - d)·(x1, x2, 1) with y = 0, d = 1, x = (1, 1)
    CHECK(r.first_gradient == std::vector<double>{-1, -1, -1});
    CHECK(r.and_result.accuracy == 1.0);
    CHECK(r.or_result.accuracy == 1.0);
    CHECK(r.and_result.epochs.size() == 6);
    CHECK(r.and_result.epochs.back().errors == 0);
    CHECK(r.and_result.w1 == doctest::Approx(0.2));
    CHECK(r.and_result.w2 == doctest::Approx(0.1));
    CHECK(r.and_result.b == doctest::Approx(-0.2));
    CHECK(r.or_result.epochs.size() == 4);
    check_readme_matches("01_perceptron", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 02 xor: the perceptron cycles and fails, the MLP solves it") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("02_xor", tut::xor_gate::run, run);
    CHECK_FALSE(r.perceptron.converged);
    CHECK(r.perceptron.epochs.size() == 100);  // stopped by the cap
    CHECK(r.perceptron.cycle_start > 0);
    CHECK(r.perceptron.best_accuracy <= 0.75);
    CHECK(r.perceptron.final_accuracy <= 0.75);
    CHECK(r.mlp.accuracy == 1.0);
    CHECK(r.mlp.loss < 0.01);
    check_readme_matches("02_xor", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 03 activations: derivatives from autodiff match the formulas") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("03_activations", tut::activations::run, run);
    CHECK(r.sigmoid_d0 == doctest::Approx(0.25).epsilon(1e-15));
    CHECK(r.sigmoid_max_d <= 0.25);
    CHECK(r.tanh_d0 == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(r.relu_d_pos == 1.0);
    CHECK(r.relu_d_neg == 0.0);
    CHECK(r.leaky_d_neg == doctest::Approx(0.01));
    CHECK(r.step_max_abs_d == 0.0);
    CHECK(r.max_formula_gap < 1e-12);
    // softmax sums to 1 and its Jacobian from autodiff is diag(p) - p p^T
    const auto& sm = r.softmax;
    CHECK(sm.probs[0] + sm.probs[1] + sm.probs[2] == doctest::Approx(1.0));
    CHECK(sm.probs[0] == doctest::Approx(0.6590011388859679));
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            CHECK(sm.jacobian[i][j] == doctest::Approx((i == j ? sm.probs[i] : 0.0) - sm.probs[i] * sm.probs[j]));
    // vanishing: ten sigmoid layers multiply the gradient by less than 0.25^10; relu passes it
    CHECK(r.sigmoid_chain.size() == 10);
    CHECK(r.sigmoid_chain[9] < std::pow(0.25, 10));
    CHECK(r.sigmoid_chain[0] == doctest::Approx(0.19661193324148185));
    CHECK(r.tanh_chain[9] > r.sigmoid_chain[9]);
    for (double g : r.relu_chain) CHECK(g == 1.0);
    check_readme_matches("03_activations", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 04 forward propagation, by hand and with layers") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("04_forward", tut::forward::run, run);
    CHECK(r.hidden == std::vector<double>{1.5, 1.5, 0.0, 2.75});
    // net inputs -1.75 and 3.625: P(fraud) = 1 / (1 + e^(-(3.625 + 1.75)))
    CHECK(r.probabilities[1] == doctest::Approx(1 / (1 + std::exp(-5.375))).epsilon(1e-6));
    CHECK(r.probabilities[0] + r.probabilities[1] == doctest::Approx(1.0));
    CHECK(r.layers_gap < 1e-6);
    REQUIRE(r.batch_fraud.size() == 4);
    CHECK(r.batch_fraud[0] > 0.5);
    CHECK(r.batch_fraud[1] < 0.5);
    CHECK(r.batch_fraud[2] < 0.5);
    CHECK(r.batch_fraud[3] > 0.5);
    check_readme_matches("04_forward", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 05 loss and cost on real numbers") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("05_loss", tut::loss::run, run);
    CHECK(r.arrow_error == -2);
    CHECK(r.arrow_squared == 4);
    CHECK(r.arrow_absolute == 2);
    CHECK(r.guess_sum == doctest::Approx(150 * r.guess_mse));
    CHECK(r.guess_half_sum == doctest::Approx(r.guess_sum / 2));
    CHECK(r.guess_mse == doctest::Approx(0.04285).epsilon(1e-3));
    CHECK(r.best_m == doctest::Approx(0.4158).epsilon(1e-3));
    CHECK(r.best_c == doctest::Approx(-0.3631).epsilon(1e-3));
    CHECK(r.best_mse < r.guess_mse);
    REQUIRE(r.bce.size() == 5);
    CHECK(r.bce[0] == doctest::Approx(-std::log(0.9)));
    CHECK(r.bce[2] == doctest::Approx(-std::log(0.1)));
    CHECK(r.bce[4] == doctest::Approx(-std::log(0.01)));
    CHECK(r.bce_from_logits_mean == doctest::Approx(r.bce_mean).epsilon(1e-9));
    const double lse = std::log(std::exp(2.0) + std::exp(0.5) + std::exp(-1.0));
    CHECK(r.ce_right == doctest::Approx(lse - 2.0));
    CHECK(r.ce_wrong == doctest::Approx(lse + 1.0));
    check_readme_matches("05_loss", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 06 gradient descent: learning rates compared, one diverges") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("06_gradient_descent", tut::descent::run, run);
    REQUIRE(r.runs.size() == 4);
    const auto last = [&](std::size_t k) { return r.runs[k].path.back(); };
    CHECK(r.runs[2].verdict == "converged");
    CHECK(last(2).m == doctest::Approx(r.best_m).epsilon(1e-6));
    CHECK(last(2).c == doctest::Approx(r.best_c).epsilon(1e-6));
    CHECK(r.runs[3].verdict == "diverged");
    CHECK(last(3).mse > 1e6);
    CHECK(last(0).mse > last(1).mse);  // 0.001 is slower than 0.01, which is slower than 0.1
    CHECK(last(1).mse > last(2).mse);
    CHECK(r.runs[0].verdict == "still on its way");
    CHECK(r.m_cm == doctest::Approx(0.4158).epsilon(1e-3));
    CHECK(r.c_cm == doctest::Approx(-0.3631).epsilon(1e-3));
    CHECK(r.raw_lr01_mse > 1e6);
    check_readme_matches("06_gradient_descent", run.output);
    CHECK(std::filesystem::exists(run.dir / "bowl.csv"));
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 07 gradient ascent climbs to the maximum with maximize") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("07_gradient_ascent", tut::ascent::run, run);
    CHECK(r.profit.x == doctest::Approx(8.25).epsilon(1e-6));
    CHECK(r.profit.objective == doctest::Approx(144.5).epsilon(1e-9));
    CHECK(r.profit.iterations.front().undone);  // lr 0.2 overshoots: halved once
    CHECK(r.profit.iterations.back().lr == doctest::Approx(0.1));
    CHECK(r.profit.stop_reason.find("smaller than") != std::string::npos);
    CHECK(r.max_gap_maximize_vs_minimize_neg == 0.0);
    // the slope -4w^3 + 8w + 1 vanishes at both tops
    for (double w : {r.hill_left.x, r.hill_right.x}) CHECK(std::abs(-4 * w * w * w + 8 * w + 1) < 1e-4);
    CHECK(r.hill_left.x < 0);
    CHECK(r.hill_right.x > 0);
    CHECK(r.hill_right.objective > r.hill_left.objective);
    check_readme_matches("07_gradient_ascent", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 08 backprop reproduces the lesson's worked example to 8 decimals") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("08_backprop", tut::backprop::run, run);
    const double tol = 5e-9;  // the references are NOTES.md's, given to 9 decimals
    // forward pass
    CHECK(std::abs(r.net_h1 - 0.3775) < tol);
    CHECK(std::abs(r.out_h1 - 0.593269992) < tol);
    CHECK(std::abs(r.out_h2 - 0.596884378) < tol);
    CHECK(std::abs(r.net_o1 - 1.105905967) < tol);
    CHECK(std::abs(r.out_o1 - 0.751365070) < tol);
    CHECK(std::abs(r.out_o2 - 0.772928465) < tol);
    CHECK(std::abs(r.e_o1 - 0.274811083) < tol);
    CHECK(std::abs(r.e_o2 - 0.023560026) < tol);
    CHECK(std::abs(r.e_total - 0.298371109) < tol);
    // chain-rule factors of dE/dw5 and dE/dw1
    CHECK(std::abs(r.de_dout_o1 - 0.741365070) < tol);
    CHECK(std::abs(r.dout_o1_dnet_o1 - 0.186815602) < tol);
    CHECK(std::abs(r.dnet_o1_dw5 - 0.593269992) < tol);
    CHECK(std::abs(r.de_dw5 - 0.082167041) < tol);
    CHECK(std::abs(r.de_dout_o1 * r.dout_o1_dnet_o1 * r.dnet_o1_dw5 - r.de_dw5) < 1e-15);
    CHECK(std::abs(r.delta_o1 - 0.138498562) < tol);
    CHECK(std::abs(r.de_o1_dout_h1 - 0.055399425) < tol);
    CHECK(std::abs(r.de_o2_dout_h1 - -0.019049118) < tol);
    CHECK(std::abs(r.de_dout_h1 - 0.036350306) < tol);
    CHECK(std::abs(r.de_o1_dout_h1 + r.de_o2_dout_h1 - r.de_dout_h1) < 1e-15);
    CHECK(std::abs(r.dout_h1_dnet_h1 - 0.241300709) < tol);
    CHECK(r.dnet_h1_dw1 == 0.05);
    CHECK(std::abs(r.de_dw1 - 0.000438568) < tol);
    CHECK(std::abs(r.grad[0] - r.de_dw1) < 1e-15);
    CHECK(std::abs(r.grad[4] - r.de_dw5) < 1e-15);
    // all eight updated weights
    const double after[8] = {0.14978072, 0.19956143, 0.24975114, 0.29950229,
                             0.35891648, 0.40866619, 0.51130127, 0.56137012};
    for (int k = 0; k < 8; ++k) {
        INFO("w" << k + 1);
        CHECK(std::abs(r.updated[k] - after[k]) < 5e-9);
    }
    CHECK(r.e_total_after_one_step < r.e_total);
    check_readme_matches("08_backprop", run.output);
    CHECK(std::filesystem::exists(run.dir / "error.csv"));
    CHECK(std::filesystem::exists(run.dir / "trace.dot"));
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 09 vanishing and exploding gradients, and the fixes") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("09_vanishing_exploding", tut::gradients::run, run);
    REQUIRE(r.norms.size() == 4);
    const auto& sigmoid = r.norms[0];
    const auto& tanh_xavier = r.norms[1];
    const auto& relu_he = r.norms[2];
    const auto& relu_bad = r.norms[3];
    REQUIRE(sigmoid.size() == 11);
    // vanishing: the first layer of the deep sigmoid net gets a millionth of the last one's gradient
    CHECK(sigmoid.front() / sigmoid.back() < 1e-6);
    for (std::size_t l = 1; l < sigmoid.size(); ++l) CHECK(sigmoid[l - 1] < sigmoid[l]);
    // exploding: every gradient of the N(0, 1) net is enormous
    for (double n : relu_bad) CHECK(n > 1e4);
    // the fixes keep every layer within a factor 10 of the last
    for (const auto* n : {&tanh_xavier, &relu_he})
        for (double g : *n) {
            CHECK(g > n->back() / 10);
            CHECK(g < n->back() * 10);
        }
    // training: sigmoid barely moves (majority class), the fixed nets learn, the bad one diverges
    REQUIRE(r.trained.size() == 4);
    CHECK(r.trained[0].accuracy < 0.7);
    CHECK(r.trained[1].accuracy > 0.97);
    CHECK(r.trained[2].accuracy > 0.97);
    CHECK(r.trained[3].diverged);
    // clipping keeps the bad net finite, with small steps
    CHECK_FALSE(r.clipped.diverged);
    CHECK(r.clipped.losses.back() < r.clipped.losses.front());
    CHECK(r.clipped.first_layer_change.front() <= 1.0 * 0.05 + 1e-6);  // a step is at most lr * max_norm
    check_readme_matches("09_vanishing_exploding", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 10 a DNN on breast-cancer data beats the perceptron") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("10_deep_networks", tut::deep::run, run);
    CHECK(r.dnn.scores.accuracy >= 0.95);
    CHECK(r.dnn.scores.roc_auc >= 0.98);
    REQUIRE(r.splits.size() == 10);
    CHECK(r.dnn_mean >= 0.95);
    CHECK(r.dnn_mean > r.perceptron_mean);
    int dnn_auc_higher = 0;
    for (const auto& s : r.splits) dnn_auc_higher += s.dnn_auc > s.perceptron_auc;
    CHECK(dnn_auc_higher >= 8);
    check_readme_matches("10_deep_networks", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 11 a CNN reads the 8x8 digits") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("11_cnn", tut::cnn::run, run);
    CHECK(r.train_size + r.test_size == 1797);
    CHECK(r.test_accuracy >= 0.97);
    REQUIRE(r.confusion.classes == 10);
    CHECK(r.confusion.total() == r.test_size);
    std::size_t right = 0;
    for (std::size_t k = 0; k < 10; ++k) right += r.confusion.at(k, k);
    CHECK(right + r.mistakes.size() == r.test_size);
    CHECK(static_cast<double>(right) / static_cast<double>(r.test_size) == doctest::Approx(r.test_accuracy));
    for (const auto& m : r.mistakes) CHECK(m.truth != m.predicted);
    CHECK(r.edge_response_max > 0);
    CHECK(r.history["loss"].back() < r.history["loss"].front());
    check_readme_matches("11_cnn", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 12 an RNN remembers with its state, and forecasts sunspots") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("12_rnn", tut::rnn::run, run);
    CHECK(r.rnn_accuracy >= 0.95);
    CHECK(r.memoryless_accuracy <= 0.6);  // no memory, no better than a coin
    REQUIRE(r.state_gap.size() == 10);
    for (double g : r.state_gap) CHECK(g > 0.5);  // the first input is never forgotten
    CHECK(r.first_test_year == 1948);
    CHECK(r.gru_rmse < 0.8 * r.last_value_rmse);
    check_readme_matches("12_rnn", run.output);
    tut::testing::remove_files(run);
}

TEST_CASE("tutorials: 14 a Transformer encoder sorts digits, as a GRU does; without positions it cannot") {
    tut::testing::Captured run;
    const auto r = tut::testing::run_captured("14_transformer", tut::transformer::run, run);
    CHECK(r.transformer.digits >= 0.97);
    CHECK(r.transformer.sequences >= 0.85);
    CHECK(r.gru.digits >= 0.97);
    CHECK(r.no_position.digits < 0.5);  // positions are told apart only by the encoding
    CHECK(r.no_position.sequences < 0.05);
    REQUIRE(r.causal_weights.size() == 36);
    REQUIRE(r.padding_weights.size() == 36);
    for (std::size_t i = 0; i < 6; ++i) {
        double causal_row = 0, padding_row = 0;
        for (std::size_t j = 0; j < 6; ++j) {
            if (j > i) CHECK(r.causal_weights[i * 6 + j] == 0);
            if (j >= 4) CHECK(r.padding_weights[i * 6 + j] == 0);
            causal_row += r.causal_weights[i * 6 + j];
            padding_row += r.padding_weights[i * 6 + j];
        }
        CHECK(causal_row == doctest::Approx(1));
        CHECK(padding_row == doctest::Approx(1));
    }
    check_readme_matches("14_transformer", run.output);
    tut::testing::remove_files(run);
}
