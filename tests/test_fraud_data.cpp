// The fraud demo's data side: the generator and the streaming CSV reader with its rejects.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "helpers.hpp"
#include "../tutorials/fraud/csv_reader.hpp"
#include "../tutorials/fraud/generator.hpp"

using namespace fraud;

namespace {

std::string generate_string(const GeneratorOptions& o, GeneratorStats* stats = nullptr) {
    std::string out;
    const GeneratorStats s = generate(o, [&](std::string_view chunk) { out.append(chunk); });
    if (stats) *stats = s;
    return out;
}

/// A temporary file holding text, removed at scope exit.
struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& text, const std::string& name = "fraud_test.csv") {
        path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
        std::ofstream(path, std::ios::binary) << text;
    }
    ~TempFile() { std::filesystem::remove(path); }
};

struct Fd {
    int fd;
    explicit Fd(const std::filesystem::path& p) : fd(::open(p.c_str(), O_RDONLY)) { REQUIRE(fd >= 0); }
    ~Fd() { ::close(fd); }
};

struct Rejected {
    std::uint64_t line;
    Reject reason;
    std::string detail;
};

}  // namespace

TEST_CASE("fraud: the generator is deterministic, same seed same bytes") {
    GeneratorOptions o;
    o.rows = 20000;
    o.seed = 42;
    GeneratorStats s1, s2;
    const std::string a = generate_string(o, &s1);
    const std::string b = generate_string(o, &s2);
    CHECK(a.size() > 20000 * 40);
    CHECK(a == b);
    CHECK(s1.fraud == s2.fraud);
    o.seed = 43;
    CHECK(generate_string(o) != a);
    // the header and the row count
    CHECK(a.substr(0, a.find('\n')) == generated_header());
    CHECK(std::count(a.begin(), a.end(), '\n') == 20001);
}

TEST_CASE("fraud: the generator's fraud rate and patterns") {
    GeneratorOptions o;
    o.rows = 200000;
    o.seed = 7;
    GeneratorStats s;
    generate_string(o, &s);
    const double rate = double(s.fraud) / double(s.rows);
    CHECK(rate > 0.008);
    CHECK(rate < 0.012);
    for (std::size_t p = 1; p < n_patterns; ++p) {
        INFO("pattern " << pattern_name(Pattern(p)));
        CHECK(s.by_pattern[p] > 50);
    }
    CHECK(s.by_pattern[0] + s.fraud == s.rows);
    o.fraud_rate = 0.02;
    generate_string(o, &s);
    CHECK(double(s.fraud) / double(s.rows) == doctest::Approx(0.02).epsilon(0.1));
    o.fraud_rate = 0.7;
    CHECK_THROWS_AS(generate_string(o), std::invalid_argument);
}

TEST_CASE("fraud: generated rows parse back without rejects, and the labels match") {
    GeneratorOptions o;
    o.rows = 5000;
    o.seed = 3;
    GeneratorStats s;
    TempFile f(generate_string(o, &s));
    Fd fd(f.path);
    TransactionReader reader(fd.fd, f.path.string(), true);
    ParsedRow row;
    std::uint64_t n = 0, fraud = 0, rejects = 0;
    while (reader.next(row, [&](auto...) { ++rejects; })) {
        ++n;
        fraud += std::uint64_t(row.label);
        CHECK((row.label == 1) == (row.pattern != "legit"));
    }
    CHECK(rejects == 0);
    CHECK(n == 5000);
    CHECK(fraud == s.fraud);
    CHECK(reader.rows_read() == 5000);
}

