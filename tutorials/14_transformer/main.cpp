// Tutorial 14: self-attention and the Transformer encoder: sorting digits.
// Run: ./build/tutorials/tutorial-14-transformer   (no arguments)
#include <exception>
#include <iostream>

#include "transformer.hpp"

int main() {
    try {
        tut::Report report(std::cout, "14_transformer");
        tut::transformer::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-14-transformer: " << e.what() << "\n";
        return 1;
    }
}
