// nn: optimisers against PyTorch's documented update formulas, computed by hand
// here; schedulers; gradient clipping and the gradient report.
#include <cmath>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

const TensorOptions f64{DType::f64};

/// A parameter theta = [1, -2, 0.5] (double) and three successive gradients.
Tensor param() { return tensor({1.0, -2.0, 0.5}, {DType::f64, true}); }
const std::vector<std::vector<double>> grads = {{0.5, -1.0, 2.0}, {0.1, 0.3, -4.0}, {-0.7, 0.2, 1.0}};

void set_grad(Tensor& p, const std::vector<double>& g) { p.set_grad(from_vector(g, {g.size()}, f64)); }

/// Run `steps` steps of opt with the fixed gradients; return theta after each step.
std::vector<std::vector<double>> run(optim::Optimizer& opt, Tensor& p, std::size_t steps = 3) {
    std::vector<std::vector<double>> out;
    for (std::size_t s = 0; s < steps; ++s) {
        set_grad(p, grads[s]);
        opt.step();
        out.push_back(p.to_vector());
    }
    return out;
}

void check_close(const std::vector<std::vector<double>>& got, const std::vector<std::vector<double>>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t s = 0; s < got.size(); ++s)
        for (std::size_t k = 0; k < got[s].size(); ++k) {
            INFO("step " << s + 1 << ", element " << k);
            CHECK(got[s][k] == doctest::Approx(want[s][k]).epsilon(1e-12));
        }
}

}  // namespace

TEST_CASE("optim: plain SGD is the lesson's rule, and maximize climbs") {
    Tensor p = param();
    optim::SGD opt({p}, 0.1);
    set_grad(p, grads[0]);
    opt.step();
    CHECK(p.to_vector() == std::vector<double>{1.0 - 0.05, -2.0 + 0.1, 0.5 - 0.2});
    Tensor q = param();
    optim::SGD up({q}, {.lr = 0.1, .maximize = true});
    set_grad(q, grads[0]);
    up.step();
    CHECK(q.to_vector() == std::vector<double>{1.0 + 0.05, -2.0 - 0.1, 0.5 + 0.2});
    // gradient ascent on J(x) = -(x - 3)^2 reaches its maximum at 3
    Tensor x = tensor({0.0}, {DType::f64, true});
    optim::SGD climb({x}, {.lr = 0.1, .maximize = true});
    for (int i = 0; i < 100; ++i) {
        climb.zero_grad();
        sum(neg(square(x - 3.0))).backward();
        climb.step();
    }
    CHECK(x.item() == doctest::Approx(3.0).epsilon(1e-6));
}

TEST_CASE("optim: SGD with momentum, dampening, nesterov and weight decay follows PyTorch's formulas") {
    struct Case {
        double mu, damp, wd;
        bool nesterov;
    };
    for (const Case c : {Case{0.9, 0, 0, false}, Case{0.9, 0.1, 0.01, false}, Case{0.8, 0, 0.05, true}}) {
        Tensor p = param();
        optim::SGD opt({p}, {.lr = 0.05, .momentum = c.mu, .dampening = c.damp, .weight_decay = c.wd,
                             .nesterov = c.nesterov});
        // by hand: g += wd θ; b = g (first) or μ b + (1 − τ) g; g = g + μ b (nesterov) or b; θ −= lr g
        std::vector<double> th = {1.0, -2.0, 0.5}, b(3);
        std::vector<std::vector<double>> want;
        for (std::size_t s = 0; s < 3; ++s) {
            for (std::size_t k = 0; k < 3; ++k) {
                const double g = grads[s][k] + c.wd * th[k];
                b[k] = s == 0 ? g : c.mu * b[k] + (1 - c.damp) * g;
                th[k] -= 0.05 * (c.nesterov ? g + c.mu * b[k] : b[k]);
            }
            want.push_back(th);
        }
        check_close(run(opt, p), want);
    }
    // a literal check: constant gradient 1, lr 0.1, momentum 0.9: steps of 0.1 then 0.19
    Tensor p = tensor({0.0}, {DType::f64, true});
    optim::SGD opt({p}, {.lr = 0.1, .momentum = 0.9});
    set_grad(p, {1.0});
    opt.step();
    CHECK(p.item() == doctest::Approx(-0.1));
    opt.step();
    CHECK(p.item() == doctest::Approx(-0.29));
    CHECK_THROWS_AS(optim::SGD({param()}, {.lr = 0.1, .nesterov = true}), std::invalid_argument);
}

