#include "deep.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

#include "../common/data.hpp"

namespace tut::deep {

namespace nn = tg::nn;

namespace {

Scores score(const tg::Tensor& logits, const tg::Tensor& y) {
    // the models output a score: positive means benign (threshold 0)
    Scores s;
    s.accuracy = nn::accuracy(logits, y, 0.0);
    s.precision = nn::precision(logits, y, 0.0);
    s.recall = nn::recall(logits, y, 0.0);
    s.f1 = nn::f1_score(logits, y, 0.0);
    s.roc_auc = nn::roc_auc(logits, y);
    s.confusion = nn::confusion_matrix(logits, y, 0.0, 2);
    return s;
}

}  // namespace

Split load_split(std::uint64_t seed) {
    auto csv = nn::read_csv(data_path("breast_cancer.csv").string(), {.label = "target", .ignore = {"target_name"}});
    const nn::Dataset all(csv.x, tg::reshape(csv.y, {-1, 1}));
    auto [train, test] = nn::train_test_split(all, 0.2, {.seed = seed, .stratify = true});
    nn::Standardizer scaler;  // fitted on the training part only: the test part stays unseen
    scaler.fit(train.x);
    return {nn::Dataset(scaler.transform(train.x), train.y), nn::Dataset(scaler.transform(test.x), test.y)};
}

Scores train_perceptron(const Split& s, int epochs, double eta) {
    nn::Perceptron p(30);
    tg::optim::SGD sgd(p.parameters(), eta);
    const std::size_t n = s.train.size();
    for (int e = 0; e < epochs; ++e)
        for (std::size_t i = 0; i < n; ++i) {
            const nn::Dataset one = s.train.slice(i, i + 1);
            sgd.zero_grad();
            nn::perceptron_criterion(p(one.x), one.y).backward();
            sgd.step();
        }
    tg::NoGradGuard no_grad;
    return score(p(s.test.x), s.test.y);
}

DnnRun train_dnn(const Split& s, int epochs) {
    tg::manual_seed(7);
    DnnRun run;
    run.net = nn::mlp({30, 32, 16, 1}, {"relu"}, {.init = "he_uniform"});
    tg::optim::Adam adam(run.net->parameters(), 1e-3);
    run.history = nn::fit(*run.net, nn::BCEWithLogitsLoss(), adam, s.train,
                          {.epochs = epochs,
                           .batch_size = 32,
                           .seed = 1,
                           .validation = s.test,
                           .metrics = {nn::Metric("accuracy", 0.0)},
                           .verbose = 0});
    run.scores = score(nn::predict(*run.net, s.test.x), s.test.y);
    return run;
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 10: a deep neural network on real data, against the perceptron.\n");
    const Split split = load_split();

    report.section("The data");
    fmt::print(out, "  Wisconsin breast cancer: 569 tumours, 30 measurements of cell nuclei each\n"
                    "  (radius, texture, smoothness, ...), labelled malignant (212) or benign (357).\n"
                    "  Split: {} for training, {} held out for testing (stratified, seed 1).\n"
                    "  Every feature standardised with the training part's mean and standard deviation.\n",
               split.train.size(), split.test.size());

    report.section("The perceptron");
    res.perceptron = train_perceptron(split);
    fmt::print(out, "  One neuron with a step: 30 weights and a bias, the lesson's rule w += eta (d - y) x,\n"
                    "  eta 0.1, 20 epochs. These classes overlap a little, so it never stops updating.\n");
    fmt::print(out, "  test accuracy {:.1f}%\n", 100 * res.perceptron.accuracy);

    report.section("The deep network");
    res.dnn = train_dnn(split);
    fmt::print(out, "  mlp({{30, 32, 16, 1}}, {{\"relu\"}}, {{.init = \"he_uniform\"}}): two hidden ReLU layers.\n"
                    "  Loss: BCE on the output score (BCEWithLogitsLoss). Adam, learning rate 0.001,\n"
                    "  mini-batches of 32, 60 epochs, trained by tg::nn::fit.\n");
    fmt::print(out, "{}", indent(nn::summary_string(*res.dnn.net, {1, 30})));
    const nn::History& h = res.dnn.history;
    fmt::print(out, "  {:>5} {:>8} {:>9} {:>9} {:>13}\n", "epoch", "loss", "accuracy", "val_loss", "val_accuracy");
    for (std::size_t e = 0; e < h.epochs(); ++e)
        if (e == 0 || (e + 1) % 10 == 0)
            fmt::print(out, "  {:>5} {:>8.4f} {:>8.1f}% {:>9.4f} {:>12.1f}%\n", e + 1, h["loss"][e],
                       100 * h["accuracy"][e], h["val_loss"][e], 100 * h["val_accuracy"][e]);
    fmt::print(out, "  (val_ is the held-out part: we watch it, we do not train on it)\n");
    history_files(report, h, "[0.5:1]");

    report.section("Perceptron against DNN, on the held-out tumours");
    const Scores& p = res.perceptron;
    const Scores& d = res.dnn.scores;
    fmt::print(out, "  {:<10} {:>10} {:>10}\n", "", "perceptron", "DNN");
    fmt::print(out, "  {:<10} {:>9.1f}% {:>9.1f}%\n", "accuracy", 100 * p.accuracy, 100 * d.accuracy);
    fmt::print(out, "  {:<10} {:>10.3f} {:>10.3f}\n", "precision", p.precision, d.precision);
    fmt::print(out, "  {:<10} {:>10.3f} {:>10.3f}\n", "recall", p.recall, d.recall);
    fmt::print(out, "  {:<10} {:>10.3f} {:>10.3f}\n", "F1", p.f1, d.f1);
    fmt::print(out, "  {:<10} {:>10.3f} {:>10.3f}\n", "ROC-AUC", p.roc_auc, d.roc_auc);
    fmt::print(out, "  (precision and recall of the class \"benign\")\n");
    fmt::print(out, "  The perceptron's confusion matrix:\n{}", indent(p.confusion.to_string({"malignant", "benign"})));
    fmt::print(out, "  The DNN's confusion matrix:\n{}", indent(d.confusion.to_string({"malignant", "benign"})));
    fmt::print(out, "  The DNN makes {} mistakes on {} tumours; the perceptron {}.\n",
               d.confusion.fp() + d.confusion.fn(), d.confusion.total(), p.confusion.fp() + p.confusion.fn());

    report.section("Ten different splits");
    const std::size_t n_test = d.confusion.total();
    fmt::print(out,
               "  {} test tumours is a small sample: one more mistake moves the accuracy by {:.1f}%.\n"
               "  So both models are trained again on 10 different random splits:\n",
               n_test, 100.0 / static_cast<double>(n_test));
    fmt::print(out, "  {:>5} {:>11} {:>9} {:>15} {:>9}\n", "split", "perceptron", "DNN", "perceptron AUC", "DNN AUC");
    int never_worse = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        const Split sp = seed == 1 ? split : load_split(seed);
        const Scores ps = seed == 1 ? res.perceptron : train_perceptron(sp);
        const Scores ds = seed == 1 ? res.dnn.scores : train_dnn(sp).scores;
        res.splits.push_back({seed, ps.accuracy, ds.accuracy, ps.roc_auc, ds.roc_auc});
        res.perceptron_mean += ps.accuracy / 10;
        res.dnn_mean += ds.accuracy / 10;
        never_worse += ds.accuracy >= ps.accuracy;
        fmt::print(out, "  {:>5} {:>10.1f}% {:>8.1f}% {:>15.3f} {:>9.3f}\n", seed, 100 * ps.accuracy, 100 * ds.accuracy,
                   ps.roc_auc, ds.roc_auc);
    }
    fmt::print(out, "  mean  {:>10.1f}% {:>8.1f}%\n", 100 * res.perceptron_mean, 100 * res.dnn_mean);
    fmt::print(out, "  The DNN is at least as accurate on {} of the 10 splits, and better on average.\n"
                    "  These tumours are nearly linearly separable, so one line already does well;\n"
                    "  the hidden layers add the curve that catches the cases near the border.\n",
               never_worse);
    {
        std::vector<std::vector<double>> rows;
        for (const SplitResult& r : res.splits)
            rows.push_back({static_cast<double>(r.seed), r.perceptron_accuracy, r.dnn_accuracy});
        report.csv("splits", {"split", "perceptron", "DNN"}, rows);
        report.gnuplot("splits", "set title 'test accuracy on 10 random splits'\nset xlabel 'split'\n"
                                 "set ylabel 'accuracy'\nset yrange [0.9:1]\nset grid\nset style data histograms\n"
                                 "set style fill solid 0.8\nset key bottom right\n"
                                 "plot 'splits.csv' using 2:xtic(1) title 'perceptron', '' using 3 title 'DNN'\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::deep
