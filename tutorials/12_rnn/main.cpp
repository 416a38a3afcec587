// Tutorial 12: recurrent networks: the state as memory, and a sunspot forecast.
// Run: ./build/tutorials/tutorial-12-rnn   (no arguments)
#include <exception>
#include <iostream>

#include "rnn.hpp"

int main() {
    try {
        tut::Report report(std::cout, "12_rnn");
        tut::rnn::run(report);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tutorial-12-rnn: " << e.what() << "\n";
        return 1;
    }
}
