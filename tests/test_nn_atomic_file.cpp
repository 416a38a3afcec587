// nn/io: AtomicFile and same_file: whatever path a user types, nothing is lost.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;
namespace fs = std::filesystem;

namespace {

/// A scratch directory for one test, removed at scope exit.
struct ScratchDir {
    fs::path path;
    explicit ScratchDir(const std::string& name)
        : path(fs::temp_directory_path() / ("tapegrad_atomic_" + std::to_string(::getpid()) + "_" + name)) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir() { fs::remove_all(path); }
    fs::path operator/(const std::string& f) const { return path / f; }
};

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

mode_t file_type(const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & S_IFMT;
}

}  // namespace

TEST_CASE("AtomicFile: a FIFO is written into, not replaced by a regular file") {
    ScratchDir dir("fifo");
    const fs::path fifo = dir / "out.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // the reader is open before the write (non-blocking: the test never hangs, whatever the writer does)
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    write_file_atomically(fifo, "through the pipe\n", "test");
    char buf[64] = {};
    const ssize_t n = ::read(reader, buf, sizeof buf);
    ::close(reader);
    CHECK(file_type(fifo) == S_IFIFO);
    CHECK(std::string(buf, n > 0 ? std::size_t(n) : 0) == "through the pipe\n");
}

