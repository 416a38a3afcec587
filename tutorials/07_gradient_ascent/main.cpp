// Tutorial 7: gradient ascent with the same optimiser (maximize), stopping rule and shrinking steps.
// Run: ./build/tutorials/tutorial-07-gradient-ascent   (no arguments)
#include <exception>
#include <iostream>

#include "ascent.hpp"

int main() {
    try {
        tut::Report report(std::cout, "07_gradient_ascent");
        tut::ascent::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-07-gradient-ascent: " << e.what() << "\n";
        return 1;
    }
}