TEST_CASE("optim: Adam and AdamW follow PyTorch's formulas, with bias correction") {
    for (bool amsgrad : {false, true})
        for (double wd : {0.0, 0.1}) {
            Tensor p = param();
            optim::Adam opt({p}, {.lr = 0.01, .weight_decay = wd, .amsgrad = amsgrad});
            std::vector<double> th = {1.0, -2.0, 0.5}, m(3), v(3), vmax(3);
            std::vector<std::vector<double>> want;
            for (std::size_t s = 0; s < 3; ++s) {
                const double t = static_cast<double>(s + 1);
                for (std::size_t k = 0; k < 3; ++k) {
                    const double g = grads[s][k] + wd * th[k];
                    m[k] = 0.9 * m[k] + 0.1 * g;
                    v[k] = 0.999 * v[k] + 0.001 * g * g;
                    vmax[k] = std::max(vmax[k], v[k]);
                    const double mhat = m[k] / (1 - std::pow(0.9, t));
                    const double vhat = (amsgrad ? vmax[k] : v[k]) / (1 - std::pow(0.999, t));
                    th[k] -= 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
                }
                want.push_back(th);
            }
            check_close(run(opt, p), want);
        }
    // Adam's first step has size lr whatever the gradient's scale
    Tensor p = param();
    optim::Adam adam({p}, 0.01);
    set_grad(p, {1e-3, -50.0, 7.0});
    adam.step();
    CHECK(p.at({0}) == doctest::Approx(0.99).epsilon(1e-6));
    CHECK(p.at({1}) == doctest::Approx(-1.99).epsilon(1e-9));
    // AdamW: θ ← θ(1 − lr·wd), then the Adam step without L2
    Tensor q = param();
    optim::AdamW adamw({q}, {.lr = 0.01, .weight_decay = 0.1});
    std::vector<double> th = {1.0, -2.0, 0.5}, m(3), v(3);
    std::vector<std::vector<double>> want;
    for (std::size_t s = 0; s < 3; ++s) {
        const double t = static_cast<double>(s + 1);
        for (std::size_t k = 0; k < 3; ++k) {
            th[k] *= 1 - 0.01 * 0.1;
            const double g = grads[s][k];
            m[k] = 0.9 * m[k] + 0.1 * g;
            v[k] = 0.999 * v[k] + 0.001 * g * g;
            th[k] -= 0.01 * (m[k] / (1 - std::pow(0.9, t))) / (std::sqrt(v[k] / (1 - std::pow(0.999, t))) + 1e-8);
        }
        want.push_back(th);
    }
    check_close(run(adamw, q), want);
    CHECK(optim::AdamW({param()}).hyperparameters().at("weight_decay") == 0.01);
}

TEST_CASE("optim: RMSprop (plain, centered, momentum) follows PyTorch's formulas") {
    struct Case {
        bool centered;
        double mu, wd;
    };
    for (const Case c : {Case{false, 0, 0}, Case{true, 0, 0}, Case{false, 0.9, 0.01}, Case{true, 0.5, 0}}) {
        Tensor p = param();
        optim::RMSprop opt({p}, {.lr = 0.01, .alpha = 0.9, .weight_decay = c.wd, .momentum = c.mu,
                                 .centered = c.centered});
        std::vector<double> th = {1.0, -2.0, 0.5}, v(3), gbar(3), b(3);
        std::vector<std::vector<double>> want;
        for (std::size_t s = 0; s < 3; ++s) {
            for (std::size_t k = 0; k < 3; ++k) {
                const double g = grads[s][k] + c.wd * th[k];
                v[k] = 0.9 * v[k] + 0.1 * g * g;
                double var = v[k];
                if (c.centered) {
                    gbar[k] = 0.9 * gbar[k] + 0.1 * g;
                    var -= gbar[k] * gbar[k];
                }
                const double d = std::sqrt(var) + 1e-8;
                if (c.mu > 0) {
                    b[k] = c.mu * b[k] + g / d;
                    th[k] -= 0.01 * b[k];
                } else {
                    th[k] -= 0.01 * g / d;
                }
            }
            want.push_back(th);
        }
        check_close(run(opt, p), want);
    }
    // literal: the first step with α = 0.99 moves by lr / sqrt(0.01) = 10 lr
    Tensor p = param();
    optim::RMSprop opt({p}, 0.01);
    set_grad(p, {3.0, -0.2, 1.0});
    opt.step();
    CHECK(p.at({0}) == doctest::Approx(1.0 - 0.1));
    CHECK(p.at({1}) == doctest::Approx(-2.0 + 0.1));
}