TEST_CASE("AtomicFile: a character device such as /dev/null stays a device") {
    // As root, a copy of /dev/null made in a scratch directory, so that a regression
    // cannot replace the machine's own /dev/null; otherwise /dev/null itself, which
    // then cannot be replaced anyway.
    ScratchDir dir("chardev");
    fs::path null = dir / "null";
    if (::mknod(null.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) null = "/dev/null";
    write_file_atomically(null, "discarded", "test");
    CHECK(file_type(null) == S_IFCHR);
    manual_seed(3);
    auto net = mlp({2, 3, 1}, {"tanh"});
    save(*net, null.string());
    CHECK(file_type(null) == S_IFCHR);
}

TEST_CASE("AtomicFile: a symlink planted at the old predictable temporary name is not followed") {
    ScratchDir dir("symlink");
    const fs::path victim = dir / "victim.txt", out = dir / "out.txt";
    std::ofstream(victim) << "precious\n";
    fs::create_symlink(victim, dir / "out.txt.tmp");
    write_file_atomically(out, "new output\n", "test");
    CHECK(read_all(victim) == "precious\n");
    CHECK(read_all(out) == "new output\n");
    CHECK(file_type(out) == S_IFREG);
}

TEST_CASE("AtomicFile: temporaries of a killed run are removed; those of running processes are kept") {
    ScratchDir dir("stale");
    const pid_t dead = ::fork();  // a PID that no longer runs
    if (dead == 0) ::_exit(0);
    REQUIRE(dead > 0);
    ::waitpid(dead, nullptr, 0);
    const std::string stale = fmt::format(".out.txt.tmp.{}.0123456789abcdef", dead);
    const std::string stale_backup = fmt::format(".out.txt.bak.{}.0123456789abcdef", dead);
    const std::string running = fmt::format(".out.txt.tmp.{}.0123456789abcdef", ::getpid());
    const std::string other_target = fmt::format(".other.txt.tmp.{}.0123456789abcdef", dead);
    const std::string not_ours = fmt::format(".out.txt.tmp.{}.notours", dead);
    for (const std::string& f : {stale, stale_backup, running, other_target, not_ours}) std::ofstream(dir / f) << "left\n";
    {
        AtomicFile f(dir / "out.txt");
        f.write("new\n");
        // while writing: one temporary of this process, with a name nobody could plant in advance
        std::size_t mine = 0;
        for (const std::string& e : entries(dir.path))
            if (e.rfind(fmt::format(".out.txt.tmp.{}.", ::getpid()), 0) == 0 && e != running) ++mine;
        CHECK(mine == 1);
        f.commit();
    }
    CHECK(entries(dir.path) == std::set<std::string>{running, not_ours, other_target, "out.txt"});
    CHECK(read_all(dir / "out.txt") == "new\n");
}

TEST_CASE("commit_together: when the second rename fails, both files keep their old contents") {
    ScratchDir dir("pair");
    const fs::path alerts = dir / "alerts.jsonl", rejects = dir / "rejects.csv";
    std::ofstream(alerts) << "old alerts\n";
    std::ofstream(rejects) << "old rejects\n";
    const auto fail_second_commit = [&] {
        AtomicFile a(alerts), r(rejects);
        a.write("new alerts\n");
        r.write("new rejects\n");
        detail::fail_rename_for_testing(1);
        CHECK_THROWS_WITH_AS(commit_together(a, r), doctest::Contains("rejects.csv"), IoError);
        detail::fail_rename_for_testing(-1);
    };
    fail_second_commit();
    CHECK(read_all(alerts) == "old alerts\n");
    CHECK(read_all(rejects) == "old rejects\n");
    CHECK(entries(dir.path) == std::set<std::string>{"alerts.jsonl", "rejects.csv"});  // no temporary, no backup
    // a first file that did not exist before is removed again
    fs::remove(alerts);
    fail_second_commit();
    CHECK_FALSE(fs::exists(alerts));
    CHECK(read_all(rejects) == "old rejects\n");
    CHECK(entries(dir.path) == std::set<std::string>{"rejects.csv"});
    // without the fault, both are replaced
    {
        AtomicFile a(alerts), r(rejects);
        a.write("new alerts\n");
        r.write("new rejects\n");
        commit_together(a, r);
        CHECK(a.committed());
        CHECK(r.committed());
    }
    CHECK(read_all(alerts) == "new alerts\n");
    CHECK(read_all(rejects) == "new rejects\n");
    CHECK(entries(dir.path) == std::set<std::string>{"alerts.jsonl", "rejects.csv"});
}

TEST_CASE("AtomicFile: small writes go out in blocks of the 1 MiB buffer") {
    ScratchDir dir("buffer");
    AtomicFile f(dir / "big.bin");
    const std::string line(100, 'x');
    for (int i = 0; i < 30000; ++i) f.write(line);  // 3,000,000 bytes in 100-byte pieces
    f.commit();
    CHECK(f.system_writes() == 3);  // two full buffers, and the rest at commit
    CHECK(fs::file_size(dir / "big.bin") == 3000000);
    // a block larger than the buffer is written as it is
    AtomicFile g(dir / "block.bin");
    g.write("head");
    g.write(std::string(3 << 20, 'y'));
    g.commit();
    CHECK(g.system_writes() == 2);
    CHECK(fs::file_size(dir / "block.bin") == 4 + (3 << 20));
}

TEST_CASE("AtomicFile: a symlink to a file replaces the file and keeps the link; a directory is refused") {
    ScratchDir dir("linkkeep");
    std::ofstream(dir / "real.txt") << "old\n";
    fs::create_symlink("real.txt", dir / "link.txt");
    write_file_atomically(dir / "link.txt", "new\n", "test");
    CHECK(file_type(dir / "link.txt") == S_IFLNK);
    CHECK(read_all(dir / "real.txt") == "new\n");
    CHECK_THROWS_WITH_AS(write_file_atomically(dir.path, "x", "test"), doctest::Contains("is a directory"), IoError);
}

TEST_CASE("same_file: by identity, not by spelling") {
    ScratchDir dir("same");
    const fs::path a = dir / "a.csv";
    std::ofstream(a) << "data\n";
    fs::create_directories(dir / "sub");
    CHECK(same_file(a, a));
    CHECK(same_file(a, dir / "." / "a.csv"));
    CHECK(same_file(a, dir / "sub" / ".." / "a.csv"));
    fs::create_symlink(a, dir / "link.csv");
    CHECK(same_file(a, dir / "link.csv"));
    fs::create_hard_link(a, dir / "hard.csv");
    CHECK(same_file(a, dir / "hard.csv"));
    std::ofstream(dir / "b.csv") << "data\n";
    CHECK_FALSE(same_file(a, dir / "b.csv"));
    // files that do not exist yet: the same directory and name
    CHECK(same_file(dir / "new.json", dir / "sub" / ".." / "new.json"));
    CHECK_FALSE(same_file(dir / "new.json", dir / "other.json"));
    CHECK_FALSE(same_file(dir / "new.json", a));
    CHECK(same_file(dir / "nodir" / "x", dir / "nodir" / "." / "x"));
    CHECK_FALSE(same_file(dir / "nodir" / "x", dir / "nodir" / "y"));
}
