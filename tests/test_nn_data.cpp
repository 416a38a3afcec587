// nn: Dataset, DataLoader, train/test split, Standardizer, CSV reader.
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {
Dataset counting(std::size_t n) {
    std::vector<double> x(n * 2), y(n);
    for (std::size_t i = 0; i < n; ++i) x[2 * i] = static_cast<double>(i), x[2 * i + 1] = -static_cast<double>(i), y[i] = static_cast<double>(i % 2);
    return Dataset(from_vector(x, {n, 2}), from_vector(y, {n}));
}
CsvData csv_text(const std::string& text, const CsvOptions& o = {}) {
    std::istringstream in(text);
    return read_csv(in, "bad.csv", o);
}
}  // namespace

TEST_CASE("data: a DataLoader covers every row once per epoch, in batches") {
    const Dataset d = counting(10);
    DataLoader plain(d, {.batch_size = 4});
    CHECK(plain.size() == 3);
    std::vector<double> seen;
    std::vector<std::size_t> sizes;
    for (const auto& [x, y] : plain) {
        sizes.push_back(x.size(0));
        CHECK(y.size(0) == x.size(0));
        for (std::size_t r = 0; r < x.size(0); ++r) seen.push_back(x.at({r, 0}));
    }
    CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
    CHECK(seen == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    DataLoader dropping(d, {.batch_size = 4, .drop_last = true});
    CHECK(dropping.size() == 2);

    DataLoader shuffled(d, {.batch_size = 3, .shuffle = true, .seed = 5});
    std::vector<std::vector<std::size_t>> orders;
    for (int epoch = 0; epoch < 3; ++epoch) {
        std::vector<std::size_t> rows;
        for (const auto& b : shuffled)
            for (std::size_t r = 0; r < b.x.size(0); ++r) rows.push_back(static_cast<std::size_t>(b.x.at({r, 0})));
        std::set<std::size_t> unique(rows.begin(), rows.end());
        CHECK(unique.size() == 10);  // a permutation
        orders.push_back(rows);
    }
    CHECK(orders[0] != orders[1]);  // a new order each epoch
    DataLoader again(d, {.batch_size = 3, .shuffle = true, .seed = 5});
    std::vector<std::size_t> first;
    for (const auto& b : again)
        for (std::size_t r = 0; r < b.x.size(0); ++r) first.push_back(static_cast<std::size_t>(b.x.at({r, 0})));
    CHECK(first == orders[0]);  // the same seed, the same epochs
    CHECK_THROWS_AS(DataLoader(d, {.batch_size = 0}), std::invalid_argument);
    CHECK_THROWS_AS(Dataset(zeros({3, 2}), zeros({4})), ShapeError);
}

TEST_CASE("data: train_test_split, plain and stratified") {
    const Dataset d = counting(100);
    auto [train, test] = train_test_split(d, 0.25, {.seed = 1});
    CHECK(train.size() == 75);
    CHECK(test.size() == 25);
    std::set<double> all;
    for (const Dataset* part : {&train, &test})
        for (std::size_t r = 0; r < part->size(); ++r) all.insert(part->x.at({r, 0}));
    CHECK(all.size() == 100);
    // imbalanced labels: 10 positives in 100
    std::vector<double> y(100, 0.0);
    for (std::size_t i = 0; i < 10; ++i) y[i * 10] = 1;
    const Dataset rare(d.x, from_vector(y, {100}));
    auto [tr, te] = train_test_split(rare, 0.2, {.seed = 3, .stratify = true});
    CHECK(te.size() == 20);
    CHECK(sum(te.y).item() == 2.0);  // the test part keeps its 10% of positives
    CHECK(sum(tr.y).item() == 8.0);
    // 3 classes of 7, 5 and 3 rows, 20%: ceil(3) = 3 test rows: floors 1, 1, 0 and the largest remainder (0.6, the third class)
    std::vector<double> three;
    for (int c = 0; c < 3; ++c) three.insert(three.end(), std::size_t(7 - 2 * c), double(c));
    const Dataset d3(zeros({15, 1}), from_vector(three, {15}));
    auto [tr3, te3] = train_test_split(d3, 0.2, {.stratify = true});
    CHECK(te3.size() == 3);
    CHECK(tr3.size() == 12);
    CHECK(sum(te3.y).item() == 0.0 + 1.0 + 2.0);
    CHECK_THROWS_AS(train_test_split(d, 1.5), std::invalid_argument);
}

TEST_CASE("data: the Standardizer learns on the training part only") {
    const Tensor train = tensor({{1.0, 10.0, 5.0}, {3.0, 30.0, 5.0}});
    Standardizer s;
    const Tensor z = s.fit_transform(train);
    CHECK(s.mean() == std::vector<double>{2.0, 20.0, 5.0});
    CHECK(s.scale() == std::vector<double>{1.0, 10.0, 1.0});  // population std; constant column -> 1
    CHECK(z.to_vector() == std::vector<double>{-1, -1, 0, 1, 1, 0});
    const Tensor test = tensor({{5.0, 0.0, 6.0}});
    CHECK(s.transform(test).to_vector() == std::vector<double>{3, -2, 1});  // the training statistics
    CHECK(s.inverse_transform(s.transform(test)).to_vector() == test.to_vector());
    Standardizer copy;
    copy.load_state(s.state());
    CHECK(copy.transform(test).to_vector() == std::vector<double>{3, -2, 1});
    CHECK_THROWS_AS(s.transform(zeros({2, 4})), ShapeError);
    CHECK_THROWS_AS(Standardizer().transform(test), std::logic_error);
}

TEST_CASE("csv: reads a real data set by column names") {
    const CsvData iris = read_csv("tutorials/data/iris.csv", {.label = "target", .ignore = {"target_name"}});
    CHECK(iris.x.shape() == Shape{150, 4});
    CHECK(iris.y.shape() == Shape{150});
    CHECK(iris.feature_names == std::vector<std::string>{"sepal_length", "sepal_width", "petal_length", "petal_width"});
    CHECK(iris.x.at({0, 0}) == doctest::Approx(5.1));
    CHECK(iris.y.at({149}) == 2.0);
    CHECK(iris.report.rows_read == 150);
    CHECK(iris.report.rows_skipped == 0);
    const CsvData two = read_csv("tutorials/data/iris.csv", {.features = {"petal_width", "petal_length"},
                                                         .label = "target_name", .categorical_label = true,
                                                         .dtype = DType::f64});
    CHECK(two.x.shape() == Shape{150, 2});
    CHECK(two.x.dtype() == DType::f64);
    CHECK(two.x.at({0, 1}) == doctest::Approx(1.4));
    CHECK(two.classes == std::vector<std::string>{"setosa", "versicolor", "virginica"});
    CHECK(two.y.at({60}) == 1.0);
    CHECK(two.dataset().size() == 150);
    CHECK_THROWS_WITH_AS(read_csv("tutorials/data/iris.csv", {.label = "species"}),
                         doctest::Contains("no label column 'species'; the columns are: sepal_length"), IoError);
    CHECK_THROWS_WITH_AS(read_csv("tutorials/data/nope.csv"), doctest::Contains("cannot open 'tutorials/data/nope.csv'"),
                         IoError);
}

TEST_CASE("csv: a malformed row names the file, line and column") {
    const std::string text = "a,b,label\n1,2,0\n3,4\n5,abc,1\n7,8,1\n";
    CHECK_THROWS_WITH_AS(csv_text(text, {.label = "label"}), "bad.csv:3: expected 3 fields, found 2", IoError);
    CHECK_THROWS_WITH_AS(csv_text("a,b,label\n1,2,0\n5,abc,1\n", {.label = "label"}),
                         "bad.csv:3: column 2 ('b'): 'abc' is not a number", IoError);
    CHECK_THROWS_WITH_AS(csv_text("a,b\n1,\n", {}), "bad.csv:2: column 2 ('b'): empty cell (a number is expected)",
                         IoError);
    CHECK_THROWS_WITH_AS(csv_text("a,b\n1,nan\n", {}), doctest::Contains("'nan' is not a finite number"), IoError);
    CHECK(csv_text("a,b\n1,nan\n", {.allow_non_finite = true}).x.shape() == Shape{1, 2});
    CHECK_THROWS_WITH_AS(csv_text("a,a\n1,2\n"), doctest::Contains("the name 'a' appears twice"), IoError);
    CHECK_THROWS_WITH_AS(csv_text(""), doctest::Contains("empty"), IoError);
}

TEST_CASE("csv: skipping bad rows reports and counts each one") {
    const std::string text = "a,b,label\n1,2,0\n3,4\n5,abc,1\n\n7,8,1\n9,1e400,0\n";
    std::vector<CsvIssue> issues;
    const CsvData d = csv_text(text, {.label = "label", .skip_bad_rows = true,
                                      .on_bad_row = [&](const CsvIssue& i) { issues.push_back(i); }});
    CHECK(d.x.shape() == Shape{2, 2});
    CHECK(d.y.to_vector() == std::vector<double>{0, 1});
    CHECK(d.report.rows_read == 5);
    CHECK(d.report.rows_kept == 2);
    CHECK(d.report.rows_skipped == 3);
    CHECK(d.report.rows_read == d.report.rows_kept + d.report.rows_skipped);
    CHECK(d.report.blank_lines == 1);
    REQUIRE(issues.size() == 3);
    CHECK(issues[0].line == 3);
    CHECK(issues[0].column == 0);
    CHECK(issues[1].to_string() == "bad.csv:4: column 2 ('b'): 'abc' is not a number");
    CHECK(issues[2].line == 7);
    CHECK(d.report.issues.size() == 3);
}

TEST_CASE("csv: quotes, CRLF line ends, unterminated quotes") {
    const CsvData d = csv_text("\"x, first\",\"y\"\r\n\"1.5\",2\r\n3,\"4\"\r\n");
    CHECK(d.feature_names == std::vector<std::string>{"x, first", "y"});
    CHECK(d.x.to_vector() == std::vector<double>{1.5, 2, 3, 4});
    std::vector<std::string> fields;
    CHECK(split_csv_record("a,\"b \"\"quoted\"\", c\",d", ',', fields));
    CHECK(fields == std::vector<std::string>{"a", "b \"quoted\", c", "d"});
    CHECK_FALSE(split_csv_record("a,\"open", ',', fields));
    CHECK_THROWS_WITH_AS(csv_text("a,b\n1,\"2\n"), doctest::Contains("bad.csv:2: unterminated quoted field"), IoError);
    // a quoted field may span lines; the row is reported at its first line
    const CsvData multi = csv_text("a,note,b\n1,\"two\nlines\",2\n", {.ignore = {"note"}});
    CHECK(multi.x.to_vector() == std::vector<double>{1, 2});
    CHECK_THROWS_WITH_AS(csv_text("a,b\n1,2\n3,\"x\ny\"\n"), doctest::Contains("bad.csv:3: column 2 ('b')"), IoError);
}

TEST_CASE("csv: one stray quote costs one row and linear time, and is reported with its line") {
    // 16,000 rows, a stray quote on line 3: before, each later line re-split the whole
    // growing record (minutes), and with skip_bad_rows every row after it vanished.
    std::string text = "a,b\n1,2\n\"3,4\n";
    const std::size_t rows = 16'000;
    for (std::size_t i = 2; i < rows; ++i) text += std::to_string(i) + ",5\n";
    std::vector<CsvIssue> issues;
    const auto start = std::chrono::steady_clock::now();
    const CsvData d = csv_text(text, {.skip_bad_rows = true, .on_bad_row = [&](const CsvIssue& i) { issues.push_back(i); }});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 5.0);  // ~0.05 s
    CHECK(d.report.rows_read == rows);
    CHECK(d.report.rows_kept == rows - 1);
    CHECK(d.report.rows_skipped == 1);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].to_string() == "bad.csv:3: unterminated quoted field (no closing quote within 100 lines)");
    CHECK(d.x.to_vector()[2] == 2);  // the row after the stray quote, line 4, is read normally
    // without skipping: an error naming the line, whether the file ends first or not
    CHECK_THROWS_WITH_AS(csv_text(text), doctest::Contains("bad.csv:3: unterminated quoted field"), IoError);
    CHECK_THROWS_WITH_AS(csv_text("a,b\n1,\"2\n3,4\n"), doctest::Contains("bad.csv:2: unterminated quoted field (the file ends inside quotes)"), IoError);
    // a bounded multi-line field still reads; one line over the bound is an unterminated quote
    const CsvData three = csv_text("a,note,b\n1,\"x\ny\nz\",2\n", {.ignore = {"note"}, .max_record_lines = 3});
    CHECK(three.x.to_vector() == std::vector<double>{1, 2});
    CHECK_THROWS_WITH_AS(csv_text("a,note,b\n1,\"x\ny\nz\",2\n", {.ignore = {"note"}, .max_record_lines = 2}),
                         doctest::Contains("bad.csv:2: unterminated quoted field (no closing quote within 2 lines)"),
                         IoError);
}

