// nn: models with several inputs and outputs: Dataset and Batch of several
// tensors, the Tensors forward, fit/evaluate/predict, summary, Functional, Lambda.
#include <cstdio>
#include <sstream>
#include <type_traits>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

/// Rows a [N, 3], b [N, 2] and the target t = a·(1, -2, 0.5) + 3·b0·b1 [N, 1]:
/// the second input enters through a product, so a model must use both.
struct TwoInputData {
    Tensor a, b, t;
};
TwoInputData two_input_data(std::size_t n, std::uint64_t seed) {
    Generator gen(seed);
    const Tensor a = uniform({n, 3}, -1, 1, {}, &gen), b = uniform({n, 2}, -1, 1, {}, &gen);
    const std::vector<double> av = a.to_vector(), bv = b.to_vector();
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i)
        t[i] = av[3 * i] - 2 * av[3 * i + 1] + 0.5 * av[3 * i + 2] + 3 * bv[2 * i] * bv[2 * i + 1];
    return {a, b, from_vector(t, {n, 1})};
}

/// enc(a) and side(b) meet in the head: a branch per input, joined by concatenation.
std::shared_ptr<Functional> two_input_model() {
    auto enc = std::make_shared<Linear>(3, 16), side = std::make_shared<Linear>(2, 16);
    auto head = std::make_shared<Linear>(32, 1);
    return std::make_shared<Functional>(
        NamedModules{{"encoder", enc}, {"side", side}, {"head", head}},
        [=](const Tensors& in) {
            const Tensor h = concat({tanh((*enc)(in[0])), tanh((*side)(in[1]))}, 1);
            return Tensors{(*head)(h)};
        },
        2);
}

/// Which of the two calls ran.
struct Recorder : Module {
    std::string last;
    Tensor forward(const Tensor& x) override {
        last = "one";
        return x;
    }
    Tensors forward(const Tensors& xs) override {
        last = "several";
        return xs;
    }
};

/// Only a one-tensor forward.
struct Twice : Module {
    Tensor forward(const Tensor& x) override { return x * 2.0; }
};

double mean_squared(const Tensor& p, const Tensor& t) {
    const std::vector<double> pv = p.to_vector(), tv = t.to_vector();
    double s = 0;
    for (std::size_t i = 0; i < pv.size(); ++i) s += (pv[i] - tv[i]) * (pv[i] - tv[i]);
    return s / static_cast<double>(pv.size());
}

double mean_absolute(const Tensor& p, const Tensor& t) {
    const std::vector<double> pv = p.to_vector(), tv = t.to_vector();
    double s = 0;
    for (std::size_t i = 0; i < pv.size(); ++i) s += std::abs(pv[i] - tv[i]);
    return s / static_cast<double>(pv.size());
}

