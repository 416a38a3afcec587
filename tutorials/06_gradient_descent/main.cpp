// Tutorial 6: gradient descent on linear regression, learning rates compared.
// Run: ./build/tutorials/tutorial-06-gradient-descent   (no arguments)
#include <exception>
#include <iostream>

#include "descent.hpp"

int main() {
    try {
        tut::Report report(std::cout, "06_gradient_descent");
        tut::descent::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-06-gradient-descent: " << e.what() << "\n";
        return 1;
    }
}