TEST_CASE("csv: a number too small for a double underflows to zero, as strtod; only overflow is an error") {
    const CsvData d = csv_text("a,b\n1e-400,-1e-400\n4e-320,0.000000000000000000000001e-380\n");
    const std::vector<double> v = d.x.to_vector();
    CHECK(v[0] == 0.0);
    CHECK(v[1] == 0.0);
    CHECK(std::signbit(v[1]));
    CHECK(d.x.dtype() == DType::f32);
    const CsvData f64 = csv_text("a\n4e-320\n", {.dtype = DType::f64});
    CHECK(f64.x.to_vector()[0] == 4e-320);  // a denormal, kept
    CHECK_THROWS_WITH_AS(csv_text("a\n1e400\n"), doctest::Contains("'1e400' is too large for a double"), IoError);
    CHECK_THROWS_WITH_AS(csv_text("a\n-1e99999999999999999999\n"), doctest::Contains("too large"), IoError);
    CHECK_THROWS_WITH_AS(csv_text("a\n+-5\n"), doctest::Contains("'+-5' is not a number"), IoError);
    double out = 7;
    CHECK(parse_decimal("1e-99999999999999999999", out) == DecimalStatus::ok);
    CHECK(out == 0.0);
    CHECK(parse_decimal("123456789e-330", out) == DecimalStatus::ok);  // 1.2e-322: a denormal
    CHECK(out == 123456789e-330);
    CHECK(parse_decimal("0.001e309", out) == DecimalStatus::ok);
    CHECK(out == 1e306);
    CHECK(parse_decimal("1000e306", out) == DecimalStatus::overflow);
    CHECK(parse_decimal("", out) == DecimalStatus::not_a_number);
}

