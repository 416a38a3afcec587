#include "gradcheck.hpp"

#include <cmath>

#include <fmt/format.h>

#include "engine.hpp"
#include "random.hpp"
#include "tensor_impl.hpp"

namespace tg {

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

double weighted_sum(const Tensor& out, const Tensor& r) {
    const double* po = values<double>(out).data();
    const double* pr = values<double>(r).data();
    double s = 0;
    for (std::size_t i = 0; i < out.size(); ++i) s += po[i] * pr[i];
    return s;
}

void check_inputs(const std::vector<Tensor>& inputs, const std::string& name) {
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        check_defined("gradcheck", inputs[k]);
        if (inputs[k].dtype() != DType::f64)
            throw DTypeError(fmt::format("gradcheck({}): input {} is {}; finite differences need float64 inputs",
                                         name, k, dtype_name(inputs[k].dtype())));
    }
}

}  // namespace

GradcheckResult gradcheck(const Fn& f, const std::vector<Tensor>& given, GradcheckOptions opt,
                          const std::string& name) {
    check_inputs(given, name);
    std::vector<Tensor> inputs;
    for (const Tensor& t : given) inputs.push_back(t.detach().requires_grad_(true));

    Tensor out = f(inputs);
    if (out.dtype() != DType::f64)
        throw DTypeError(fmt::format("gradcheck({}): output is {}; expected float64", name, dtype_name(out.dtype())));
    Generator gen(opt.seed);
    const Tensor r = uniform(out.shape(), 0.5, 1.5, {DType::f64}, &gen);

    // analytic: r^T J through one backward with seed r
    std::vector<Tensor> analytic;
    if (out.requires_grad()) {
        analytic = grad({out}, inputs, {r}, {.allow_unused = true});
    } else {
        analytic.resize(inputs.size());
    }

    GradcheckResult result;
    double worst = -1;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        double* x = inputs[k].data<double>();
        for (std::size_t i = 0; i < inputs[k].size(); ++i) {
            const double saved = x[i];
            x[i] = saved + opt.eps;
            const double plus = weighted_sum(f(inputs), r);
            x[i] = saved - opt.eps;
            const double minus = weighted_sum(f(inputs), r);
            x[i] = saved;
            const double numeric = (plus - minus) / (2 * opt.eps);
            const double a = analytic[k].defined() ? analytic[k].data<double>()[i] : 0.0;
            const double err = std::abs(a - numeric);
            const double allowed = opt.atol + opt.rtol * std::abs(numeric);
            if ((err > allowed || !std::isfinite(a)) && err - allowed > worst) {
                worst = err - allowed;
                result.ok = false;
                result.message = fmt::format(
                    "gradcheck({}): gradient of input {} (shape {}) is wrong at flat index {}: analytic {:.10g}, "
                    "numeric {:.10g} (output made by '{}')",
                    name, k, shape_str(inputs[k].shape()), i, a, numeric, out.op_name());
            }
        }
    }
    return result;
}

GradcheckResult gradgradcheck(const Fn& f, const std::vector<Tensor>& given, GradcheckOptions opt,
                              const std::string& name) {
    check_inputs(given, name);
    for (std::size_t j = 0; j < given.size(); ++j) {
        // h_j(x) = d/dx_j sum(f(x) * r), itself differentiable (create_graph)
        auto h = [&, j](const std::vector<Tensor>& xs) {
            Tensor out = f(xs);
            Generator gen(opt.seed + 1);
            const Tensor r = uniform(out.shape(), 0.5, 1.5, {DType::f64}, &gen);
            auto g = grad({out}, xs, {r}, {.create_graph = true, .allow_unused = true});
            return g[j].defined() ? g[j] : zeros(xs[j].shape(), {DType::f64});
        };
        GradcheckResult res = gradcheck(h, given, opt, name + " (second order)");
        if (!res) return res;
    }
    return {};
}

}  // namespace tg
