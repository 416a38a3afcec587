// Tutorial 1: the artificial neuron and the perceptron, trained on AND and OR.
// Run: ./build/tutorials/tutorial-01-perceptron   (no arguments)
#include <exception>
#include <iostream>

#include "perceptron.hpp"

int main() {
    try {
        tut::Report report(std::cout, "01_perceptron");
        tut::perceptron::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-01-perceptron: " << e.what() << "\n";
        return 1;
    }
}
