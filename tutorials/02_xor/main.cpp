// Tutorial 2: XOR: the perceptron never converges, a two-layer MLP solves it.
// Run: ./build/tutorials/tutorial-02-xor   (no arguments)
#include <exception>
#include <iostream>

#include "xor.hpp"

int main() {
    try {
        tut::Report report(std::cout, "02_xor");
        tut::xor_gate::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-02-xor: " << e.what() << "\n";
        return 1;
    }
}
