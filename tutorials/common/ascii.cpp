#include "ascii.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace tut {

std::string ascii_plot(const std::vector<Series>& series, const PlotOptions& o) {
    const auto ty = [&](double y) { return o.log_y ? std::log10(y) : y; };
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const Series& s : series)
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(ty(s.y[i]))) continue;
            x0 = std::min(x0, s.x[i]);
            x1 = std::max(x1, s.x[i]);
            y0 = std::min(y0, ty(s.y[i]));
            y1 = std::max(y1, ty(s.y[i]));
        }
    if (o.y_min != o.y_max) y0 = ty(o.y_min), y1 = ty(o.y_max);
    if (!(x1 > x0)) x1 = x0 + 1;
    if (!(y1 > y0)) y1 = y0 + 1;
    std::vector<std::string> grid(o.height, std::string(o.width, ' '));
    for (const Series& s : series)
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            const double y = ty(s.y[i]);
            if (!std::isfinite(s.x[i]) || !std::isfinite(y) || y < y0 || y > y1) continue;
            const int c = static_cast<int>(std::lround((s.x[i] - x0) / (x1 - x0) * (o.width - 1)));
            const int r = static_cast<int>(std::lround((y1 - y) / (y1 - y0) * (o.height - 1)));
            grid[r][c] = s.mark;
        }
    const auto label = [&](double v) { return o.log_y ? fmt::format("{:.1e}", std::pow(10.0, v)) : fmt::format("{:.3g}", v); };
    const std::string top = label(y1), bottom = label(y0);
    const std::size_t margin = std::max({top.size(), bottom.size(), o.y_label.size()});
    std::string s;
    if (!o.y_label.empty()) s += fmt::format("{:>{}}\n", o.y_label, margin);
    for (int r = 0; r < o.height; ++r) {
        const std::string left = r == 0 ? top : r == o.height - 1 ? bottom : "";
        s += fmt::format("{:>{}} |{}\n", left, margin, grid[r]);
    }
    s += fmt::format("{:>{}} +{}\n", "", margin, std::string(o.width, '-'));
    const std::string xl = fmt::format("{:.4g}", x0), xr = fmt::format("{:.4g}", x1);
    const int gap = std::max(1, o.width - static_cast<int>(xl.size() + xr.size()));
    s += fmt::format("{:>{}}  {}{}{}\n", "", margin, xl, std::string(gap, ' '), xr);
    if (!o.x_label.empty()) s += fmt::format("{:>{}}  {:^{}}\n", "", margin, o.x_label, o.width);
    std::vector<std::string> legend;
    for (const Series& x : series) legend.push_back(fmt::format("{} {}", x.mark, x.name));
    s += fmt::format("{:>{}}  {}\n", "", margin, fmt::join(legend, "   "));
    // no trailing spaces: they are invisible in a README and easy to lose
    std::string trimmed;
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t end = s.find('\n', start);
        std::string line = s.substr(start, end - start);
        line.erase(line.find_last_not_of(' ') + 1);
        trimmed += line + '\n';
        start = end + 1;
    }
    return trimmed;
}

std::string ascii_map(const std::function<char(double, double)>& region, double x0, double x1, double y0, double y1,
                      const std::vector<MapPoint>& points, int width, int height) {
    std::vector<std::string> grid(height, std::string(width, ' '));
    for (int r = 0; r < height; ++r)
        for (int c = 0; c < width; ++c) {
            const double x = x0 + (x1 - x0) * c / (width - 1);
            const double y = y1 - (y1 - y0) * r / (height - 1);
            grid[r][c] = region(x, y);
        }
    for (const MapPoint& p : points) {
        const int c = static_cast<int>(std::lround((p.x - x0) / (x1 - x0) * (width - 1)));
        const int r = static_cast<int>(std::lround((y1 - p.y) / (y1 - y0) * (height - 1)));
        if (c >= 0 && c < width && r >= 0 && r < height) grid[r][c] = p.mark;
    }
    const std::string top = fmt::format("{:.3g}", y1), bottom = fmt::format("{:.3g}", y0);
    const std::size_t margin = std::max(top.size(), bottom.size());
    std::string s;
    for (int r = 0; r < height; ++r) {
        const std::string left = r == 0 ? top : r == height - 1 ? bottom : "";
        s += fmt::format("{:>{}} |{}\n", left, margin, grid[r]);
    }
    s += fmt::format("{:>{}} +{}\n", "", margin, std::string(width, '-'));
    const std::string xl = fmt::format("{:.3g}", x0), xr = fmt::format("{:.3g}", x1);
    const int gap = std::max(1, width - static_cast<int>(xl.size() + xr.size()));
    s += fmt::format("{:>{}}  {}{}{}\n", "", margin, xl, std::string(gap, ' '), xr);
    return s;
}

std::string ascii_image(const std::vector<double>& pixels, int rows, int cols, double max_value) {
    static const std::string shades = " .:-=+*#%@";
    const std::string edge = fmt::format("+{}+\n", std::string(2 * cols, '-'));
    std::string s = edge;
    for (int r = 0; r < rows; ++r) {
        std::string line;
        for (int c = 0; c < cols; ++c) {
            const double v = std::clamp(pixels[r * cols + c] / max_value, 0.0, 1.0);
            const char ch = shades[static_cast<std::size_t>(std::lround(v * (shades.size() - 1)))];
            line += ch;
            line += ch;
        }
        s += "|" + line + "|\n";
    }
    return s + edge;
}

std::string indent(const std::string& text) {
    std::string s;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string line = text.substr(start, end - start);
        line.erase(line.find_last_not_of(' ') + 1);
        s += "  " + line + "\n";
        start = end + 1;
    }
    return s;
}

}  // namespace tut
