// Tutorial 10: a deep neural network on the breast-cancer data, against the perceptron.
// Run: ./build/tutorials/tutorial-10-deep-networks   (no arguments)
#include <exception>
#include <iostream>

#include "deep.hpp"

int main() {
    try {
        tut::Report report(std::cout, "10_deep_networks");
        tut::deep::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-10-deep-networks: " << e.what() << "\n";
        return 1;
    }
}
