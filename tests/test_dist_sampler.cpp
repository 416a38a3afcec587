// DistributedSampler: shards of every epoch's permutation (no MPI needed: rank
// and world given). And what tg::dist says when MPI is not running.
#include <algorithm>
#include <set>

#include <tapegrad/dist/dist.hpp>

#include "helpers.hpp"

using namespace tg::dist;

TEST_CASE("dist sampler: shards are disjoint, cover the data, change each epoch, repeat with the seed") {
    const std::size_t n = 10;
    for (int world : {1, 2, 3, 4}) {
        std::multiset<std::size_t> all;
        for (int r = 0; r < world; ++r) {
            DistributedSampler s(n, r, world, {.shuffle = true, .seed = 5});
            const auto e0 = s.indices(0);
            CHECK(e0.size() == (n + world - 1) / world);
            CHECK(e0 == DistributedSampler(n, r, world, {.shuffle = true, .seed = 5}).indices(0));  // same seed, same shard
            if (world < 4) CHECK(s.indices(1) != e0);  // a new order each epoch
            all.insert(e0.begin(), e0.end());
        }
        // padding repeats (total - n) rows; every row is there at least once
        for (std::size_t i = 0; i < n; ++i) CHECK(all.count(i) >= 1);
        CHECK(all.size() == ((n + world - 1) / world) * world);
        if (n % world == 0)
            for (std::size_t i = 0; i < n; ++i) CHECK(all.count(i) == 1);
    }
    // drop_last: equal shards, no repeats
    std::set<std::size_t> seen;
    for (int r = 0; r < 3; ++r) {
        const auto idx = DistributedSampler(10, r, 3, {.seed = 1, .drop_last = true}).indices(2);
        CHECK(idx.size() == 3);
        for (std::size_t i : idx) CHECK(seen.insert(i).second);
    }
    CHECK_THROWS_AS(DistributedSampler(10, 3, 3), std::invalid_argument);
    CHECK_THROWS_AS(DistributedSampler(2, 0, 3, {.drop_last = true}), std::invalid_argument);
}

TEST_CASE("dist: calls before MPI runs say what to do") {
    if (initialized()) return;
    CHECK_THROWS_WITH_AS(rank(), doctest::Contains(available() ? "create a tg::dist::Environment" : "built without MPI"),
                         DistError);
}