TEST_CASE("fraud: every malformed-row kind lands in rejects with its reason, and the counts add up") {
    const std::string header(generated_header());
    const std::string good = "tx1,12.50,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit";
    std::string long_line = "tx9," + std::string(300, '7');
    // line numbers: 1 header, then one line per case
    const std::vector<std::pair<std::string, Reject>> cases{
        {"", Reject::blank_line},
        {"   ", Reject::blank_line},
        {"tx2,12.50,13.25,5411,3.2,1,0,2,400,0,40.00", Reject::missing_fields},
        {good + ",surplus", Reject::extra_fields},
        {"tx3,abc,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::non_numeric},
        {"tx4,12.50,13.25,5411,3.2,1,0,2,,0,40.00,0,legit", Reject::non_numeric},
        {"tx5,NaN,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::not_finite},
        {"tx6,12.50,13.25,5411,inf,1,0,2,400,0,40.00,0,legit", Reject::not_finite},
        {"tx7,12.50,13.25,5411,3.2,1,0,2,400,0,1e999,0,legit", Reject::not_finite},
        {"tx8,-5,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::out_of_range},
        {"tx8b,12.50,24,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::out_of_range},
        {"tx8c,12.50,13.25,5411,3.2,2,0,2,400,0,40.00,0,legit", Reject::out_of_range},
        {"tx8d,12.50,13.25,5411,3.2,1,0.5,2,400,0,40.00,0,legit", Reject::out_of_range},
        {"\"tx9,12.50,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::unterminated_quote},
        {"\"tx10\"x,12.50,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::bad_quote},
        {"tx11,12\"5,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::bad_quote},
        {header, Reject::repeated_header},
        {"id,amount,hour", Reject::header_mismatch},
        {long_line, Reject::line_too_long},
        {",12.50,13.25,5411,3.2,1,0,2,400,0,40.00,0,legit", Reject::bad_id},
        {"tx12,12.50,13.25,5411,3.2,1,0,2,400,0,40.00,7,legit", Reject::out_of_range},
    };
    std::string text = header + "\n" + good + "\n";
    for (const auto& c : cases) text += c.first + "\n";
    text += "\"tx13\",\"12.50\",13.25,5411,3.2,1,0,2,400,0,40.00,1,\"night, \"\"quoted\"\"\"\r\n";  // valid, quoted, CRLF
    text += good;  // valid, no final newline
    TempFile f(text);
    Fd fd(f.path);
    TransactionReader reader(fd.fd, f.path.string(), false, 200);
    std::vector<Rejected> rejected;
    std::string rejects_csv;
    RejectWriter writer([&](std::string_view s) { rejects_csv.append(s); });
    ParsedRow row;
    std::vector<std::string> ids;
    while (reader.next(row, [&](std::uint64_t line, Reject r, std::string_view detail, std::string_view raw) {
        rejected.push_back({line, r, std::string(detail)});
        writer.write(line, r, detail, raw);
    }))
        ids.emplace_back(row.id);
    writer.flush();

    REQUIRE(rejected.size() == cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i << ": " << cases[i].first.substr(0, 60));
        CHECK(rejected[i].line == i + 3);  // header is line 1, the good row line 2
        CHECK(reject_name(rejected[i].reason) == reject_name(cases[i].second));
    }
    CHECK(ids == std::vector<std::string>{"tx1", "tx13", "tx1"});
    CHECK(row.id == "tx1");
    CHECK(reader.rows_read() == cases.size() + 3);
    CHECK(reader.rows_read() == ids.size() + reader.rows_rejected());
    std::uint64_t by_reason = 0;
    for (auto n : reader.rejects_by_reason()) by_reason += n;
    CHECK(by_reason == reader.rows_rejected());
    // the details name the column
    CHECK(rejected[4].detail.find("amount") != std::string::npos);
    CHECK(rejected[5].detail.find("account_age_days") != std::string::npos);
    CHECK(rejected[11].detail.find("card_present") != std::string::npos);
    // the rejects file: a header and one line per reject, each starting with its line number
    std::istringstream in(rejects_csv);
    std::string line;
    std::getline(in, line);
    CHECK(line == "line,reason,detail,content");
    std::size_t n = 0;
    while (std::getline(in, line)) {
        REQUIRE(n < cases.size());
        CHECK(line.rfind(std::to_string(n + 3) + "," + std::string(reject_name(cases[n].second)) + ",", 0) == 0);
        ++n;
    }
    CHECK(n == cases.size());
}

TEST_CASE("fraud: a header that does not match the schema is an error before any row") {
    const std::string rows = "\ntx1,12.50,13.25,5411,3.2,1,0,2,400,0,40.00\n";
    {
        TempFile f("id,amount,hour,merchant_category,distance_km,card_present,tx_last_hour,tx_last_day,"
                   "account_age,foreign,avg_amount_30d,colour" + rows);
        Fd fd(f.path);
        try {
            TransactionReader reader(fd.fd, "x.csv", false);
            FAIL("no error");
        } catch (const std::runtime_error& e) {
            const std::string m = e.what();
            CHECK(m.find("x.csv: line 1") != std::string::npos);
            CHECK(m.find("missing: account_age_days") != std::string::npos);
            CHECK(m.find("unexpected: account_age, colour") != std::string::npos);
        }
    }
    {  // the label is required for training
        TempFile f("id,amount,hour,merchant_category,distance_km,card_present,tx_last_hour,tx_last_day,"
                   "account_age_days,foreign,avg_amount_30d" + rows);
        Fd fd(f.path);
        CHECK_THROWS_WITH_AS(TransactionReader(fd.fd, "x.csv", true), doctest::Contains("missing: is_fraud"),
                             std::runtime_error);
        Fd fd2(f.path);
        TransactionReader ok(fd2.fd, "x.csv", false);  // but not for scoring
        CHECK(ok.header().label == -1);
    }
    {  // columns in another order are fine
        TempFile f("amount,id,hour,merchant_category,distance_km,card_present,tx_last_hour,tx_last_day,"
                   "account_age_days,foreign,avg_amount_30d\n12.5,txA,13.25,5411,3.2,1,0,2,400,0,40.00\n");
        Fd fd(f.path);
        TransactionReader reader(fd.fd, "x.csv", false);
        ParsedRow row;
        REQUIRE(reader.next(row, {}));
        CHECK(row.id == "txA");
        CHECK(row.raw[amount] == 12.5);
    }
    {
        TempFile f("");
        Fd fd(f.path);
        CHECK_THROWS_WITH_AS(TransactionReader(fd.fd, "x.csv", false), doctest::Contains("no header"),
                             std::runtime_error);
    }
}

TEST_CASE("fraud: the line reader keeps a fixed buffer across long inputs") {
    std::string text;
    for (int i = 0; i < 3000; ++i) text += std::string(std::size_t(i % 97), 'a') + "\n";
    text += std::string(1000, 'b') + "\nlast";
    TempFile f(text);
    Fd fd(f.path);
    LineReader lines(fd.fd, "t", 100, 64);  // a buffer smaller than some lines
    std::string_view line;
    bool too_long = false;
    for (int i = 0; i < 3000; ++i) {
        REQUIRE(lines.next(line, too_long));
        CHECK(line.size() == std::size_t(i % 97));
        CHECK_FALSE(too_long);
    }
    REQUIRE(lines.next(line, too_long));
    CHECK(too_long);
    CHECK(line.size() == 100);
    REQUIRE(lines.next(line, too_long));
    CHECK(line == "last");
    CHECK(lines.line_number() == 3002);
    CHECK_FALSE(lines.next(line, too_long));
}

TEST_CASE("fraud: split_fields follows RFC 4180 quoting") {
    std::vector<std::string_view> f;
    std::string scratch;
    REQUIRE(split_fields("a,\"b,c\",\"d\"\"e\",", f, scratch) == SplitStatus::ok);
    REQUIRE(f.size() == 4);
    CHECK(f[0] == "a");
    CHECK(f[1] == "b,c");
    CHECK(f[2] == "d\"e");
    CHECK(f[3] == "");
    CHECK(split_fields("\"abc", f, scratch) == SplitStatus::unterminated_quote);
    CHECK(split_fields("\"a\"b", f, scratch) == SplitStatus::bad_quote);
    CHECK(split_fields("", f, scratch) == SplitStatus::ok);
    CHECK(f.size() == 1);
}

TEST_CASE("fraud: a number too small for a double underflows to 0, as strtod; too large is still rejected") {
    const std::string header(generated_header());
    TempFile f(header + "\ntx1,12.50,13.25,5411,1e-400,1,0,2,400,0,40.00,0,legit\n"
                        "tx2,12.50,13.25,5411,3.2,1,0,2,400,0,1e400,0,legit\n");
    Fd fd(f.path);
    TransactionReader reader(fd.fd, f.path.string(), false);
    std::vector<Rejected> rejected;
    const RejectSink sink = [&](std::uint64_t line, Reject r, std::string_view detail, std::string_view) {
        rejected.push_back({line, r, std::string(detail)});
    };
    ParsedRow row;
    REQUIRE(reader.next(row, sink));  // before: rejected as "too large for a double"
    CHECK(row.id == "tx1");
    CHECK(row.raw[3] == 0.0);  // distance_km
    CHECK_FALSE(reader.next(row, sink));
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].line == 3);
    CHECK(reject_name(rejected[0].reason) == "not_finite");
    CHECK(rejected[0].detail == "avg_amount_30d: '1e400' is too large for a double");
}
