// nn: the Module base, containers, layers, initialisers.
#include <sstream>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::vector<std::string> names_of(const NamedTensors& list) {
    std::vector<std::string> out;
    for (const auto& [name, t] : list) out.push_back(name);
    return out;
}

// A user module written the way the README shows: two registered layers and a
// parameter of its own, and a forward with two inputs and two outputs.
struct TwoHeads : Module {
    struct Out {
        Tensor sum, gated;
    };
    std::shared_ptr<Linear> left, right;
    Tensor gate;
    TwoHeads() {
        left = register_module("left", std::make_shared<Linear>(3, 2));
        right = register_module("right", std::make_shared<Linear>(4, 2));
        gate = register_parameter("gate", ones({2}));
    }
    Out forward(const Tensor& a, const Tensor& b) {
        const Tensor l = (*left)(a), r = (*right)(b);
        return {l + r, sigmoid(gate) * l};
    }
    using Module::forward;  // keep the one-tensor signature visible (it throws: not defined here)
};

// A custom one-tensor module usable inside Sequential.
struct Scale : Module {
    Tensor factor;
    explicit Scale(double f) { factor = register_parameter("factor", full({1}, f)); }
    Tensor forward(const Tensor& x) override { return x * factor; }
};

}  // namespace

TEST_CASE("nn: parameter names follow PyTorch's, through nested containers") {
    manual_seed(1);
    auto inner = std::make_shared<Sequential>(Linear(3, 4), Tanh());
    Sequential net(Linear(2, 3), ReLU(), inner, std::make_shared<Linear>(4, 1));
    CHECK(names_of(net.named_parameters()) ==
          std::vector<std::string>{"0.weight", "0.bias", "2.0.weight", "2.0.bias", "3.weight", "3.bias"});
    CHECK(net.parameter_count() == (2 * 3 + 3) + (3 * 4 + 4) + (4 + 1));
    CHECK(net.parameters().size() == 6);
    CHECK(net.size() == 4);
    CHECK(net.children().size() == 4);
    CHECK(net.at<Linear>(0)->out_features() == 3);
    CHECK(net.child("2.0") == inner->operator[](0));
    CHECK_THROWS_AS(net.at<Linear>(1), std::invalid_argument);
    CHECK_THROWS_AS(net[7], std::out_of_range);
    const Tensor y = net(ones({5, 2}));
    CHECK(y.shape() == Shape{5, 1});
    // weight is [out, in] as in PyTorch
    CHECK(net.at<Linear>(0)->weight.shape() == Shape{3, 2});
}

TEST_CASE("nn: a user module registers parameters and submodules, takes two inputs and returns two outputs") {
    manual_seed(2);
    TwoHeads m;
    CHECK(names_of(m.named_parameters()) ==
          std::vector<std::string>{"gate", "left.weight", "left.bias", "right.weight", "right.bias"});
    CHECK(m.parameter_count() == 2 + (3 * 2 + 2) + (4 * 2 + 2));
    const Tensor a = rand({5, 3}), b = rand({5, 4});
    const auto out = m.forward(a, b);
    CHECK(out.sum.shape() == Shape{5, 2});
    CHECK(out.gated.shape() == Shape{5, 2});
    (sum(out.sum) + sum(out.gated)).backward();
    for (const auto& [name, p] : m.named_parameters()) {
        INFO(name);
        CHECK(p.grad().defined());
    }
    // d/d(right.bias) of sum(l + r) is the batch size, per output
    CHECK(m.right->bias.grad().at({0}) == doctest::Approx(5.0));
    m.zero_grad();
    for (const Tensor& p : m.parameters()) CHECK_FALSE(p.grad().defined());
    // no one-tensor forward: a clear error, not a crash
    CHECK_THROWS_WITH_AS(m(a), doctest::Contains("no one-tensor forward"), std::logic_error);
}

