#include "fit.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"
#include "../optim/clip.hpp"
#include "backup.hpp"
#include "progress.hpp"

namespace tg::nn {

namespace {

Tensor rows(const Tensor& t, std::size_t start, std::size_t stop) {
    if (start == 0 && stop == t.size(0)) return t;
    return slice(t, 0, static_cast<std::int64_t>(start), static_cast<std::int64_t>(stop));
}

Tensor concat_all(const std::vector<Tensor>& parts) { return parts.size() == 1 ? parts[0] : concat(parts, 0); }

Tensors rows_of_each(const Tensors& ts, std::size_t start, std::size_t stop) {
    Tensors out;
    for (const Tensor& t : ts) out.push_back(rows(t, start, stop));
    return out;
}

/// model(x) for one input (so a one-tensor model runs exactly as before), else model(inputs).
Tensors call_model(Module& model, const Tensors& inputs) {
    if (inputs.size() == 1) return {model(inputs[0])};
    return model(inputs);
}

/// Batched forward of data in eval mode without recording; returns (outputs, weighted mean loss).
/// With a strategy each worker runs a contiguous share of the rows, and the
/// outputs and the loss are put together over all workers.
std::pair<Tensors, double> run_eval(Module& model, const MultiLossFn& loss, const Dataset& all,
                                    std::size_t batch_size, DistributionStrategy* strategy = nullptr) {
    Dataset data = all;
    if (strategy) {
        const auto w = static_cast<std::size_t>(strategy->workers()), k = static_cast<std::size_t>(strategy->worker());
        data = all.slice(all.size() * k / w, all.size() * (k + 1) / w);
    }
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    const Tensors inputs = data.inputs(), targets = data.targets();
    std::vector<std::vector<Tensor>> outs;  // per output, per batch
    double total = 0;
    const std::size_t n = data.size();
    try {
        for (std::size_t start = 0; start < n; start += batch_size) {
            const std::size_t stop = std::min(n, start + batch_size);
            const Tensors out = call_model(model, rows_of_each(inputs, start, stop));
            if (start == 0) outs.resize(out.size());
            if (out.size() != outs.size())
                throw std::logic_error(fmt::format("{}: gave {} outputs for one batch and {} for another",
                                                   model.type_name(), outs.size(), out.size()));
            if (loss && !targets.empty())
                total += loss(out, rows_of_each(targets, start, stop)).item() * static_cast<double>(stop - start);
            for (std::size_t i = 0; i < out.size(); ++i) outs[i].push_back(out[i]);
        }
    } catch (...) {
        model.train(was_training);
        throw;
    }
    model.train(was_training);
    Tensors outputs;
    for (const auto& parts : outs) outputs.push_back(concat_all(parts));
    if (outs.empty()) outputs.push_back(Tensor());  // no rows: one undefined output, as before
    if (!strategy) return {outputs, n ? total / static_cast<double>(n) : 0.0};
    std::vector<double> sums{total};
    strategy->sum(sums);
    for (Tensor& o : outputs) o = strategy->gather_rows(o);
    return {outputs, sums[0] / static_cast<double>(all.size())};
}

/// Metrics see the first output (and the first target).
Tensor first_output(const Tensors& outputs, const char* caller) {
    if (outputs.empty()) throw std::invalid_argument(fmt::format("{}: the model gave no outputs", caller));
    return outputs[0];
}

/// Is the loss finite on this worker and (with a strategy) on every other? All
/// workers must stop at the same batch, or the others would wait for them forever.
bool all_finite(double loss, DistributionStrategy* strategy) {
    if (!strategy) return std::isfinite(loss);
    std::vector<double> bad{std::isfinite(loss) ? 0.0 : 1.0};
    strategy->sum(bad);
    return bad[0] == 0;
}

/// Metrics cheap enough to show as running, batch-weighted averages on the progress bar.
bool streamable(const std::string& name) { return name == "accuracy" || name == "acc" || name == "mse" || name == "mae"; }

void check_fit_arguments(const MultiLossFn& loss, const Dataset& train, const FitOptions& options) {
    if (!loss) throw std::invalid_argument("fit: no loss function");
    if (options.epochs < 0) throw std::invalid_argument("fit: epochs must be >= 0");
    if (options.batch_size == 0) throw std::invalid_argument("fit: batch_size must be positive");
    if (!train.y.defined()) throw std::invalid_argument("fit: the training data has no targets (y)");
    if (train.empty()) throw std::invalid_argument("fit: the training data set is empty");
    if (!(options.validation_split >= 0 && options.validation_split < 1))
        throw std::invalid_argument(fmt::format("fit: validation_split {} must be in [0, 1)", options.validation_split));
}

/// (train, validation): the given validation data, or the last validation_split of the rows (as Keras).
std::pair<Dataset, Dataset> split_validation(const Dataset& train, const FitOptions& options) {
    if (!options.validation.empty() || options.validation_split == 0) {
        if (!options.validation.empty() && !options.validation.y.defined())
            throw std::invalid_argument("fit: the validation data has no targets (y)");
        return {train, options.validation};
    }
    const std::size_t n = train.size();
    const auto n_val = static_cast<std::size_t>(std::ceil(options.validation_split * static_cast<double>(n)));
    if (n_val == 0 || n_val >= n) throw std::invalid_argument("fit: validation_split leaves no rows on one side");
    return {train.slice(0, n - n_val), train.slice(n - n_val, n)};
}

/// The logged keys in display order (loss, metrics, val_loss, val_metrics, lr, as Keras),
/// with which way is better recorded in the history.
std::vector<std::string> log_order(const FitOptions& options, bool validation, History& history) {
    std::vector<std::string> order{"loss"};
    history.set_higher_is_better("loss", false);
    for (const Metric& m : options.metrics) {
        order.push_back(m.name);
        history.set_higher_is_better(m.name, m.higher_is_better);
    }
    if (validation) {
        order.push_back("val_loss");
        history.set_higher_is_better("val_loss", false);
        for (const Metric& m : options.metrics) {
            order.push_back("val_" + m.name);
            history.set_higher_is_better("val_" + m.name, m.higher_is_better);
        }
    }
    order.push_back("lr");
    return order;
}

/// One pass over the loader: zero_grad, forward, loss, backward, (clip), step per batch.
/// Returns the epoch's training logs, or nothing when the loss became non-finite
/// (history.stop_reason then says where).
std::optional<Logs> train_one_epoch(Module& model, const MultiLossFn& loss, optim::Optimizer& optimizer,
                                    DataLoader& loader, const FitOptions& options, TrainState& state,
                                    Progress& progress, bool show_running) {
    model.train();
    double total = 0;
    std::size_t seen = 0, done = 0;
    std::vector<Tensor> outputs, targets;
    Logs running;
    for (const Batch& b : loader) {
        optimizer.zero_grad();
        const Tensors outs = call_model(model, b.inputs());
        const Tensor l = loss(outs, b.targets());
        if (l.size() != 1)
            throw ShapeError(fmt::format("fit: the loss must be one number, got shape {} (use a mean or sum reduction)",
                                         shape_str(l.shape())));
        const double lv = l.item();
        if (!all_finite(lv, options.strategy.get())) {
            state.history.stop_reason = fmt::format("the loss became {} at epoch {}, batch {}: training stopped (lower "
                                                    "the learning rate, standardise the inputs, or clip gradients)",
                                                    lv, state.epoch + 1, done + 1);
            return std::nullopt;
        }
        l.backward();
        if (options.clip_grad_norm > 0) clip_grad_norm_(optimizer.params(), options.clip_grad_norm);
        optimizer.step();
        const std::size_t nb = b.x.size(0);
        total += lv * static_cast<double>(nb);
        seen += nb;
        ++done;
        if (!options.metrics.empty()) {
            outputs.push_back(first_output(outs, "fit").detach());
            targets.push_back(b.y);
        }
        if (show_running) {
            running["loss"] = total / static_cast<double>(seen);
            for (const Metric& m : options.metrics)
                if (streamable(m.name)) {
                    const double prev = running.count(m.name) ? running[m.name] : 0.0;
                    const double v = m.fn(outputs.back(), b.y);
                    running[m.name] = prev + (v - prev) * static_cast<double>(nb) / static_cast<double>(seen);
                }
        }
        for (auto& cb : options.callbacks) cb->on_batch_end(state, done - 1, lv);
        progress.batch_end(done, running);
    }
    Logs logs;
    DistributionStrategy* strategy = options.strategy.get();
    std::vector<double> sums{total, static_cast<double>(seen)};
    if (strategy) strategy->sum(sums);  // the mean over every worker's rows, not a mean of means
    logs["loss"] = sums[1] > 0 ? sums[0] / sums[1] : NAN;
    if (!options.metrics.empty()) {
        Tensor all_out = concat_all(outputs), all_y = concat_all(targets);
        if (strategy) {
            all_out = strategy->gather_rows(all_out);
            all_y = strategy->gather_rows(all_y);
        }
        for (const Metric& m : options.metrics) logs[m.name] = m.fn(all_out, all_y);
    }
    return logs;
}

void step_scheduler(optim::LRScheduler* scheduler, const Logs& logs) {
    if (!scheduler) return;
    if (scheduler->needs_metric())
        scheduler->step(logs.count("val_loss") ? logs.at("val_loss") : logs.at("loss"));
    else
        scheduler->step();
}

}  // namespace

Logs evaluate(Module& model, const MultiLossFn& loss, const Dataset& data, const EvaluateOptions& options) {
    if (data.empty()) throw std::invalid_argument("evaluate: the data set is empty");
    if (options.batch_size == 0) throw std::invalid_argument("evaluate: batch_size must be positive");
    const auto [outputs, mean_loss] = run_eval(model, loss, data, options.batch_size);
    Logs logs;
    if (loss && data.y.defined()) logs["loss"] = mean_loss;
    for (const Metric& m : options.metrics) {
        if (!data.y.defined()) throw std::invalid_argument("evaluate: metrics need targets (y)");
        logs[m.name] = m.fn(first_output(outputs, "evaluate"), data.y);
    }
    return logs;
}

Logs evaluate(Module& model, const LossFn& loss, const Dataset& data, const EvaluateOptions& options) {
    return evaluate(model, as_multi_loss(loss, "evaluate"), data, options);
}

Tensor predict(Module& model, const Tensor& x, std::size_t batch_size) {
    check_defined("predict", x);
    if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be positive");
    return first_output(run_eval(model, {}, Dataset(x), batch_size).first, "predict");
}

Tensors predict(Module& model, const Tensors& inputs, std::size_t batch_size) {
    if (inputs.empty()) throw std::invalid_argument("predict: no inputs");
    for (const Tensor& t : inputs) check_defined("predict", t);
    if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be positive");
    return run_eval(model, {}, Dataset(inputs), batch_size).first;
}

History fit(Module& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options) {
    if (!loss) throw std::invalid_argument("fit: no loss function");
    return fit(model, as_multi_loss(loss, "fit"), optimizer, train, options);
}

History fit(Module& model, const MultiLossFn& loss, optim::Optimizer& optimizer, const Dataset& train_in,
            const FitOptions& options) {
    check_fit_arguments(loss, train_in, options);
    const auto [train, validation] = split_validation(train_in, options);

    DistributionStrategy* strategy = options.strategy.get();
    const bool chief = !strategy || strategy->is_chief();
    std::ostream& out = options.out ? *options.out : std::cout;
    const bool tty = options.verbose == 1 && &out == &std::cout && is_terminal(STDOUT_FILENO);
    Progress progress(out, tty, chief ? options.verbose : 0);

    // With a strategy, train the wrapped model (gradients averaged over workers)
    // on this worker's shard of each epoch.
    const std::shared_ptr<Module> wrapped = strategy ? strategy->wrap(model) : nullptr;
    Module& trained = wrapped ? *wrapped : model;
    LoaderOptions lo{.batch_size = options.batch_size, .shuffle = options.shuffle, .drop_last = false,
                     .seed = options.seed, .sampler = options.sampler};
    if (strategy) {
        lo.worker = static_cast<std::size_t>(strategy->worker());
        lo.workers = static_cast<std::size_t>(strategy->workers());
    }
    DataLoader loader(train, lo);

    History history;
    TrainState state{model, optimizer, history, 0, options.epochs, false, chief};
    const TrainingParts parts{model, optimizer, options.scheduler, loader, history};
    const bool resuming = !options.backup.empty() && std::filesystem::exists(options.backup);
    const int first_epoch = resuming ? restore_training_backup(options.backup, parts) : 0;
    const std::vector<std::string> order = log_order(options, !validation.empty(), history);
    if (resuming) progress.message(fmt::format("fit: resuming from {} after epoch {}", options.backup, first_epoch));

    for (auto& cb : options.callbacks) cb->on_train_begin(state);
    for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
        state.epoch = epoch;
        for (auto& cb : options.callbacks) cb->on_epoch_begin(state);
        progress.epoch_begin(epoch, options.epochs, loader.size());
        std::optional<Logs> epoch_logs = train_one_epoch(trained, loss, optimizer, loader, options, state, progress, tty);
        if (!epoch_logs) {
            progress.message("fit: " + history.stop_reason);
            if (options.verbose == 0 && chief) std::cerr << "fit: " << history.stop_reason << "\n";
            break;
        }
        Logs& logs = *epoch_logs;
        if (!validation.empty()) {
            const auto [val_out, val_loss] =
                run_eval(model, loss, validation, std::max<std::size_t>(options.batch_size, 256), strategy);
            logs["val_loss"] = val_loss;
            for (const Metric& m : options.metrics)
                logs["val_" + m.name] = m.fn(first_output(val_out, "fit"), validation.y);
        }
        logs["lr"] = optimizer.lr();
        for (auto& cb : options.callbacks) cb->on_epoch_end(state, logs);
        std::vector<std::string> shown = order;  // and what callbacks added
        for (const auto& [k, v] : logs)
            if (std::find(shown.begin(), shown.end(), k) == shown.end()) shown.push_back(k);
        history.append(logs, shown);
        progress.epoch_end(logs, shown);
        step_scheduler(options.scheduler, logs);
        if (!options.backup.empty() && chief) save_training_backup(options.backup, parts, epoch + 1);
        if (state.stop_training) {
            progress.message(history.stop_reason.empty() ? "training stopped by a callback" : history.stop_reason);
            break;
        }
    }
    for (auto& cb : options.callbacks) cb->on_train_end(state);
    if (!options.backup.empty() && chief) std::filesystem::remove(options.backup);  // done: nothing to resume
    return history;
}

}  // namespace tg::nn