std::vector<std::string> names_of(const NamedTensors& named) {
    std::vector<std::string> names;
    for (const auto& [name, t] : named) names.push_back(name);
    return names;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

TEST_CASE("multi-input: model({a, b}) calls the Tensors forward, model(x) the one-tensor one") {
    Recorder r;
    const Tensor a = ones({2, 3}), b = zeros({2, 1});
    static_assert(std::is_same_v<decltype(r({a, b})), Tensors>);
    static_assert(std::is_same_v<decltype(r(a)), Tensor>);
    static_assert(std::is_same_v<decltype(r(Tensors{a})), Tensors>);
    const Tensors both = r({a, b});
    CHECK(r.last == "several");
    CHECK(both.size() == 2);
    CHECK(r(a).shape() == Shape{2, 3});
    CHECK(r.last == "one");
    CHECK(r(Tensors{a}).size() == 1);
    CHECK(r.last == "several");

    // the default Tensors forward runs the one-tensor forward on exactly one input
    Twice twice;
    const Tensors y = twice(Tensors{a});
    REQUIRE(y.size() == 1);
    CHECK(y[0].to_vector() == std::vector<double>(6, 2.0));
    const std::string msg = message_of([&] { twice({a, b}); });
    CHECK_THROWS_AS(twice({a, b}), std::invalid_argument);
    CHECK(msg.find("Twice") != std::string::npos);
    CHECK(msg.find("2 input tensors") != std::string::npos);
    CHECK(msg.find("forward(const Tensors&)") != std::string::npos);
    CHECK_THROWS_AS(twice(Tensors{}), std::invalid_argument);
    // and a module without a one-tensor forward says how to call it with several inputs
    struct OnlyMany : Module {
        using Module::forward;
        Tensors forward(const Tensors& xs) override { return xs; }
    } many;
    const std::string one = message_of([&] { many(a); });
    CHECK(one.find("OnlyMany") != std::string::npos);
    CHECK(one.find("model({a, b})") != std::string::npos);
}

TEST_CASE("multi-input: Dataset of several inputs and targets; rows must agree") {
    const Tensor a = rand({5, 3}), b = rand({5, 2}), t0 = rand({5, 1}), t1 = rand({5});
    const Dataset d({a, b}, {t0, t1});
    CHECK(d.size() == 5);
    CHECK(d.input_count() == 2);
    CHECK(d.target_count() == 2);
    CHECK(d.x.shape() == Shape{5, 3});  // x and y are the first input and target
    CHECK(d.y.shape() == Shape{5, 1});
    CHECK(d.inputs()[1].shape() == Shape{5, 2});
    CHECK(d.targets()[1].shape() == Shape{5});
    const Dataset one(a, t0);
    CHECK(one.input_count() == 1);
    CHECK(one.target_count() == 1);
    CHECK(Dataset(a).target_count() == 0);
    CHECK(Dataset(a).targets().empty());
    CHECK(Dataset().input_count() == 0);
    CHECK(Dataset(Tensors{a, b}).target_count() == 0);

    const std::string msg = message_of([&] { Dataset({a, rand({4, 2})}, {t0}); });
    CHECK(msg.find("input 1") != std::string::npos);
    CHECK(msg.find("(4, 2)") != std::string::npos);
    CHECK(msg.find("(5, 3)") != std::string::npos);
    CHECK_THROWS_AS(Dataset({a, rand({4, 2})}, {t0}), ShapeError);
    const std::string tmsg = message_of([&] { Dataset({a, b}, {t0, rand({6})}); });
    CHECK(tmsg.find("target 1") != std::string::npos);
    CHECK(tmsg.find("(6)") != std::string::npos);
    CHECK_THROWS_AS(Dataset({a, b}, {t0, rand({6})}), ShapeError);
    CHECK_THROWS_AS(Dataset(Tensors{}, {}), std::invalid_argument);
    CHECK_THROWS_AS(Dataset(Tensors{a, Tensor()}), std::invalid_argument);
    CHECK_THROWS_AS(Dataset(Tensors{a, scalar(1.0)}), ShapeError);
}

TEST_CASE("multi-input: subset, slice and train_test_split keep every tensor, row for row") {
    // row i holds i in a, 10 i in b, its class i % 3 in t0 and 100 i in t1
    const std::size_t n = 30;
    std::vector<double> av(n), bv(2 * n), t0(n), t1(n);
    for (std::size_t i = 0; i < n; ++i) {
        av[i] = double(i);
        bv[2 * i] = bv[2 * i + 1] = 10.0 * double(i);
        t0[i] = double(i % 3);
        t1[i] = 100.0 * double(i);
    }
    const Dataset d({from_vector(av, {n, 1}), from_vector(bv, {n, 2})}, {from_vector(t0, {n}), from_vector(t1, {n})});
    auto consistent = [](const Dataset& part) {
        REQUIRE(part.input_count() == 2);
        REQUIRE(part.target_count() == 2);
        const std::vector<double> a = part.inputs()[0].to_vector(), b = part.inputs()[1].to_vector(),
                                  c = part.targets()[0].to_vector(), e = part.targets()[1].to_vector();
        for (std::size_t r = 0; r < part.size(); ++r) {
            CHECK(b[2 * r] == 10 * a[r]);
            CHECK(b[2 * r + 1] == 10 * a[r]);
            CHECK(c[r] == double(static_cast<int>(a[r]) % 3));
            CHECK(e[r] == 100 * a[r]);
        }
    };
    const Dataset sub = d.subset({7, 2, 2});
    CHECK(sub.x.to_vector() == std::vector<double>{7, 2, 2});
    consistent(sub);
    const Dataset sl = d.slice(4, 9);
    CHECK(sl.x.to_vector() == std::vector<double>{4, 5, 6, 7, 8});
    consistent(sl);
    const auto [train, test] = train_test_split(d, 0.2, {.seed = 3, .stratify = true});
    CHECK(train.size() == 24);
    CHECK(test.size() == 6);
    consistent(train);
    consistent(test);
    // stratified on the first target: two rows of each of the three classes in the test part
    const std::vector<double> classes = test.y.to_vector();
    for (double c : {0.0, 1.0, 2.0}) CHECK(std::count(classes.begin(), classes.end(), c) == 2);
}

TEST_CASE("multi-input: Batch binds to [x, y] and gives all of its tensors") {
    const std::size_t n = 10;
    const Tensor a = reshape(arange(0, double(n)), {n, 1}), b = a * 10.0, t0 = a * 100.0, t1 = a * 1000.0;
    DataLoader loader(Dataset({a, b}, {t0, t1}), {.batch_size = 4, .shuffle = true, .seed = 5});
    std::size_t rows = 0;
    for (const auto& [x, y] : loader) {
        CHECK(y.to_vector() == (x * 100.0).to_vector());
        rows += x.size(0);
    }
    CHECK(rows == n);
    Batch batch = loader.batch(1);
    REQUIRE(batch.inputs().size() == 2);
    REQUIRE(batch.targets().size() == 2);
    CHECK(batch.inputs()[1].to_vector() == (batch.x * 10.0).to_vector());
    CHECK(batch.targets()[1].to_vector() == (batch.x * 1000.0).to_vector());
    auto [x, y] = loader.batch(2);  // by value: the last two rows
    CHECK(x.shape() == Shape{2, 1});
    CHECK(y.to_vector() == (x * 100.0).to_vector());
    auto& [xr, yr] = batch;  // by reference: names the members
    CHECK(&xr == &batch.x);
    CHECK(&yr == &batch.y);
    static_assert(std::tuple_size_v<Batch> == 2);
    // a one-tensor Dataset's batches are as before
    const Batch single = DataLoader(Dataset(a, t0), {.batch_size = 3}).batch(0);
    CHECK(single.inputs().size() == 1);
    CHECK(single.targets().size() == 1);
    CHECK(Batch(a, Tensor()).targets().empty());
}

TEST_CASE("multi-input: fit trains a two-input Functional; evaluate and predict agree with calling it by hand") {
    manual_seed(3);
    const TwoInputData tr = two_input_data(512, 1), te = two_input_data(200, 2);
    const Dataset train({tr.a, tr.b}, {tr.t}), test({te.a, te.b}, {te.t});
    auto model = two_input_model();
    const double before = evaluate(*model, MSELoss(), test).at("loss");
    optim::Adam opt(model->parameters(), 1e-2);
    const History h = fit(model, MSELoss(), opt, train,
                          {.epochs = 60, .batch_size = 32, .validation_split = 0.1,
                           .metrics = {MetricKind::mae}, .verbose = 0});
    REQUIRE(h.epochs() == 60);
    const double after = evaluate(*model, MSELoss(), test).at("loss");
    MESSAGE("two-input regression: test MSE " << before << " untrained -> " << after << " trained; val_loss "
                                              << h["val_loss"].back());
    CHECK(before > 1.0);  // the untrained model is far off (the target's variance is 7/4 + 1 = 2.75)
    CHECK(after < 0.05);
    CHECK(h["val_loss"].back() < 0.05);
    CHECK(h["mae"].back() < h["mae"].front());

    // predict and evaluate are the hand-made forward, batch by batch (200 rows in batches of 64)
    const Tensors p = predict(*model, {te.a, te.b}, 64);
    REQUIRE(p.size() == 1);
    model->eval();
    Tensor by_hand;
    {
        NoGradGuard no_grad;
        by_hand = (*model)({te.a, te.b})[0];
    }
    model->train();
    REQUIRE(p[0].shape() == Shape{200, 1});
    const std::vector<double> pv = p[0].to_vector(), hv = by_hand.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < pv.size(); ++i) worst = std::max(worst, std::abs(pv[i] - hv[i]));
    CHECK(worst < 1e-6);
    MESSAGE("predict in batches of 64 vs one forward by hand: max abs difference " << worst);
    const Logs e = evaluate(*model, MSELoss(), test, {.batch_size = 64, .metrics = {MetricKind::mae}});
    CHECK(e.at("loss") == doctest::Approx(mean_squared(by_hand, te.t)).epsilon(1e-5));
    CHECK(e.at("mae") == doctest::Approx(mean_absolute(by_hand, te.t)).epsilon(1e-5));
    CHECK(model->is_training());
}

