#pragma once
// Plots drawn with characters, so a tutorial shows its curves and decision
// regions right in the terminal (the PNG versions need gnuplot).
#include <functional>
#include <string>
#include <vector>

namespace tut {

/// One curve of an ascii_plot: its points and the character that draws them.
struct Series {
    std::string name;
    char mark = '*';
    std::vector<double> x, y;
};

/// Options of ascii_plot. Ranges default to the data's (y_min == y_max means "auto").
struct PlotOptions {
    int width = 61;   ///< columns of the plotting area
    int height = 15;  ///< rows of the plotting area
    double y_min = 0, y_max = 0;
    bool log_y = false;  ///< plot log10(y) (y must be > 0)
    /// Axis labels. The {} lets designated initialisers leave them out without
    /// a -Wmissing-field-initializers warning.
    std::string x_label{}, y_label{};
};

/// Curves on a character grid with the y range on the left, the x range below
/// and a legend. Later series draw over earlier ones.
std::string ascii_plot(const std::vector<Series>& series, const PlotOptions& options = {});

/// A labelled point for ascii_map.
struct MapPoint {
    double x, y;
    char mark;
};

/// A map of the plane [x0, x1] x [y0, y1]: each cell shows region(x, y) (a
/// character, e.g. '.' for class 0 and '#' for class 1), and points are drawn on top.
std::string ascii_map(const std::function<char(double, double)>& region, double x0, double x1, double y0, double y1,
                      const std::vector<MapPoint>& points = {}, int width = 41, int height = 17);

/// Each line of text prefixed by two spaces, trailing spaces removed (to print a
/// table inside a tutorial's indented output).
std::string indent(const std::string& text);

/// An image as shades (" .:-=+*#%@" from 0 to max), one character pair per pixel.
/// pixels is row-major, rows x cols.
std::string ascii_image(const std::vector<double>& pixels, int rows, int cols, double max_value);

}  // namespace tut