TEST_CASE("data: the Standardizer refuses NaN, naming the row and column") {
    const Tensor nan_x = tensor({{1.0, 2.0}, {3.0, std::nan("")}});
    Standardizer s;
    CHECK_THROWS_WITH_AS(s.fit(nan_x), doctest::Contains("x[1, 1] (column 1) is nan"), std::invalid_argument);
    CHECK_FALSE(s.fitted());
    CHECK_THROWS_WITH_AS(s.fit(tensor({{INFINITY, 1.0}})), doctest::Contains("x[0, 0] (column 0) is inf"),
                         std::invalid_argument);
    s.fit(tensor({{1.0, 2.0}, {3.0, 4.0}}));
    CHECK_THROWS_WITH_AS(s.transform(nan_x), doctest::Contains("x[1, 1] (column 1) is NaN"), std::invalid_argument);
}

TEST_CASE("data: a DataLoader owns its data, so one built from a temporary Dataset is safe") {
    DataLoader loader(counting(10), {.batch_size = 4});
    std::vector<double> seen;
    for (const auto& [x, y] : loader) {
        CHECK(x.size(1) == 2);
        for (double v : x.to_vector()) seen.push_back(v);
    }
    std::vector<double> expected;
    for (int i = 0; i < 10; ++i) expected.push_back(i), expected.push_back(-i);
    CHECK(seen == expected);
    CHECK(loader.size() == 3);
    // it holds the handles it was given: replacing the caller's tensors later does not change it
    // (before, it pointed at the caller's Dataset, and at freed memory for a temporary)
    Dataset d = counting(4);
    DataLoader held(d, {.batch_size = 4});
    d = counting(2);
    CHECK(held.size() == 1);
    CHECK(held.batch(0).x.size(0) == 4);
}

