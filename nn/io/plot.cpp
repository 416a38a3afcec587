#include "plot.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "../../graph/error.hpp"

namespace tg::nn {

namespace {

std::string gnuplot_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string script(const std::string& terminal, const std::string& png, const std::string& data,
                   const std::string& title, const std::vector<std::string>& keys) {
    std::string g = fmt::format("set terminal {} size 900,540 noenhanced\nset output {}\nset title {}\n"
                                "set xlabel 'epoch'\nset grid\nset key outside right\nplot ",
                                terminal, gnuplot_quote(png), gnuplot_quote(title));
    for (std::size_t i = 0; i < keys.size(); ++i)
        g += fmt::format("{}{} using 1:{} with linespoints title {}", i ? ", " : "", gnuplot_quote(data), i + 2,
                         gnuplot_quote(keys[i]));
    return g + "\n";
}

}  // namespace

std::string gnuplot_path() {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    const std::string dirs = path;
    for (std::size_t start = 0; start <= dirs.size();) {
        std::size_t colon = dirs.find(':', start);
        if (colon == std::string::npos) colon = dirs.size();
        const std::string dir = dirs.substr(start, colon - start);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/gnuplot";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = colon + 1;
    }
    return {};
}

bool plot_history(const History& history, const std::string& png_path, const std::vector<std::string>& keys,
                  const std::string& title) {
    const std::string gnuplot = gnuplot_path();
    if (gnuplot.empty()) return false;
    std::vector<std::string> chosen = keys;
    if (chosen.empty())
        for (const auto& k : history.keys())
            if (k.find("loss") != std::string::npos) chosen.push_back(k);
    for (const auto& k : chosen) (void)history[k];  // throws for an unknown key
    if (chosen.empty() || history.epochs() == 0) return false;

    const std::string data = png_path + ".plot.csv", gp = png_path + ".plot.gp", tmp_png = png_path + ".tmp";
    {
        std::ofstream d(data);
        for (std::size_t e = 0; e < history.epochs(); ++e) {
            d << e + 1;
            for (const auto& k : chosen) d << " " << fmt::format("{:.9g}", history[k][e]);
            d << "\n";
        }
    }
    const std::string cmd = fmt::format("'{}' '{}' 2>/dev/null", gnuplot, gp);
    int rc = 1;
    for (const char* terminal : {"pngcairo", "png"}) {  // the plain png terminal when cairo is missing
        std::ofstream(gp) << script(terminal, tmp_png, data, title, chosen);
        rc = std::system(cmd.c_str());
        if (rc == 0) break;
    }
    std::remove(data.c_str());
    std::remove(gp.c_str());
    if (rc != 0) {
        std::remove(tmp_png.c_str());
        throw IoError(fmt::format("plot_history: gnuplot failed (exit status {})", rc));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_png, png_path, ec);
    if (ec) throw IoError(fmt::format("plot_history: cannot write '{}': {}", png_path, ec.message()));
    return true;
}

}  // namespace tg::nn
