// Tutorial 8: backpropagation, the lesson's worked example, from the engine.
// Run: ./build/tutorials/tutorial-08-backprop   (no arguments)
#include <exception>
#include <iostream>

#include "backprop.hpp"

int main() {
    try {
        tut::Report report(std::cout, "08_backprop");
        tut::backprop::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-08-backprop: " << e.what() << "\n";
        return 1;
    }
}