TEST_CASE("DataLoader workers: their batches together are one process's batches, each worker the same count") {
    const std::size_t rows = 23;  // not a multiple of 3: the last 23 mod 3 rows of each epoch are left out
    std::vector<double> v(rows);
    for (std::size_t i = 0; i < rows; ++i) v[i] = double(i);
    const Dataset data(from_vector(v, {rows, 1}, {DType::f64}), from_vector(v, {rows}, {DType::f64}));
    DataLoader one(data, {.batch_size = 6, .shuffle = true, .seed = 4});
    std::vector<DataLoader> three;
    for (std::size_t w = 0; w < 3; ++w) three.emplace_back(data, LoaderOptions{.batch_size = 2, .shuffle = true, .seed = 4, .worker = w, .workers = 3});
    for (int epoch = 0; epoch < 3; ++epoch) {
        one.new_epoch();
        for (auto& l : three) {
            l.new_epoch();
            CHECK(l.size() == 4);  // 21 rows / 3 workers / 2 a batch, the last batch of 1
        }
        for (std::size_t b = 0; b < 4; ++b) {
            std::multiset<double> joined, expected;
            for (auto& l : three)
                for (double x : l.batch(b).x.to_vector()) joined.insert(x);
            const auto whole = one.batch(b).x.to_vector();
            const std::size_t take = b < 3 ? whole.size() : 3;  // the last global batch: 5 rows, less the 2 left out
            expected.insert(whole.begin(), whole.begin() + std::ptrdiff_t(take));
            CHECK(joined == expected);
        }
    }
    CHECK_THROWS_AS(DataLoader(data, {.worker = 3, .workers = 3}), std::invalid_argument);
}