TEST_CASE("nn: registration errors name the module and the problem") {
    Scale s(2.0);
    CHECK_THROWS_WITH_AS(s.register_parameter("factor", ones({1})), doctest::Contains("already registered"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(s.register_parameter("a.b", ones({1})), doctest::Contains("no '.'"), std::invalid_argument);
    Tensor leaf = ones({2}, {DType::f32, true});
    CHECK_THROWS_WITH_AS(s.register_parameter("derived", leaf * 2.0), doctest::Contains("leaf"), std::invalid_argument);
    CHECK(s.type_name() == "Scale");
}

TEST_CASE("nn: custom modules nest in Sequential and train") {
    manual_seed(3);
    Sequential net(Linear(1, 1), Scale(3.0));
    CHECK(names_of(net.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "1.factor"});
    const Tensor y = net(full({1, 1}, 2.0));
    const auto lin = net.at<Linear>(0);
    CHECK(y.item() == doctest::Approx(3.0 * (2.0 * lin->weight.item() + lin->bias.item())));
}

TEST_CASE("nn: shared (tied) parameters are listed once") {
    Linear a(2, 2), b(2, 2);
    struct Tied : Module {
        Tied(Linear& a) {
            register_parameter("w1", a.weight);
            register_parameter("w2", a.weight);
        }
    } tied(a);
    CHECK(tied.parameters().size() == 1);
    CHECK(tied.parameter_count() == 4);
}

TEST_CASE("nn: train and eval reach every descendant") {
    auto net = mlp({4, 8, 8, 2}, {"relu"}, {.dropout = 0.5});
    CHECK(net->is_training());
    net->eval();
    for (auto& [name, m] : net->named_modules()) {
        INFO(name);
        CHECK_FALSE(m->is_training());
    }
    net->train();
    for (auto& [name, m] : net->named_modules()) CHECK(m->is_training());
}

TEST_CASE("nn: Linear computes x W^T + b and gradchecks") {
    manual_seed(4);
    Linear lin(3, 2);
    lin.to(DType::f64);
    CHECK(lin.weight.dtype() == DType::f64);
    {
        NoGradGuard g;
        lin.weight.copy_(tensor({{1, 2, 3}, {-1, 0, 1}}, {DType::f64}));
        lin.bias.copy_(tensor({0.5, -0.5}, {DType::f64}));
    }
    const Tensor y = lin(tensor({{1, 1, 1}, {2, 0, -1}}, {DType::f64}));
    CHECK(y.to_vector() == std::vector<double>{6.5, -0.5, -0.5, -3.5});
    test::check_grad([&](const std::vector<Tensor>& in) { return lin(in[0]); }, {test::rnd({4, 3})}, "Linear input");
    test::check_grad(
        [&](const std::vector<Tensor>& in) { return linear(tensor({{0.3, -0.2, 0.9}}, {DType::f64}), in[0], in[1]); },
        {test::rnd({2, 3}), test::rnd({2})}, "Linear weight and bias");
    CHECK_THROWS_WITH_AS(lin(ones({2, 4}, {DType::f64})),
                         doctest::Contains("Linear(in_features=3, out_features=2): input (2, 4) must end with 3"),
                         ShapeError);
    Linear nobias(3, 2, false);
    CHECK_FALSE(nobias.bias.defined());
    CHECK(nobias.parameters().size() == 1);
    CHECK(to_string(nobias) == "Linear(in_features=3, out_features=2, bias=false)");
}

TEST_CASE("nn: Linear's default initialisation is PyTorch's U(-1/sqrt(in), 1/sqrt(in)), seeded") {
    manual_seed(42);
    Linear a(100, 50);
    manual_seed(42);
    Linear b(100, 50);
    CHECK(a.weight.to_vector() == b.weight.to_vector());
    const auto w = a.weight.to_vector();
    double lo = 1, hi = -1;
    for (double v : w) lo = std::min(lo, v), hi = std::max(hi, v);
    CHECK(lo >= -0.1);
    CHECK(hi <= 0.1);
    CHECK(lo < -0.095);  // the whole range is used
    CHECK(hi > 0.095);
}

TEST_CASE("nn: activation modules match their ops and are built by name") {
    const Tensor x = tensor({{-2.0, -0.5, 0.0, 0.5, 2.0}});
    CHECK((*make_activation("relu"))(x).to_vector() == relu(x).to_vector());
    CHECK((*make_activation("Sigmoid"))(x).to_vector() == sigmoid(x).to_vector());
    CHECK((*make_activation("tanh"))(x).to_vector() == tg::tanh(x).to_vector());
    CHECK((*make_activation("step"))(x).to_vector() == std::vector<double>{0, 0, 0, 1, 1});
    CHECK((*make_activation("leaky_relu"))(x).at({0, 0}) == doctest::Approx(-0.02));
    const Tensor sm = (*make_activation("softmax"))(x);
    CHECK(sum(sm).item() == doctest::Approx(1.0));
    CHECK((*make_activation("none"))(x).to_vector() == x.to_vector());
    CHECK_THROWS_WITH_AS(make_activation("swishy"), doctest::Contains("known: step, sigmoid"), std::invalid_argument);
}

TEST_CASE("nn: activations by kind and by name come from one table") {
    const Tensor x = tensor({{-2.0, -0.5, 0.5, 2.0}});
    CHECK((*make_activation(Activation::relu))(x).to_vector() == relu(x).to_vector());
    CHECK(make_activation(Activation::leaky_relu)->type_name() == "LeakyReLU");
    CHECK(make_activation(Activation::log_softmax)->type_name() == "LogSoftmax");
    CHECK(make_activation(Activation::none)->type_name() == "Identity");
    // every accepted name maps to a kind whose name maps back to that kind
    for (const std::string& name : activation_names()) {
        INFO(name);
        const Activation kind = activation_from_name(name);
        CHECK(activation_from_name(activation_name(kind)) == kind);
        CHECK(make_activation(name)->type_name() == make_activation(kind)->type_name());
    }
    CHECK(activation_from_name("LeakyReLU") == Activation::leaky_relu);
    CHECK(activation_from_name("linear") == Activation::none);
    CHECK(activation_name(Activation::log_softmax) == "log_softmax");
    CHECK_THROWS_WITH_AS(activation_from_name("rleu"), doctest::Contains("unknown activation 'rleu'"),
                         std::invalid_argument);
}

TEST_CASE("nn: Dropout zeroes about p of the inputs in training, scales the rest, and is off in eval") {
    Dropout d(0.25, 7);
    const Tensor x = ones({100, 100}, {DType::f32, true});
    const Tensor y = d(x);
    const auto v = y.to_vector();
    std::size_t zeros_seen = 0;
    for (double e : v) {
        if (e == 0) ++zeros_seen;
        else CHECK(e == doctest::Approx(1.0 / 0.75));
    }
    CHECK(zeros_seen > 2300);
    CHECK(zeros_seen < 2700);
    sum(y).backward();
    CHECK(x.grad().to_vector() == v);  // the gradient is the mask
    Dropout again(0.25, 7);
    CHECK(again(ones({100, 100})).to_vector() == v);  // same seed, same mask
    d.eval();
    CHECK(d(x).to_vector() == x.to_vector());
    CHECK_THROWS_AS(Dropout(1.5), std::invalid_argument);
}

TEST_CASE("nn: Flatten keeps the batch axis") {
    Flatten f;
    CHECK(f(zeros({2, 3, 4})).shape() == Shape{2, 12});
    Flatten all(0);
    CHECK(all(zeros({2, 3, 4})).shape() == Shape{24});
}

TEST_CASE("nn: mlp builds the layers and neurons it is told to") {
    manual_seed(5);
    auto net = mlp({2, 4, 3, 1}, {"tanh", "relu", "sigmoid"});
    CHECK(net->size() == 6);
    CHECK(to_string(*net) ==
          "Sequential(\n"
          "  (0): Linear(in_features=2, out_features=4, bias=true)\n"
          "  (1): Tanh()\n"
          "  (2): Linear(in_features=4, out_features=3, bias=true)\n"
          "  (3): ReLU()\n"
          "  (4): Linear(in_features=3, out_features=1, bias=true)\n"
          "  (5): Sigmoid()\n"
          ")");
    auto hidden_only = mlp({2, 8, 8, 3}, {"relu"});
    CHECK(hidden_only->size() == 5);  // Linear ReLU Linear ReLU Linear
    CHECK(names_of(hidden_only->named_parameters()).back() == "4.bias");
    auto with_dropout = mlp({2, 8, 1}, {"relu"}, {.dropout = 0.2});
    CHECK(with_dropout->at<Dropout>(2)->p() == 0.2);
    auto dbl = mlp({2, 3, 1}, {"tanh", "none"}, {.dtype = DType::f64});
    CHECK(dbl->parameters()[0].dtype() == DType::f64);
    CHECK_THROWS_WITH_AS(mlp({2, 3, 1}, {"tanh", "relu", "relu"}), doctest::Contains("3 activations for 2 layers"),
                         std::invalid_argument);
    CHECK_THROWS_AS(mlp({2}, {}), std::invalid_argument);
    CHECK_THROWS_AS(mlp({2, 3, 1}, {"nope"}), std::invalid_argument);
}

TEST_CASE("nn: mlp takes activations by kind as by name, and the init scheme either way") {
    manual_seed(3);
    auto by_kind = mlp({2, 4, 3, 1}, {Activation::tanh, Activation::relu, Activation::none},
                       {.init = init::Scheme::xavier_uniform});
    manual_seed(3);
    auto by_name = mlp({2, 4, 3, 1}, {"tanh", "relu", "none"}, {.init = "xavier_uniform"});
    CHECK(to_string(*by_kind) == to_string(*by_name));
    CHECK(by_kind->size() == 5);  // Linear Tanh Linear ReLU Linear
    CHECK(by_kind->at<Linear>(0)->weight.to_vector() == by_name->at<Linear>(0)->weight.to_vector());
    CHECK(by_kind->at<Linear>(0)->bias.to_vector() == std::vector<double>(4, 0.0));  // xavier zeroes biases
    auto hidden_only = mlp({2, 8, 8, 3}, {Activation::relu});
    CHECK(hidden_only->size() == 5);  // Linear ReLU Linear ReLU Linear
    CHECK_THROWS_WITH_AS(mlp({2, 3, 1}, {Activation::relu, Activation::relu, Activation::relu}),
                         doctest::Contains("3 activations for 2 layers"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(mlp({2, 3, 1}, {"relu"}, {.init = "he_unifrom"}),
                         doctest::Contains("unknown scheme 'he_unifrom'"), std::invalid_argument);
}

TEST_CASE("nn: mlp names hidden and output activations apart; a one-entry list for one Linear layer is an error") {
    manual_seed(2);
    // by role: hidden ReLU, sigmoid out; names and kinds alike
    auto net = mlp({3, 5, 4, 1}, MlpActivations{.hidden = "relu", .output = Activation::sigmoid});
    CHECK(to_string(*net) ==
          "Sequential(\n"
          "  (0): Linear(in_features=3, out_features=5, bias=true)\n"
          "  (1): ReLU()\n"
          "  (2): Linear(in_features=5, out_features=4, bias=true)\n"
          "  (3): ReLU()\n"
          "  (4): Linear(in_features=4, out_features=1, bias=true)\n"
          "  (5): Sigmoid()\n"
          ")");
    // the same network as a list with one entry per Linear layer
    CHECK(to_string(*mlp({3, 5, 4, 1}, {"relu", "relu", "sigmoid"})) == to_string(*net));
    // logistic regression: one Linear layer and nothing on its logit unless asked
    auto logistic = mlp({3, 1}, MlpActivations{.hidden = "relu"});
    CHECK(logistic->size() == 1);
    CHECK(mlp({3, 1}, MlpActivations{.output = "sigmoid"})->size() == 2);
    CHECK(mlp({3, 1}, {})->size() == 1);
    // ... but a one-entry list there could mean the output's activation or the
    // (absent) hidden layers': an error that says what to write
    CHECK_THROWS_WITH_AS(mlp({3, 1}, {"relu"}), doctest::Contains("MlpActivations{.output = \"relu\"}"),
                         std::invalid_argument);
    CHECK_THROWS_AS(mlp({3, 1}, {Activation::tanh}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(mlp({3, 4, 1}, {"relu", "relu", "relu"}), doctest::Contains("MlpActivations{.hidden"),
                         std::invalid_argument);
    CHECK_THROWS_AS(mlp({3, 1}, MlpActivations{.hidden = "nope"}), std::invalid_argument);
    // options still apply: dropout after each hidden activation only
    auto dropped = mlp({3, 5, 1}, MlpActivations{.hidden = "tanh"}, {.dropout = 0.5, .dtype = DType::f64});
    CHECK(dropped->size() == 4);  // Linear Tanh Dropout Linear
    CHECK(dropped->parameters()[0].dtype() == DType::f64);
}

TEST_CASE("nn: init schemes by kind and by name come from one table") {
    for (const std::string& name : init::scheme_names()) {
        INFO(name);
        CHECK(init::scheme_from_name(init::scheme_name(init::scheme_from_name(name))) == init::scheme_from_name(name));
    }
    CHECK(init::scheme_from_name("kaiming_normal") == init::Scheme::he_normal);
    CHECK(init::scheme_name(init::Scheme::pytorch_default) == "default");
    // the same draws by kind and by name
    Linear a(6, 5), b(6, 5);
    Generator g1(4), g2(4);
    init::initialize(a, init::Scheme::he_normal, &g1);
    init::initialize(b, "he_normal", &g2);
    CHECK(a.weight.to_vector() == b.weight.to_vector());
    CHECK(a.bias.to_vector() == std::vector<double>(5, 0.0));
    // the default leaves the layer's own initialisation
    Linear c(6, 5);
    const std::vector<double> before = c.weight.to_vector(), bias = c.bias.to_vector();
    init::initialize(c, init::Scheme::pytorch_default);
    CHECK(c.weight.to_vector() == before);
    CHECK(c.bias.to_vector() == bias);
    CHECK_THROWS_WITH_AS(init::scheme_from_name("magic"), doctest::Contains("known: default, xavier_uniform"),
                         std::invalid_argument);
}

TEST_CASE("nn: summary prints layers, output shapes and parameter counts") {
    manual_seed(6);
    Sequential net(Linear(784, 128), ReLU(), Sequential(Linear(128, 64), ReLU()), Linear(64, 10));
    std::ostringstream os;
    summary(net, {1, 784}, os);
    const std::string s = os.str();
    INFO(s);
    CHECK(s.find("0 (Linear)") != std::string::npos);
    CHECK(s.find("(1, 128)") != std::string::npos);
    CHECK(s.find("100,480") != std::string::npos);      // 784*128 + 128
    CHECK(s.find("  2.0 (Linear)") != std::string::npos);  // nested rows are indented
    CHECK(s.find("(1, 10)") != std::string::npos);
    CHECK(s.find("Total params: 109,386") != std::string::npos);
    CHECK(s.find("Non-trainable params: 0") != std::string::npos);
    CHECK(net.is_training());  // mode restored
    // a frozen parameter counts as non-trainable
    net.at<Linear>(3)->bias.requires_grad_(false);
    CHECK(summary_string(net, {2, 784}).find("Non-trainable params: 10") != std::string::npos);
}

TEST_CASE("nn: state_dict and load_state_dict copy values in place and check names, shapes, dtypes") {
    manual_seed(7);
    auto a = mlp({3, 4, 2}, {"relu"});
    manual_seed(8);
    auto b = mlp({3, 4, 2}, {"relu"});
    const Tensor w_handle = b->at<Linear>(0)->weight;
    b->load_state_dict(a->state_dict());
    CHECK(w_handle.to_vector() == a->at<Linear>(0)->weight.to_vector());  // the same handle sees new values
    const Tensor x = rand({5, 3});
    CHECK((*a)(x).to_vector() == (*b)(x).to_vector());

    NamedTensors missing = a->state_dict();
    missing.pop_back();
    CHECK_THROWS_WITH_AS(b->load_state_dict(missing), doctest::Contains("missing [2.bias]"), std::invalid_argument);
    b->load_state_dict(missing, false);  // not strict: fine
    NamedTensors wrong = a->state_dict();
    wrong[0].second = zeros({4, 4});
    CHECK_THROWS_WITH_AS(b->load_state_dict(wrong), doctest::Contains("'0.weight' has shape (4, 4)"), ShapeError);
    auto c = mlp({3, 4, 2}, {"relu"}, {.dtype = DType::f64});
    CHECK_THROWS_AS(c->load_state_dict(a->state_dict()), DTypeError);
    // the checks alone, as load() uses them, change nothing and can name the source's dtypes
    const auto before = c->at<Linear>(0)->weight.to_vector();
    CHECK_THROWS_WITH_AS(c->check_state_dict(a->state_dict(), true, "load 'm.safetensors'",
                                             std::vector<std::string>(4, "BF16")),
                         doctest::Contains("load 'm.safetensors': '0.weight' is BF16 in the file but float64"),
                         DTypeError);
    CHECK_THROWS_AS(c->check_state_dict(a->state_dict(), true, "x", {"F32"}), std::invalid_argument);
    CHECK_NOTHROW(b->check_state_dict(a->state_dict(), true));
    CHECK(c->at<Linear>(0)->weight.to_vector() == before);
}

TEST_CASE("nn: initialisers have the documented ranges and spreads") {
    Generator gen(11);
    Tensor w = zeros({200, 300});
    init::xavier_uniform_(w, 1.0, &gen);
    const double a = std::sqrt(6.0 / 500.0);
    double lo = 1, hi = -1, sq = 0;
    for (double v : w.to_vector()) lo = std::min(lo, v), hi = std::max(hi, v), sq += v * v;
    CHECK(lo >= -a);
    CHECK(hi <= a);
    CHECK(std::sqrt(sq / 60000) == doctest::Approx(a / std::sqrt(3.0)).epsilon(0.02));
    init::xavier_normal_(w, 1.0, &gen);
    sq = 0;
    for (double v : w.to_vector()) sq += v * v;
    CHECK(std::sqrt(sq / 60000) == doctest::Approx(std::sqrt(2.0 / 500.0)).epsilon(0.02));
    init::kaiming_normal_(w, 0, init::FanMode::fan_in, "relu", &gen);
    sq = 0;
    for (double v : w.to_vector()) sq += v * v;
    CHECK(std::sqrt(sq / 60000) == doctest::Approx(std::sqrt(2.0 / 300.0)).epsilon(0.02));
    init::kaiming_uniform_(w, 0, init::FanMode::fan_out, "relu", &gen);
    hi = 0;
    for (double v : w.to_vector()) hi = std::max(hi, std::abs(v));
    CHECK(hi <= std::sqrt(2.0) * std::sqrt(3.0 / 200.0));
    CHECK(init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
    CHECK(init::fans(zeros({8, 4, 3, 3})) == std::pair<double, double>{36.0, 72.0});
    init::constant_(w, 0.25);
    CHECK(w.at({3, 4}) == 0.25);
    Tensor vec = zeros({5});
    CHECK_THROWS_AS(init::xavier_uniform_(vec), std::invalid_argument);
    // the same seed gives the same network, bit for bit
    manual_seed(99);
    auto n1 = mlp({4, 16, 1}, {"relu"}, {.init = "he_uniform"});
    manual_seed(99);
    auto n2 = mlp({4, 16, 1}, {"relu"}, {.init = "he_uniform"});
    CHECK(n1->at<Linear>(0)->weight.to_vector() == n2->at<Linear>(0)->weight.to_vector());
    CHECK(n1->at<Linear>(0)->bias.to_vector() == std::vector<double>(16, 0.0));
    CHECK_THROWS_AS(init::initialize(*n1, "magic"), std::invalid_argument);
}

TEST_CASE("nn: Module::to converts parameters in place, keeping handles") {
    Linear lin(2, 2);
    const Tensor w = lin.weight;
    const auto before = w.to_vector();
    lin.to(DType::f64);
    CHECK(w.dtype() == DType::f64);
    CHECK(lin.parameters()[0].dtype() == DType::f64);
    for (std::size_t i = 0; i < before.size(); ++i) CHECK(w.to_vector()[i] == before[i]);
    CHECK(lin(ones({1, 2}, {DType::f64})).dtype() == DType::f64);
}

TEST_CASE("nn: a whole MLP gradchecks in double, with respect to its input and its parameters") {
    manual_seed(12);
    auto net = mlp({3, 5, 4, 2}, {"tanh", "sigmoid", "none"}, {.dtype = DType::f64});
    test::check_grad([&](const std::vector<Tensor>& in) { return (*net)(in[0]); }, {test::rnd({4, 3})}, "mlp input");
    // the parameters: a functional copy of the same network, fed with the module's weights
    const auto lin0 = net->at<Linear>(0), lin2 = net->at<Linear>(2), lin4 = net->at<Linear>(4);
    const Tensor x = test::rnd({4, 3}, -1, 1, 5);
    test::check_grad(
        [&](const std::vector<Tensor>& p) {
            return linear(sigmoid(linear(tg::tanh(linear(x, p[0], p[1])), p[2], p[3])), p[4], p[5]);
        },
        {lin0->weight.detach(), lin0->bias.detach(), lin2->weight.detach(), lin2->bias.detach(), lin4->weight.detach(),
         lin4->bias.detach()},
        "mlp parameters");
    // and the module's own gradients equal the functional ones
    sum((*net)(x)).backward();
    Tensor w0 = lin0->weight.detach();
    const Tensor b0 = lin0->bias.detach();
    w0.requires_grad_();
    const Tensor out = linear(sigmoid(linear(tg::tanh(linear(x, w0, b0)), lin2->weight.detach(), lin2->bias.detach())),
                              lin4->weight.detach(), lin4->bias.detach());
    sum(out).backward();
    const auto a = lin0->weight.grad().to_vector(), b = w0.grad().to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-12));
}