TEST_CASE("optim: Adagrad follows PyTorch's formulas, with lr decay") {
    Tensor p = param();
    optim::Adagrad opt({p}, {.lr = 0.1, .lr_decay = 0.5, .weight_decay = 0.01, .initial_accumulator_value = 0.2});
    std::vector<double> th = {1.0, -2.0, 0.5}, s(3, 0.2);
    std::vector<std::vector<double>> want;
    for (std::size_t t = 0; t < 3; ++t) {
        const double clr = 0.1 / (1 + static_cast<double>(t) * 0.5);
        for (std::size_t k = 0; k < 3; ++k) {
            const double g = grads[t][k] + 0.01 * th[k];
            s[k] += g * g;
            th[k] -= clr * g / (std::sqrt(s[k]) + 1e-10);
        }
        want.push_back(th);
    }
    check_close(run(opt, p), want);
    // literal: first step of plain Adagrad has size lr; the second lr g2 / sqrt(g1² + g2²)
    Tensor q = tensor({0.0}, {DType::f64, true});
    optim::Adagrad a({q}, 0.1);
    set_grad(q, {3.0});
    a.step();
    CHECK(q.item() == doctest::Approx(-0.1));
    set_grad(q, {4.0});
    a.step();
    CHECK(q.item() == doctest::Approx(-0.1 - 0.1 * 4.0 / 5.0));
}

TEST_CASE("optim: parameters without a gradient are left alone; zero_grad forgets gradients") {
    Tensor a = param(), b = param();
    optim::Adam opt({a, b}, 0.1);
    set_grad(a, grads[0]);
    opt.step();
    CHECK(a.to_vector() != param().to_vector());
    CHECK(b.to_vector() == param().to_vector());
    opt.zero_grad();
    CHECK_FALSE(a.grad().defined());
    CHECK_THROWS_AS(optim::SGD({a, a}, 0.1), std::invalid_argument);
    CHECK_THROWS_AS(optim::SGD({}, 0.1), std::invalid_argument);
    CHECK_THROWS_AS(optim::SGD({a}, -1.0), std::invalid_argument);
    // float parameters work the same way
    Tensor f = tensor({1.0f, 2.0f}, {DType::f32, true});
    optim::SGD sgd({f}, 0.5);
    f.set_grad(tensor({1.0, 1.0}));
    sgd.step();
    CHECK(f.to_vector() == std::vector<double>{0.5, 1.5});
}

TEST_CASE("optim: state_dict round trip continues the same trajectory") {
    Tensor p = param();
    optim::Adam a({p}, {.lr = 0.05, .amsgrad = true});
    set_grad(p, grads[0]);
    a.step();
    const auto state = a.state_dict();
    Tensor q = p.detach();
    q.requires_grad_();
    optim::Adam b({q}, {.lr = 0.05, .amsgrad = true});
    b.load_state_dict(state);
    CHECK(b.steps() == 1);
    set_grad(p, grads[1]);
    set_grad(q, grads[1]);
    a.step();
    b.step();
    CHECK(p.to_vector() == q.to_vector());
    NamedTensors bad = state;
    bad.emplace_back("0.velocity", zeros({3}, f64));
    CHECK_THROWS_WITH_AS(b.load_state_dict(bad), doctest::Contains("'velocity' is not state of this optimiser"),
                         std::invalid_argument);
    NamedTensors wrong_shape = {{"0.exp_avg", zeros({4}, f64)}};
    CHECK_THROWS_AS(b.load_state_dict(wrong_shape), ShapeError);
    NamedTensors wrong_index = {{"5.exp_avg", zeros({3}, f64)}};
    CHECK_THROWS_AS(b.load_state_dict(wrong_index), std::invalid_argument);
}

TEST_CASE("optim: schedulers set the documented learning rates") {
    Tensor p = param();
    optim::SGD opt({p}, 1.0);
    optim::StepLR step(opt, 2, 0.5);
    std::vector<double> lrs;
    for (int e = 0; e < 5; ++e) {
        step.step();
        lrs.push_back(opt.lr());
    }
    CHECK(lrs == std::vector<double>{1.0, 0.5, 0.5, 0.25, 0.25});

    optim::SGD opt2({param()}, 0.1);
    optim::ExponentialLR expo(opt2, 0.9);
    expo.step();
    expo.step();
    CHECK(opt2.lr() == doctest::Approx(0.1 * 0.81));

    optim::SGD opt3({param()}, 0.1);
    optim::CosineAnnealingLR cosine(opt3, 10, 0.001);
    for (int e = 0; e < 5; ++e) cosine.step();
    CHECK(opt3.lr() == doctest::Approx(0.001 + (0.1 - 0.001) * 0.5));
    for (int e = 0; e < 5; ++e) cosine.step();
    CHECK(opt3.lr() == doctest::Approx(0.001));

    optim::SGD opt4({param()}, 0.1);
    optim::ReduceLROnPlateau plateau(opt4, {.factor = 0.5, .patience = 2});
    for (double metric : {1.0, 0.9, 0.9, 0.9}) plateau.step(metric);  // 2 bad epochs: not yet
    CHECK(opt4.lr() == doctest::Approx(0.1));
    plateau.step(0.95);  // the third bad epoch
    CHECK(opt4.lr() == doctest::Approx(0.05));
    CHECK(plateau.reductions() == 1);
    plateau.step(0.5);
    CHECK(opt4.lr() == doctest::Approx(0.05));
    CHECK_THROWS_AS(plateau.step(), std::logic_error);
}

