// Tutorial 5: loss and cost functions on real numbers.
// Run: ./build/tutorials/tutorial-05-loss   (no arguments)
#include <exception>
#include <iostream>

#include "loss.hpp"

int main() {
    try {
        tut::Report report(std::cout, "05_loss");
        tut::loss::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-05-loss: " << e.what() << "\n";
        return 1;
    }
}