TEST_CASE("multi-input: two outputs and two targets with per_output_loss") {
    manual_seed(4);
    const TwoInputData d = two_input_data(64, 3);
    const Tensor t2 = sum(d.b, {1}, true);  // a second target: b0 + b1
    auto trunk = std::make_shared<Linear>(5, 8), out1 = std::make_shared<Linear>(8, 1),
         out2 = std::make_shared<Linear>(8, 1);
    Functional model({{"trunk", trunk}, {"out1", out1}, {"out2", out2}}, [=](const Tensors& in) {
        const Tensor h = relu((*trunk)(concat({in[0], in[1]}, 1)));
        return Tensors{(*out1)(h), (*out2)(h)};
    });
    const Dataset data({d.a, d.b}, {d.t, t2});
    const MultiLossFn loss = per_output_loss({MSELoss(), L1Loss()}, {1.0, 0.25});

    Tensors outs;
    {
        NoGradGuard no_grad;
        model.eval();
        outs = model({d.a, d.b});
        model.train();
    }
    REQUIRE(outs.size() == 2);
    const double hand = mean_squared(outs[0], d.t) + 0.25 * mean_absolute(outs[1], t2);
    CHECK(loss(outs, {d.t, t2}).item() == doctest::Approx(hand).epsilon(1e-6));
    MESSAGE("per_output_loss " << loss(outs, {d.t, t2}).item() << " vs by hand " << hand);
    const Logs e = evaluate(model, loss, data, {.batch_size = 20});
    CHECK(e.at("loss") == doctest::Approx(hand).epsilon(1e-5));

    optim::Adam opt(model.parameters(), 1e-2);
    const History h = fit(model, loss, opt, data, {.epochs = 40, .batch_size = 16, .verbose = 0});
    CHECK(h["loss"].back() < 0.3 * h["loss"].front());
    const Tensors p = predict(model, {d.a, d.b}, 10);
    CHECK(p.size() == 2);
    CHECK(p[1].shape() == Shape{64, 1});

    // the loss and the data must give one of each per loss
    CHECK_THROWS_AS(loss({outs[0]}, {d.t, t2}), std::invalid_argument);
    CHECK_THROWS_AS(per_output_loss({MSELoss(), L1Loss()}, {1.0}), std::invalid_argument);
    CHECK_THROWS_AS(per_output_loss({}), std::invalid_argument);
}