TEST_CASE("optim: the learning rate has one home; options() shows what a scheduler set") {
    // every optimiser: after a StepLR halves the rate, lr(), options().lr, the
    // recorded hyperparameters and the update itself all use the new rate
    auto check = [](optim::Optimizer& opt, auto options_of, Tensor& p) {
        optim::StepLR halve(opt, 1, 0.5);
        halve.step();
        CHECK(opt.lr() == doctest::Approx(0.05));
        CHECK(options_of().lr == doctest::Approx(0.05));
        CHECK(opt.hyperparameters().at("lr") == doctest::Approx(0.05));
        opt.set_lr(0.02);
        CHECK(options_of().lr == doctest::Approx(0.02));
        halve.step();  // StepLR counts from its base rate: 0.1 · 0.5²
        CHECK(options_of().lr == doctest::Approx(0.025));
        set_grad(p, {1.0, 1.0, 1.0});
        const std::vector<double> before = p.to_vector();
        opt.step();
        return before[0] - p.to_vector()[0];
    };
    Tensor a = param(), b = param(), c = param(), d = param(), e = param();
    optim::SGD sgd({a}, {.lr = 0.1});
    CHECK(check(sgd, [&] { return sgd.options(); }, a) == doctest::Approx(0.025));  // θ −= lr·g
    optim::Adam adam({b}, {.lr = 0.1});
    CHECK(check(adam, [&] { return adam.options(); }, b) == doctest::Approx(0.025).epsilon(1e-6));  // first step: lr
    optim::AdamW adamw({c}, {.lr = 0.1, .weight_decay = 0});
    CHECK(check(adamw, [&] { return adamw.options(); }, c) == doctest::Approx(0.025).epsilon(1e-6));
    optim::RMSprop rms({d}, {.lr = 0.1, .alpha = 0.99});
    CHECK(check(rms, [&] { return rms.options(); }, d) == doctest::Approx(0.25).epsilon(1e-6));  // lr / √0.01
    optim::Adagrad ada({e}, {.lr = 0.1});
    CHECK(check(ada, [&] { return ada.options(); }, e) == doctest::Approx(0.025).epsilon(1e-6));  // first step: lr
}

TEST_CASE("optim: clipping by global norm and by value; the gradient report") {
    Tensor a = tensor({3.0, 0.0}, {DType::f64, true}), b = tensor({4.0}, {DType::f64, true});
    a.set_grad(tensor({3.0, 0.0}, f64));
    b.set_grad(tensor({4.0}, f64));
    CHECK(grad_norm({a, b}) == doctest::Approx(5.0));
    const double before = clip_grad_norm_({a, b}, 1.0);
    CHECK(before == doctest::Approx(5.0));
    CHECK(grad_norm({a, b}) == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(a.grad().at({0}) == doctest::Approx(0.6).epsilon(1e-5));
    CHECK(clip_grad_norm_({a, b}, 10.0) == doctest::Approx(1.0).epsilon(1e-5));  // under the limit: unchanged
    CHECK(a.grad().at({0}) == doctest::Approx(0.6).epsilon(1e-5));
    a.set_grad(tensor({-7.0, 0.2}, f64));
    clip_grad_value_({a}, 0.5);
    CHECK(a.grad().to_vector() == std::vector<double>{-0.5, 0.2});
    a.set_grad(tensor({std::nan(""), 0.0}, f64));
    CHECK_THROWS_AS(clip_grad_norm_({a}, 1.0, true), std::runtime_error);

    manual_seed(3);
    auto net = mlp({4, 8, 1}, {"sigmoid"});
    mse_loss((*net)(rand({16, 4})), zeros({16, 1})).backward();
    const auto report = gradient_report(*net);
    REQUIRE(report.size() == 4);
    CHECK(report[0].name == "0.weight");
    CHECK(report[0].has_grad);
    CHECK(report[0].norm == doctest::Approx(std::sqrt(sum(square(net->at<Linear>(0)->weight.grad())).item())));
    const std::string table = format_gradient_report(report);
    CHECK(table.find("2.bias") != std::string::npos);
    CHECK(table.find("|grad|") != std::string::npos);
}
