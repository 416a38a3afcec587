// Tutorial 3: activation functions and their derivatives (from autodiff).
// Run: ./build/tutorials/tutorial-03-activations   (no arguments)
#include <exception>
#include <iostream>

#include "activations.hpp"

int main() {
    try {
        tut::Report report(std::cout, "03_activations");
        tut::activations::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-03-activations: " << e.what() << "\n";
        return 1;
    }
}