TEST_CASE("multi-input: a one-tensor loss with several outputs or targets says to pass a MultiLossFn") {
    manual_seed(5);
    const TwoInputData d = two_input_data(16, 4);
    auto model = two_input_model();
    optim::SGD sgd(model->parameters(), 0.1);
    const std::string msg =
        message_of([&] { fit(model, MSELoss(), sgd, Dataset({d.a, d.b}, {d.t, d.t}), {.epochs = 1, .verbose = 0}); });
    CHECK(msg.find("fit") != std::string::npos);
    CHECK(msg.find("1 outputs and the data has 2 targets") != std::string::npos);
    CHECK(msg.find("MultiLossFn") != std::string::npos);
    CHECK_THROWS_AS(evaluate(*model, MSELoss(), Dataset({d.a, d.b}, {d.t, d.t})), std::invalid_argument);
    // a one-input model given two inputs
    auto lin = std::make_shared<Linear>(3, 1);
    optim::SGD sgd2(lin->parameters(), 0.1);
    const std::string two =
        message_of([&] { fit(lin, MSELoss(), sgd2, Dataset({d.a, d.b}, {d.t}), {.epochs = 1, .verbose = 0}); });
    CHECK(two.find("Linear: called with 2 input tensors") != std::string::npos);
    // a two-input Functional called with one tensor
    const std::string one = message_of([&] { (*model)(d.a); });
    CHECK(one.find("takes 2 inputs") != std::string::npos);
    CHECK(one.find("model({a, b})") != std::string::npos);
    CHECK_THROWS_AS((*model)({d.a, d.b, d.b}), std::invalid_argument);
    CHECK_THROWS_AS((*model)({d.a, Tensor()}), std::invalid_argument);
}

