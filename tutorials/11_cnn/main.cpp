// Tutorial 11: a CNN classifies 8x8 handwritten digits.
// Run: ./build/tutorials/tutorial-11-cnn   (no arguments)
#include <exception>
#include <iostream>

#include "cnn.hpp"

int main() {
    try {
        tut::Report report(std::cout, "11_cnn");
        tut::cnn::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-11-cnn: " << e.what() << "\n";
        return 1;
    }
}
