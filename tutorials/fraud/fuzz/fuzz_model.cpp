// libFuzzer target: the model-file loader (safetensors parsing by tapegrad's
// nn library, then the fraud model's metadata, architecture and tensor checks)
// on arbitrary bytes. A file that loads must also score without trouble.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

#include <tapegrad/tapegrad.hpp>

#include "../model_file.hpp"
#include "../schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fraud::FraudModel m;
    try {
        m = fraud::load_model_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    } catch (const std::exception&) {
        return 0;  // refused with a message: the expected outcome for almost every input
    }
    const auto p = m.probabilities(tg::zeros({3, fraud::n_features()}));
    for (float v : p)
        if (!(v >= 0 && v <= 1)) std::abort();
    return 0;
}