TEST_CASE("multi-input: summary of a two-input Functional lists its layers and their output shapes") {
    manual_seed(6);
    auto model = two_input_model();
    const std::string s = summary_string(*model, std::vector<Shape>{{4, 3}, {4, 2}});
    INFO(s);
    CHECK(s.find("Model: Functional   input (4, 3), (4, 2)") != std::string::npos);
    CHECK(s.find("encoder (Linear)") != std::string::npos);
    CHECK(s.find("side (Linear)") != std::string::npos);
    CHECK(s.find("head (Linear)") != std::string::npos);
    CHECK(s.find("(4, 16)") != std::string::npos);
    CHECK(s.find("(4, 1)") != std::string::npos);
    CHECK(s.find("Total params: 145") != std::string::npos);  // (3*16+16) + (2*16+16) + (32+1)
    // a row of a layer with several outputs shows each shape
    Recorder r;
    Functional outer({{"inner", std::shared_ptr<Module>(&r, [](Module*) {})}},
                     [&](const Tensors& in) { return r(in); });
    const std::string two = summary_string(outer, std::vector<Shape>{{2, 3}, {2, 5}});
    INFO(two);
    CHECK(two.find("inner (Recorder)  (2, 3), (2, 5)") != std::string::npos);
    CHECK_THROWS_AS(summary_string(outer, std::vector<Shape>{}), std::invalid_argument);
    // the one-shape form is unchanged
    CHECK(summary_string(*std::make_shared<Linear>(3, 2), {1, 3}).find("(1, 2)") != std::string::npos);
}

TEST_CASE("multi-input: Functional registers its submodules: names, save and load, to(), eval") {
    manual_seed(7);
    auto model = two_input_model();
    std::vector<std::string> names;
    for (const auto& [name, t] : model->state_dict()) names.push_back(name);
    CHECK(names == std::vector<std::string>{"encoder.weight", "encoder.bias", "side.weight", "side.bias",
                                            "head.weight", "head.bias"});
    CHECK(model->parameters().size() == 6);
    CHECK(to_string(*model).find("(encoder): Linear(in_features=3") != std::string::npos);
    CHECK(to_string(*model).find("inputs=2") != std::string::npos);
    model->eval();
    CHECK(!model->child("head")->is_training());
    model->train();

    const TwoInputData d = two_input_data(8, 5);
    const std::string path = temp_path("functional.safetensors");
    save(*model, path);
    manual_seed(8);
    auto other = two_input_model();
    NoGradGuard no_grad;
    CHECK((*other)({d.a, d.b})[0].to_vector() != (*model)({d.a, d.b})[0].to_vector());
    load(*other, path);
    CHECK((*other)({d.a, d.b})[0].to_vector() == (*model)({d.a, d.b})[0].to_vector());
    std::remove(path.c_str());

    other->to(DType::f64);
    CHECK(other->child("side")->parameters()[0].dtype() == DType::f64);
    CHECK_THROWS_AS(Functional({{"bad.name", std::make_shared<Linear>(1, 1)}}, [](const Tensors& in) { return in; }),
                    std::invalid_argument);
    CHECK_THROWS_AS(Functional({}, Functional::Fn()), std::invalid_argument);
}

TEST_CASE("multi-input: Functional and Lambda make a branch and a skip connection without a class") {
    manual_seed(9);
    // a residual block x + f(x): one input, one output, so it also fits in Sequential
    auto f = std::make_shared<Sequential>(Linear(4, 4), Tanh(), Linear(4, 4));
    auto residual = std::make_shared<Functional>(NamedModules{{"f", f}},
                                                 [=](const Tensors& in) { return Tensors{in[0] + (*f)(in[0])}; });
    Sequential net(residual, Lambda([](const Tensor& x) { return x * 0.5; }, "Half"), Linear(4, 2));
    const Tensor x = rand({3, 4});
    NoGradGuard no_grad;
    const Tensor by_hand = (*net.at<Linear>(2))(((x + (*f)(x)) * 0.5));
    CHECK(net(x).to_vector() == by_hand.to_vector());
    CHECK(names_of(net.named_parameters()).front() == "0.f.0.weight");
    const std::string s = summary_string(net, {3, 4});
    INFO(s);
    CHECK(s.find("1 (Half)") != std::string::npos);
    CHECK(s.find("0.f.2 (Linear)") != std::string::npos);

    // a branch: two heads on one trunk, two outputs
    auto trunk = std::make_shared<Linear>(4, 6), left = std::make_shared<Linear>(6, 1),
         right = std::make_shared<Linear>(6, 3);
    Functional branches({{"trunk", trunk}, {"left", left}, {"right", right}}, [=](const Tensors& in) {
        const Tensor h = relu((*trunk)(in[0]));
        return Tensors{(*left)(h), (*right)(h)};
    });
    const Tensors y = branches(Tensors{x});
    CHECK(y[0].shape() == Shape{3, 1});
    CHECK(y[1].shape() == Shape{3, 3});
    CHECK(message_of([&] { branches(x); }).find("gives 2 outputs") != std::string::npos);
    CHECK_THROWS_AS(Lambda(Lambda::Fn()), std::invalid_argument);
}
