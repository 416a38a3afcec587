// nn: safetensors save and load: round trips, a file built byte by byte in the
// reference layout, and every field corrupted in turn.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_all(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
template <class T>
void put(std::string& out, T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // little-endian host (x86-64, aarch64)
    out.append(b, sizeof(T));
}

/// A file in the reference layout: length, header text, data.
std::string file_of(const std::string& header, const std::string& data) {
    std::string out;
    put_u64(out, header.size());
    return out + header + data;
}

/// A small valid file: "a" F32 [2] = {1, 2}, "b" F64 [] = 3.
std::string small_file() {
    std::string data;
    put<float>(data, 1.0f);
    put<float>(data, 2.0f);
    put<double>(data, 3.0);
    return file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F64","shape":[],"data_offsets":[8,16]}})",
                   data);
}

/// Parsing must fail with an IoError whose message contains `what`.
void rejects(const std::string& bytes, const std::string& what) {
    INFO("expecting: " << what);
    CHECK_THROWS_WITH_AS(parse_safetensors(bytes, "bad.safetensors"), doctest::Contains(what.c_str()), IoError);
}

std::string with_header(const std::string& header) {
    std::string data;
    put<float>(data, 1.0f);
    put<float>(data, 2.0f);
    return file_of(header, data);
}

}  // namespace

TEST_CASE("safetensors: a file built byte by byte in the reference layout loads") {
    const SafetensorsFile f = parse_safetensors(small_file());
    REQUIRE(f.tensors.size() == 2);
    CHECK(f.tensors[0].first == "a");
    CHECK(f.tensors[0].second.dtype() == DType::f32);
    CHECK(f.tensors[0].second.to_vector() == std::vector<double>{1, 2});
    CHECK(f.tensors[1].second.shape() == Shape{});
    CHECK(f.tensors[1].second.item() == 3.0);
    CHECK_FALSE(f.checksum_verified);  // no tapegrad checksum: nothing to verify

    // The layout PyTorch's safetensors.torch.save_file writes for
    // nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)): names "0.weight",
    // "0.bias", "2.weight", "2.bias", header padded with spaces to 8 bytes, metadata {"format": "pt"}.
    std::string header = R"({"__metadata__":{"format":"pt"},)"
                         R"("0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                         R"("0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[12,36]},)"
                         R"("2.bias":{"dtype":"F32","shape":[1],"data_offsets":[36,40]},)"
                         R"("2.weight":{"dtype":"F32","shape":[1,3],"data_offsets":[40,52]}})";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string data;
    for (float v : {0.1f, 0.2f, 0.3f}) put(data, v);                          // 0.bias
    for (float v : {1.0f, -1.0f, 0.5f, 0.25f, -2.0f, 3.0f}) put(data, v);   // 0.weight
    put(data, -0.5f);                                                       // 2.bias
    for (float v : {1.0f, 2.0f, -1.0f}) put(data, v);                        // 2.weight
    const std::string path = temp_path("torch_layout.safetensors");
    write_all(path, file_of(header, data));
    auto net = mlp({2, 3, 1}, {"relu"});
    const LoadResult r = load(*net, path);
    CHECK(r.metadata.at("format") == "pt");
    CHECK(net->at<Linear>(0)->weight.to_vector() == std::vector<double>{1.0, -1.0, 0.5, 0.25, -2.0, 3.0});
    CHECK(net->at<Linear>(2)->bias.item() == -0.5);
    // x = (1, 1): hidden relu(W x + b) = (0.1, 0.95, 1.3); out = 0.1 + 1.9 - 1.3 - 0.5 = 0.2
    CHECK((*net)(tensor({{1.0, 1.0}})).item() == doctest::Approx(0.2));
    std::remove(path.c_str());
}

TEST_CASE("safetensors: half precision and integer dtypes are read") {
    std::string data;
    put<std::uint16_t>(data, 0x3c00);  // F16 1.0
    put<std::uint16_t>(data, 0xc000);  // F16 -2.0
    put<std::uint16_t>(data, 0x3f80);  // BF16 1.0
    put<std::uint16_t>(data, 0x4040);  // BF16 3.0
    put<std::int64_t>(data, -7);
    put<std::uint8_t>(data, 1);
    put<std::uint8_t>(data, 0);
    const SafetensorsFile f = parse_safetensors(
        file_of(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                R"("bf":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},)"
                R"("i":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},)"
                R"("m":{"dtype":"BOOL","shape":[2],"data_offsets":[16,18]}})",
                data));
    CHECK(f.tensors[0].second.to_vector() == std::vector<double>{1.0, -2.0});
    CHECK(f.tensors[1].second.to_vector() == std::vector<double>{1.0, 3.0});
    CHECK(f.tensors[2].second.dtype() == DType::i64);
    CHECK(f.tensors[2].second.to_vector<std::int64_t>() == std::vector<std::int64_t>{-7});
    CHECK(f.tensors[3].second.dtype() == DType::boolean);
    CHECK(f.tensors[3].second.to_vector<bool>() == std::vector<bool>{true, false});
    CHECK(f.dtypes == std::vector<std::string>{"F16", "BF16", "I64", "BOOL"});
}

