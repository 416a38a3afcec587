// Saving and loading the fraud model as one safetensors file.
#include <charconv>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/nn/io/safetensors.hpp>
#include <tapegrad/nn/nn.hpp>

#include "model_file.hpp"
#include "schema.hpp"

namespace fraud {

namespace {

std::string join(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ",")); }

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    if (s.empty()) return out;
    std::size_t start = 0;
    while (true) {
        const std::size_t c = s.find(',', start);
        out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos) return out;
        start = c + 1;
    }
}

/// Far above any fraud model (the default MLP's file is 14 KB); refuses to read a huge file whole.
constexpr std::uintmax_t max_model_bytes = 64u << 20;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error(fmt::format("model file {}: {}", path.string(), what));
}

}  // namespace

void save_model(const FraudModel& m, const std::filesystem::path& path) {
    if (!m.net) throw std::invalid_argument("save_model: the model has no network");
    tg::nn::SaveOptions so;
    so.extra = m.standardizer.state("standardizer.");
    so.metadata["fraud.format"] = model_format;
    so.metadata["fraud.arch"] = arch_name(m.arch);
    std::vector<std::string> hidden;
    for (std::size_t h : m.hidden) hidden.push_back(std::to_string(h));
    so.metadata["fraud.hidden"] = join(hidden);
    so.metadata["fraud.features"] = join(m.features);
    so.metadata["fraud.feature_encoding"] = std::string(feature_encoding);
    so.metadata["fraud.threshold"] = fmt::format("{:.9g}", m.threshold);
    for (const auto& [k, v] : m.info) so.metadata["fraud.info." + k] = v;
    tg::nn::save(*m.net, path.string(), so);
}

FraudModel load_model(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) fail(path, fmt::format("cannot be read as a model: {}", ec.message()));
    if (size > max_model_bytes)
        fail(path, fmt::format("cannot be read as a model: {} bytes, more than the {} a fraud model can need", size,
                               max_model_bytes));
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), std::streamsize(size)))
        fail(path, "cannot be read as a model: read error");
    return load_model_bytes(bytes, path.string());
}

FraudModel load_model_bytes(std::string_view bytes, const std::string& name) {
    const std::filesystem::path path = name;
    tg::nn::SafetensorsFile file;
    try {
        file = tg::nn::parse_safetensors(bytes, name);
    } catch (const std::exception& e) {
        fail(path, fmt::format("cannot be read as a model: {}", e.what()));
    }
    const auto& meta = file.metadata;
    const auto get = [&](const char* key) -> const std::string& {
        const auto it = meta.find(key);
        if (it == meta.end())
            fail(path, fmt::format("not a tapegrad-fraud model (no '{}' in its metadata; write models with "
                                   "'tapegrad-fraud train')",
                                   key));
        return it->second;
    };
    if (get("fraud.format") != model_format)
        fail(path, fmt::format("format '{}', this program reads '{}'", get("fraud.format"), model_format));
    if (get("fraud.feature_encoding") != feature_encoding)
        fail(path, fmt::format("features encoded as '{}', this program encodes '{}'", get("fraud.feature_encoding"),
                               feature_encoding));
    FraudModel m;
    m.features = split_commas(get("fraud.features"));
    const auto& want = feature_names();
    if (m.features != want) {
        std::string why;
        for (std::size_t i = 0; i < std::max(m.features.size(), want.size()); ++i) {
            const std::string a = i < m.features.size() ? m.features[i] : "(none)";
            const std::string b = i < want.size() ? want[i] : "(none)";
            if (a != b) {
                why = fmt::format("feature {} is '{}' in the model, '{}' here", i + 1, a, b);
                break;
            }
        }
        fail(path, fmt::format("trained on other features ({} features: {}); this program computes {} ({}): {}",
                               m.features.size(), get("fraud.features"), want.size(), join(want), why));
    }
    try {
        m.arch = arch_from_name(get("fraud.arch"));
        if (!get("fraud.hidden").empty()) m.hidden = parse_hidden(get("fraud.hidden"));
    } catch (const std::invalid_argument& e) {
        fail(path, e.what());
    }
    const std::string& th = get("fraud.threshold");
    const auto r = std::from_chars(th.data(), th.data() + th.size(), m.threshold);
    if (r.ec != std::errc() || r.ptr != th.data() + th.size() || !(m.threshold >= 0 && m.threshold <= 1))
        fail(path, fmt::format("threshold '{}' is not a probability", th));
    for (const auto& [k, v] : meta)
        if (k.rfind("fraud.info.", 0) == 0) m.info[k.substr(11)] = v;

    // a model the file cannot describe sensibly is refused before anything is allocated for it
    std::size_t params = 0, prev = m.features.size();
    for (std::size_t h : m.hidden) params += (prev + 1) * h, prev = h;
    if (params > 4'000'000 || m.hidden.size() > 64)
        fail(path, fmt::format("hidden layers '{}' make {} parameters: not a fraud model", get("fraud.hidden"), params));
    m.net = build_net(m.arch, m.hidden, m.features.size());
    try {
        // the network's tensors go to the network (strict: names, shapes and dtypes must
        // match), the standardiser's to the standardiser
        tg::nn::NamedTensors weights, standardizer;
        for (auto& [n, t] : file.tensors)
            (n.rfind("standardizer.", 0) == 0 ? standardizer : weights).emplace_back(n, t);
        m.net->load_state_dict(weights, true);
        m.standardizer.load_state(standardizer, "standardizer.");
    } catch (const std::exception& e) {
        fail(path, fmt::format("does not hold a {} with {} inputs: {}", m.describe(), m.features.size(), e.what()));
    }
    if (m.standardizer.mean().size() != m.features.size())
        fail(path, fmt::format("its standardiser has {} columns for {} features", m.standardizer.mean().size(),
                               m.features.size()));
    for (double s : m.standardizer.scale())
        if (!(std::isfinite(s) && s > 0)) fail(path, "its standardiser holds a scale that is not a positive number");
    for (double s : m.standardizer.mean())
        if (!std::isfinite(s)) fail(path, "its standardiser holds a mean that is not finite");
    for (const tg::Tensor& p : m.net->parameters())
        for (double v : p.to_vector())
            if (!std::isfinite(v)) fail(path, "a weight is NaN or infinite");
    m.net->eval();
    m.checksum = fmt::format("{:08x}", tg::nn::crc32(bytes.data(), bytes.size()));
    return m;
}

}  // namespace fraud
