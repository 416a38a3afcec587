// The tutorials (tutorials/NN_topic): their key numbers, and the output their
// READMEs quote (see Note [tutorial output is checked] in tutorials/common/report.hpp).
// Refresh the quoted output after changing a tutorial:
//     TAPEGRAD_UPDATE_READMES=1 ./build/tests/tapegrad_tests -tc='tutorials:*'
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "../tutorials/08_backprop/backprop.hpp"
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