TEST_CASE("safetensors: int64 and bool tensors round trip as I64 and BOOL") {
    const std::string path = temp_path("ints.safetensors");
    const std::int64_t big = (std::int64_t{1} << 62) + 3;  // not a double: must stay exact
    const Tensor counts = from_vector(std::vector<std::int64_t>{big, -1, 0}, {3});
    const Tensor mask = from_vector(std::vector<bool>{true, false, true, true}, {2, 2});
    const Tensor step = scalar(5, {DType::i64});
    save_safetensors(path, {{"counts", counts}, {"mask", mask}, {"step", step}});
    const SafetensorsFile f = load_safetensors(path);
    CHECK(f.checksum_verified);
    CHECK(f.dtypes == std::vector<std::string>{"I64", "BOOL", "I64"});
    CHECK(f.tensors[0].second.to_vector<std::int64_t>() == std::vector<std::int64_t>{big, -1, 0});
    CHECK(f.tensors[1].second.shape() == Shape{2, 2});
    CHECK(f.tensors[1].second.to_vector<bool>() == std::vector<bool>{true, false, true, true});
    CHECK(f.tensors[2].second.dtype() == DType::i64);
    CHECK(f.tensors[2].second.dim() == 0);
    CHECK(f.tensors[2].second.item() == 5.0);
    std::remove(path.c_str());
    // a BOOL byte other than 0 and 1 is true, never stored as is into a C++ bool
    std::string data;
    put<std::uint8_t>(data, 2);
    put<std::uint8_t>(data, 0);
    const SafetensorsFile g = parse_safetensors(file_of(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", data));
    CHECK(g.tensors[0].second.to_vector<bool>() == std::vector<bool>{true, false});
    CHECK(g.tensors[0].second.to(DType::i64).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
}

TEST_CASE("safetensors: round trip of tensors and metadata, with a checksum, written atomically") {
    const std::string path = temp_path("roundtrip.safetensors");
    const NamedTensors tensors = {{"w", tensor({{1.5, -2.0}, {3.25, 4.0}})},
                                  {"d", tensor({1e-300, -1e300}, {DType::f64})},
                                  {"s", scalar(7.0)},
                                  {"empty", zeros({0, 3})}};
    save_safetensors(path, tensors, {{"note", "hello"}});
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
        CHECK(e.path().filename().string().rfind(".tapegrad_test_roundtrip.safetensors.tmp.", 0) != 0);
    const std::string bytes = read_all(path);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    CHECK(n % 8 == 0);  // the data starts 8-byte aligned
    const SafetensorsFile f = load_safetensors(path);
    CHECK(f.checksum_verified);
    CHECK(f.metadata.at("note") == "hello");
    REQUIRE(f.tensors.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(f.tensors[i].first == tensors[i].first);
        CHECK(f.tensors[i].second.shape() == tensors[i].second.shape());
        CHECK(f.tensors[i].second.dtype() == tensors[i].second.dtype());
        CHECK(f.tensors[i].second.to_vector() == tensors[i].second.to_vector());
    }
    // a failed write leaves the old file as it was
    CHECK_THROWS_AS(save_safetensors(path, {{"x", ones({2})}, {"x", ones({2})}}), std::invalid_argument);
    CHECK_THROWS_AS(save_safetensors(temp_path("no_such_dir/x.safetensors"), tensors), IoError);
    CHECK(read_all(path) == bytes);
    std::remove(path.c_str());
}

TEST_CASE("safetensors: every corrupted field gives a clear error, never a crash") {
    const std::string good = small_file();
    rejects("", "fewer than the 8-byte header length");
    rejects(good.substr(0, 5), "fewer than the 8-byte header length");
    {
        std::string huge;
        put_u64(huge, ~0ull);
        rejects(huge + "{}", "larger than the file allows");
        std::string big;
        put_u64(big, 17'000'000);
        rejects(big + std::string(17'000'000, ' '), "exceeds the limit");
    }
    std::string zero;
    put_u64(zero, 0);
    rejects(zero, "the header length is 0");
    rejects(with_header("[1, 2]   "), "does not start with '{'");
    rejects(with_header("{\"a\": nonsense}"), "not valid JSON");
    rejects(with_header(std::string(100, '{') + std::string(100, '}')), "not valid JSON");
    rejects(with_header("{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}"), "nests deeper than 64 levels");
    rejects(with_header(R"({"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})"), "unknown dtype 'F33'");
    rejects(with_header(R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})"), "dtype must be a string");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})"), "must be a non-negative integer");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})"), "must be a non-negative integer");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})"), "shape must be an array");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"), "needs 12 bytes but data_offsets [0, 8] hold 8");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})"),
            "needs more than the file's bytes");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})"), "end before they begin");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})"), "run past the end of the data");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})"), "data_offsets must be [begin, end]");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2]}})"), "needs dtype, shape and data_offsets");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}})"), "unknown field 'extra'");
    rejects(with_header(R"({"a":[1]})"), "the entry must be an object");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"),
            "overlap");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"), "a hole in the data");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})"), "the data section has 8 bytes");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"),
            "names 'a' twice");
    rejects(with_header(R"({"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"),
            "__metadata__['k'] must be a string");
    rejects(with_header(R"({"__metadata__":[],"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"),
            "__metadata__ must be an object");

    // a flipped data byte in a tapegrad file: the checksum catches it
    const std::string path = temp_path("corrupt.safetensors");
    save_safetensors(path, {{"w", tensor({1.0, 2.0, 3.0})}});
    std::string bytes = read_all(path);
    bytes[bytes.size() - 3] ^= 0x10;
    rejects(bytes, "checksum mismatch");
    // every truncation of a valid file is refused cleanly
    const std::string valid = read_all(path);
    for (std::size_t len = 0; len < valid.size(); ++len) CHECK_THROWS_AS(parse_safetensors(valid.substr(0, len)), IoError);
    write_all(path, valid.substr(0, valid.size() - 4));
    CHECK_THROWS_WITH_AS(load_safetensors(path), doctest::Contains(path.c_str()), IoError);
    // random single-byte corruption: loads (if harmless) or throws, never crashes
    Generator gen(9);
    std::size_t refused = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string b = valid;
        b[gen.below(b.size())] = static_cast<char>(gen.below(256));
        try {
            parse_safetensors(b);
        } catch (const IoError&) {
            ++refused;
        }
    }
    CHECK(refused > 1000);
    std::remove(path.c_str());
}

