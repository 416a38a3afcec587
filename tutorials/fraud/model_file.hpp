#pragma once
// The fraud model: a tapegrad network plus everything needed to apply it to a
// raw transaction (the feature encoding, the standardisation fitted on the
// training rows, the alert threshold), saved together in one safetensors file.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/module.hpp>

namespace fraud {

/// The model families the demo compares.
enum class Arch { perceptron, logistic, mlp };
std::string arch_name(Arch a);
/// "perceptron", "logistic" or "mlp"; throws std::invalid_argument otherwise.
Arch arch_from_name(std::string_view name);

struct FraudModel {
    Arch arch = Arch::mlp;
    std::vector<std::size_t> hidden;        ///< hidden layer sizes (mlp only)
    std::shared_ptr<tg::nn::Module> net;    ///< standardised features [N, F] -> logits [N, 1]
    tg::nn::Standardizer standardizer;      ///< fitted on the training part
    double threshold = 0.5;                 ///< alert when the fraud probability is >= threshold
    std::vector<std::string> features;      ///< feature names, as schema.hpp computes them
    std::map<std::string, std::string> info;  ///< training summary (rows, epochs, validation metrics)
    /// CRC-32 of the whole model file, 8 hex digits (set by load_model): the model's
    /// version as the scoring service reports it. Any change to the file changes it.
    std::string checksum;

    /// Logits [N, 1] of standardised features x [N, F] (recorded when grad mode is on).
    tg::Tensor logits(const tg::Tensor& x) const;
    /// Fraud probabilities sigmoid(logit) of standardised features, as a flat vector (no grad).
    std::vector<float> probabilities(const tg::Tensor& x) const;
    /// A one-line description: "mlp 18-64-32-1 (3,329 parameters)".
    std::string describe() const;
};

/// An untrained network for arch: perceptron (nn::Perceptron, zero weights),
/// logistic (one Linear unit), mlp (nn::mlp with ReLU hidden layers, logits out).
std::shared_ptr<tg::nn::Module> build_net(Arch arch, const std::vector<std::size_t>& hidden, std::size_t in_features);

/// "64,32" -> {64, 32}; throws std::invalid_argument for an empty, zero or non-numeric size.
std::vector<std::size_t> parse_hidden(std::string_view text);

/// Write the model atomically as safetensors: the network's parameters under
/// their PyTorch names, the standardiser as standardizer.mean / standardizer.scale,
/// and the rest in the header's __metadata__ under keys "fraud.*" (format, arch,
/// hidden, features, feature_encoding, threshold, info.<key>). Throws tg::IoError.
void save_model(const FraudModel& model, const std::filesystem::path& path);

/// Read a model written by save_model. Checks, before anything is scored, that
/// the file is a tapegrad-fraud model, that its features are the ones this
/// program computes (same names, same order, same encoding), and that the
/// tensors fit the architecture. Throws std::runtime_error with the file name
/// and what is wrong.
FraudModel load_model(const std::filesystem::path& path);
/// The same from the bytes of a model file (name is used in messages). For tests and fuzzing.
FraudModel load_model_bytes(std::string_view bytes, const std::string& name);

/// The format tag stored in the metadata.
inline constexpr const char* model_format = "tapegrad-fraud/1";

}  // namespace fraud