TEST_CASE("csv: categorical_label numbers the classes in the caller's order; an unknown class names file, line, value") {
    const std::string text = "x,kind\n1,cat\n2,dog\n3,bird\n4,dog\n";
    // sorted order (the default): bird 0, cat 1, dog 2
    const CsvData sorted = csv_text(text, {.label = "kind", .categorical_label = true});
    CHECK(sorted.classes == std::vector<std::string>{"bird", "cat", "dog"});
    CHECK(sorted.y.to_vector() == std::vector<double>{1, 2, 0, 2});
    // the caller's order: dog 0, cat 1, bird 2, and a class no row has (fish 3) keeps its number
    const CsvData given = csv_text(text, {.label = "kind", .classes = {"dog", "cat", "bird", "fish"}});
    CHECK(given.classes == std::vector<std::string>{"dog", "cat", "bird", "fish"});
    CHECK(given.y.to_vector() == std::vector<double>{1, 0, 2, 0});
    // a label outside the list is a malformed row: file, line, column and the value
    CHECK_THROWS_WITH_AS(csv_text(text, {.label = "kind", .categorical_label = true, .classes = {"cat", "dog"}}),
                         "bad.csv:4: column 2 ('kind'): 'bird' is not one of the classes given (cat, dog)", IoError);
    // ... skipped and counted with skip_bad_rows
    const CsvData skipped = csv_text(text, {.label = "kind", .skip_bad_rows = true, .on_bad_row = [](const CsvIssue&) {},
                                            .classes = {"cat", "dog"}});
    CHECK(skipped.y.to_vector() == std::vector<double>{0, 1, 1});
    CHECK(skipped.report.rows_skipped == 1);
    CHECK_THROWS_WITH_AS(csv_text(text, {.label = "kind", .classes = {"cat", "cat"}}),
                         doctest::Contains("the class 'cat' is given twice"), std::invalid_argument);
    // CsvStream knows the numbering before the first row when the order is given
    const std::string path = temp_path("csv_classes.csv");
    std::ofstream(path, std::ios::binary) << text;
    CsvStream stream({path}, {.label = "kind", .classes = {"dog", "cat", "bird"}});
    Batch b;
    REQUIRE(stream.next(10, b));
    CHECK(b.y.to_vector() == std::vector<double>{1, 0, 2, 0});
    CsvStream strict({path}, {.label = "kind", .classes = {"dog", "cat"}});
    CHECK_THROWS_WITH_AS(strict.next(10, b), doctest::Contains("csv_classes.csv:4: column 2 ('kind'): 'bird' is not one of"),
                         IoError);
    CHECK_THROWS_AS(CsvStream({path}, {.label = "kind", .categorical_label = true}), std::invalid_argument);
}