TEST_CASE("safetensors: saving and loading a model, with optimiser state and extra tensors") {
    manual_seed(21);
    auto net = mlp({3, 5, 2}, {"tanh"});
    optim::Adam opt(net->parameters(), 0.01);
    const Tensor x = rand({8, 3}), y = rand({8, 2});
    for (int i = 0; i < 3; ++i) {
        opt.zero_grad();
        mse_loss((*net)(x), y).backward();
        opt.step();
    }
    Standardizer scaler;
    scaler.fit(x);
    const std::string path = temp_path("model.safetensors");
    save(*net, path, {.optimizer = &opt, .extra = scaler.state(), .metadata = {{"arch", "3-5-2"}}});

    // Every name is PyTorch's; the optimiser's entries are apart.
    const SafetensorsFile raw = load_safetensors(path);
    std::vector<std::string> names;
    for (const auto& [n, t] : raw.tensors) names.push_back(n);
    CHECK(std::find(names.begin(), names.end(), "0.weight") != names.end());
    CHECK(std::find(names.begin(), names.end(), "__optimizer__.0.exp_avg") != names.end());

    manual_seed(22);
    auto other = mlp({3, 5, 2}, {"tanh"});
    optim::Adam opt2(other->parameters(), 0.5);
    const LoadResult r = load(*other, path, {.optimizer = &opt2});
    CHECK(r.checksum_verified);
    CHECK(r.optimizer_loaded);
    CHECK(r.metadata.at("arch") == "3-5-2");
    CHECK(opt2.lr() == 0.01);
    CHECK(opt2.steps() == 3);
    Standardizer s2;
    s2.load_state(r.extra);
    CHECK(s2.mean() == scaler.mean());
    CHECK((*other)(x).to_vector() == (*net)(x).to_vector());
    // both continue on the same trajectory
    for (auto [m, o] : {std::pair{net.get(), &opt}, std::pair{other.get(), &opt2}}) {
        o->zero_grad();
        mse_loss((*m)(x), y).backward();
        o->step();
    }
    CHECK((*other)(x).to_vector() == (*net)(x).to_vector());

    // A file for another model: clear errors, and the model is left as it was.
    const auto before = other->at<Linear>(0)->weight.to_vector();
    auto wider = mlp({3, 6, 2}, {"tanh"});
    CHECK_THROWS_WITH_AS(load(*wider, path), doctest::Contains("'0.weight' has shape (5, 3) in the file but (6, 3)"),
                         ShapeError);
    auto deeper = mlp({3, 5, 5, 2}, {"tanh"});
    CHECK_THROWS_WITH_AS(load(*deeper, path), doctest::Contains("missing [4.weight, 4.bias]"), std::invalid_argument);
    auto dbl = mlp({3, 5, 2}, {"tanh"}, {.dtype = DType::f64});
    CHECK_THROWS_AS(load(*dbl, path), DTypeError);
    optim::SGD sgd(other->parameters(), 0.1);
    CHECK_THROWS_WITH_AS(load(*other, path, {.optimizer = &sgd}), doctest::Contains("holds Adam state, not SGD"),
                         std::invalid_argument);
    CHECK(other->at<Linear>(0)->weight.to_vector() == before);
    // a plain model file (no optimiser) loads into a model with an optimiser requested: nothing to restore
    save(*net, path);
    CHECK_FALSE(load(*other, path, {.optimizer = &opt2}).optimizer_loaded);
    // unexpected names are refused unless strict is off
    save_safetensors(path, [&] {
        NamedTensors s = net->state_dict();
        s.emplace_back("stray", ones({1}));
        return s;
    }());
    CHECK_THROWS_WITH_AS(load(*other, path), doctest::Contains("unexpected [stray]"), std::invalid_argument);
    CHECK_NOTHROW(load(*other, path, {.strict = false}));
    std::remove(path.c_str());
}

