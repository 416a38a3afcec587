// The cnn workload's two convolutions (batch 64: 1->16 channels on 28x28 and
// 16->32 on 14x14, 3x3, padding 1), forward and both gradients, through oneDNN
// (-DCONV_DNNL, what libtorch uses) or through tapegrad's conv2d (-DCONV_TAPEGRAD:
// im2col and one product per image). One thread. bench/evaluate/run builds and
// runs both; see bench/README.md, "Other GEMM and convolution libraries".
// Prints one line per layer: layer=<name> pass=<forward|backward> us=<median>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#if defined(CONV_DNNL)
#include <oneapi/dnnl/dnnl.hpp>
#elif defined(CONV_TAPEGRAD)
#include <tapegrad/tapegrad.hpp>
#else
#error "define CONV_DNNL or CONV_TAPEGRAD"
#endif

namespace {

struct Layer {
    const char* name;
    long n, c, h, w, oc;
};

double median_us(const std::function<void()>& f) {
    f();  // warm-up: kernels made, memory touched
    std::vector<double> us;
    for (int rep = 0; rep < 9; ++rep) {
        const int calls = 10;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; ++i) f();
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / calls);
    }
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
}

#if defined(CONV_DNNL)
using namespace dnnl;

// The user's tensors are NCHW (as tapegrad's and PyTorch's); oneDNN picks its own
// blocked layouts (format_tag::any) and the reorders to and from them are timed too.
void run(const Layer& l) {
    engine eng(engine::kind::cpu, 0);
    stream s(eng);
    using dt = memory::data_type;
    using tag = memory::format_tag;
    const memory::dims src{l.n, l.c, l.h, l.w}, wei{l.oc, l.c, 3, 3}, bia{l.oc}, dst{l.n, l.oc, l.h, l.w};
    const memory::dims strides{1, 1}, pad{1, 1};
    auto any = [](const memory::dims& d) { return memory::desc(d, dt::f32, tag::any); };
    const memory::desc src_user(src, dt::f32, tag::nchw), wei_user(wei, dt::f32, tag::oihw),
        dst_user(dst, dt::f32, tag::nchw), bia_md(bia, dt::f32, tag::x);
    memory x(src_user, eng), w(wei_user, eng), b(bia_md, eng), y(dst_user, eng), gy(dst_user, eng), gx(src_user, eng),
        gw(wei_user, eng), gb(bia_md, eng);
    for (memory* m : {&x, &w, &b, &gy}) {
        float* p = static_cast<float*>(m->get_data_handle());
        for (std::size_t i = 0; i < m->get_desc().get_size() / sizeof(float); ++i) p[i] = float((i * 7919) % 200) / 100 - 1;
    }
    const convolution_forward::primitive_desc fwd(
        convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, any(src), any(wei), bia_md,
                                  any(dst), strides, pad, pad),
        eng);
    const convolution_backward_data::primitive_desc bwd_data(
        convolution_backward_data::desc(algorithm::convolution_direct, any(src), any(wei), any(dst), strides, pad, pad),
        eng, fwd);
    const convolution_backward_weights::primitive_desc bwd_weights(
        convolution_backward_weights::desc(algorithm::convolution_direct, any(src), any(wei), bia_md, any(dst), strides,
                                           pad, pad),
        eng, fwd);
    // user memory -> the primitive's layout, or the user memory itself when they agree
    auto into = [&](memory& user, const memory::desc& want) {
        if (user.get_desc() == want) return user;
        memory m(want, eng);
        reorder(user, m).execute(s, user, m);
        return m;
    };
    auto back = [&](memory& mine, memory& user) {
        if (mine.get_desc() != user.get_desc()) reorder(mine, user).execute(s, mine, user);
    };
    const double forward_us = median_us([&] {
        memory xs = into(x, fwd.src_desc()), ws = into(w, fwd.weights_desc()), ys(fwd.dst_desc(), eng);
        convolution_forward(fwd).execute(s, {{DNNL_ARG_SRC, xs}, {DNNL_ARG_WEIGHTS, ws}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, ys}});
        back(ys, y);
        s.wait();
    });
    const double backward_us = median_us([&] {
        memory gys = into(gy, bwd_data.diff_dst_desc()), ws = into(w, bwd_data.weights_desc()),
               gxs(bwd_data.diff_src_desc(), eng);
        convolution_backward_data(bwd_data).execute(s, {{DNNL_ARG_DIFF_DST, gys}, {DNNL_ARG_WEIGHTS, ws}, {DNNL_ARG_DIFF_SRC, gxs}});
        back(gxs, gx);
        memory xs = into(x, bwd_weights.src_desc()), gyw = into(gy, bwd_weights.diff_dst_desc()),
               gws(bwd_weights.diff_weights_desc(), eng);
        convolution_backward_weights(bwd_weights)
            .execute(s, {{DNNL_ARG_SRC, xs}, {DNNL_ARG_DIFF_DST, gyw}, {DNNL_ARG_DIFF_WEIGHTS, gws}, {DNNL_ARG_DIFF_BIAS, gb}});
        back(gws, gw);
        s.wait();
    });
    std::printf("layer=%s pass=forward us=%.1f\nlayer=%s pass=backward us=%.1f\n", l.name, forward_us, l.name, backward_us);
}
#else
void run(const Layer& l) {
    using namespace tg;
    set_num_threads(1);
    const std::size_t n = l.n, c = l.c, h = l.h, w = l.w, oc = l.oc;
    const Tensor x = uniform({n, c, h, w}, -1, 1).requires_grad_(), wt = uniform({oc, c, 3, 3}, -1, 1).requires_grad_(),
                 b = uniform({oc}, -1, 1).requires_grad_(), gy = uniform({n, oc, h, w}, -1, 1);
    const double forward_us = median_us([&] {
        NoGradGuard no_grad;
        (void)conv2d(x, wt, b, 1, 1);
    });
    // the gradients of input, weights and bias: a recorded forward pass and the
    // backward pass, less the recorded forward pass alone
    Tensor y;
    const double both_us = median_us([&] {
        y = conv2d(x, wt, b, 1, 1);
        y.backward(gy);
    });
    const double recorded_forward_us = median_us([&] { y = conv2d(x, wt, b, 1, 1); });
    std::printf("layer=%s pass=forward us=%.1f\nlayer=%s pass=backward us=%.1f\n", l.name, forward_us, l.name,
                both_us - recorded_forward_us);
}
#endif

}  // namespace

int main() {
    for (const Layer& l : {Layer{"conv1", 64, 1, 28, 28, 16}, Layer{"conv2", 64, 16, 14, 14, 32}}) run(l);
}
