// Tutorial 9: vanishing and exploding gradients, and the fixes (ReLU, Xavier/He, clipping).
// Run: ./build/tutorials/tutorial-09-vanishing-exploding   (no arguments)
#include <exception>
#include <iostream>

#include "gradients.hpp"

int main() {
    try {
        tut::Report report(std::cout, "09_vanishing_exploding");
        tut::gradients::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-09-vanishing-exploding: " << e.what() << "\n";
        return 1;
    }
}