TEST_CASE("safetensors: the checksum is the standard CRC-32, also when computed piecewise") {
    const std::string check = "123456789";
    CHECK(crc32(check.data(), check.size()) == 0xcbf43926u);  // the CRC-32 check value
    CHECK(crc32("", 0) == 0u);
    std::string long_text;
    for (int i = 0; i < 1000; ++i) long_text += static_cast<char>(i * 7 + 3);
    const std::uint32_t whole = crc32(long_text.data(), long_text.size());
    for (std::size_t cut : {1u, 7u, 8u, 13u, 500u, 999u})
        CHECK(crc32(long_text.data() + cut, long_text.size() - cut, crc32(long_text.data(), cut)) == whole);
}

TEST_CASE("checkpoint: a bad saved learning rate fails the load and changes neither model nor optimiser") {
    manual_seed(31);
    auto net = mlp({3, 4, 1}, {"tanh"});
    optim::Adam opt(net->parameters(), 0.01);
    const Tensor x = rand({8, 3}), y = rand({8, 1});
    const auto train_step = [&] {
        opt.zero_grad();
        mse_loss((*net)(x), y).backward();
        opt.step();
    };
    train_step();
    const std::string good = temp_path("lr_good.safetensors"), bad = temp_path("lr_bad.safetensors");
    save(*net, good, {.optimizer = &opt});
    train_step();  // model and optimiser move on from the file
    train_step();
    opt.set_lr(0.02);
    const auto values = [](const NamedTensors& named) {
        std::vector<std::vector<double>> v;
        for (const auto& [n, t] : named) v.push_back(t.to_vector());
        return v;
    };
    const auto weights = values(net->state_dict()), state = values(opt.state_dict());
    const SafetensorsFile file = load_safetensors(good);
    for (const std::string hyper : {R"({"lr": -0.5})", R"({"lr": 1e999})", R"({"lr": NaN})", R"({"lr": "fast"})",
                                    R"({"lr": null})", "[0.1]", "not json"}) {
        CAPTURE(hyper);
        Metadata meta = file.metadata;
        meta.erase("tapegrad.crc32");
        meta["tapegrad.optimizer.hyperparameters"] = hyper;
        save_safetensors(bad, file.tensors, meta);
        CHECK_THROWS_WITH_AS(load(*net, bad, {.optimizer = &opt}), doctest::Contains("tapegrad.optimizer.hyperparameters"),
                             IoError);
        CHECK(values(net->state_dict()) == weights);
        CHECK(values(opt.state_dict()) == state);
        CHECK(opt.steps() == 3);
        CHECK(opt.lr() == 0.02);
    }
    // the good file still loads, and restores all of it
    CHECK(load(*net, good, {.optimizer = &opt}).optimizer_loaded);
    CHECK(opt.steps() == 1);
    CHECK(opt.lr() == 0.01);
    std::remove(good.c_str());
    std::remove(bad.c_str());
}

