// Tutorial 4: forward propagation through a small network, layer by layer.
// Run: ./build/tutorials/tutorial-04-forward   (no arguments)
#include <exception>
#include <iostream>

#include "forward.hpp"

int main() {
    try {
        tut::Report report(std::cout, "04_forward");
        tut::forward::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-04-forward: " << e.what() << "\n";
        return 1;
    }
}