namespace {

/// A header of n empty F32 tensors "t0", "t1", ... (shape [0], data_offsets [0, 0]).
std::string many_empty_tensors(std::size_t n) {
    std::string header = "{";
    for (std::size_t i = 0; i < n; ++i)
        header += fmt::format(R"({}"t{}":{{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})", i ? "," : "", i);
    return file_of(header + "}", "");
}

}  // namespace

TEST_CASE("safetensors: a header of many entries parses in linear time, and their number is capped") {
    const std::string bytes = many_empty_tensors(40'000);  // a 2.3 MB header
    const auto start = std::chrono::steady_clock::now();
    const SafetensorsFile f = parse_safetensors(bytes);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(f.tensors.size() == 40'000);
    CHECK(seconds < 5.0);  // ~0.1 s when linear; minutes when each entry rescans the ones before it

    SafetensorsLimits small;
    small.max_entries = 39'999;
    CHECK_THROWS_WITH_AS(parse_safetensors(bytes, "many.safetensors", small),
                         doctest::Contains("more than 39999 entries"), IoError);
    small.max_entries = 40'000;
    CHECK(parse_safetensors(bytes, "many.safetensors", small).tensors.size() == 40'000);
}

TEST_CASE("safetensors: a NUL byte in the header and duplicate keys at any level are refused") {
    // nlohmann's parser stops at a NUL as at the end of the text: what follows would be ignored
    std::string nul_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    nul_header += std::string("\0{\"junk\"", 8);
    rejects(with_header(nul_header), "a NUL byte at offset 54");
    // the last duplicate would win silently
    rejects(with_header(R"({"__metadata__":{"k":"1","k":"2"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"),
            "__metadata__: the key 'k' appears twice");
    rejects(with_header(R"({"a":{"dtype":"F32","shape":[2],"dtype":"F64","data_offsets":[0,8]}})"),
            "tensor 'a': the key 'dtype' appears twice");
}

TEST_CASE("safetensors: a dtype mismatch names the file's dtype, not the one it was read as") {
    // I32 tensors are read as float64: the message must still say I32
    std::string data;
    put<std::int32_t>(data, 3);
    const std::string path = temp_path("int_weight.safetensors");
    write_all(path, file_of(R"({"weight":{"dtype":"I32","shape":[1,1],"data_offsets":[0,4]}})", data));
    Linear f32(1, 1, false);
    CHECK_THROWS_WITH_AS(load(f32, path), doctest::Contains("'weight' is I32 in the file but float32 in the model"),
                         DTypeError);
    CHECK(f32.weight.to_vector() != std::vector<double>{3.0});
    Linear f64(1, 1, false);
    f64.to(DType::f64);
    load(f64, path);  // as documented: I32 read as float64 fits a float64 model
    CHECK(f64.weight.to_vector() == std::vector<double>{3.0});
    // I64 is read as int64, which no float model takes
    std::string data64;
    put<std::int64_t>(data64, 3);
    write_all(path, file_of(R"({"weight":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8]}})", data64));
    CHECK_THROWS_WITH_AS(load(f64, path), doctest::Contains("'weight' is I64 in the file but float64 in the model"),
                         DTypeError);
    std::remove(path.c_str());
}

TEST_CASE("safetensors: corrupt optimiser metadata is found before the optimiser changes") {
    manual_seed(3);
    Linear net(2, 1);
    optim::Adam opt(net.parameters(), 0.01);
    mse_loss(net(ones({1, 2})), zeros({1, 1})).backward();
    opt.step();
    const std::string path = temp_path("hyper.safetensors");
    save(net, path, {.optimizer = &opt});
    SafetensorsFile f = load_safetensors(path);
    f.metadata.erase("tapegrad.crc32");
    f.metadata["tapegrad.optimizer.hyperparameters"] = "{not json";
    save_safetensors(path, f.tensors, f.metadata);

    optim::Adam fresh(net.parameters(), 0.5);
    CHECK_THROWS_WITH_AS(load(net, path, {.optimizer = &fresh}), doctest::Contains("is not a JSON object"), IoError);
    CHECK(fresh.steps() == 0);  // before, the state was already restored when the metadata failed
    CHECK(fresh.lr() == 0.5);
    std::remove(path.c_str());
}
