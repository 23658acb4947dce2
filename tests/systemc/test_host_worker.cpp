// The simulator's host worker (sim::HostWorker): jobs run in the order
// submitted, wait_for returns once a tile's jobs have run and their writes
// are seen, a job's exception reaches the simulation thread, and a full
// queue makes submit wait rather than grow.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cadre/sim/host_worker.h"

namespace cadre::sim {
namespace {

TEST(HostWorker, JobsRunInTheOrderSubmitted) {
  std::vector<int> order;  // written by the worker only, read after wait_all
  HostWorker worker(3);
  for (int i = 0; i < 500; ++i) worker.submit(static_cast<uint32_t>(i % 3), [&order, i] { order.push_back(i); });
  worker.wait_all();
  ASSERT_EQ(order.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST(HostWorker, WaitForSeesTheTilesWrites) {
  HostWorker worker(2);
  std::vector<uint64_t> cell(2, 0);  // plain memory: wait_for must make the worker's writes visible
  std::atomic<bool> release{false};
  // Tile 1's job waits until released, so tile 0's job (after it) has not run either.
  worker.submit(1, [&] {
    while (!release.load()) std::this_thread::yield();
    cell[1] = 7;
  });
  worker.submit(0, [&] { cell[0] = 42; });
  release.store(true);
  worker.wait_for(0);
  EXPECT_EQ(cell[0], 42u);
  EXPECT_EQ(cell[1], 7u);  // submitted before tile 0's, so it has run too
  worker.wait_for(1);      // nothing left: returns at once
}

TEST(HostWorker, AJobsExceptionReachesTheWaiter) {
  HostWorker worker(1);
  worker.submit(0, [] { throw std::runtime_error("job failed"); });
  int after = 0;
  worker.submit(0, [&] { after = 1; });  // later jobs still run
  try {
    worker.wait_for(0);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "job failed");
  }
  EXPECT_EQ(after, 1);
  EXPECT_THROW(worker.wait_all(), std::runtime_error);  // and every wait after
}

TEST(HostWorker, AFullQueueMakesSubmitWait) {
  HostWorker worker(1);
  std::atomic<bool> started{false}, release{false};
  std::atomic<int> ran{0};
  worker.submit(0, [&] {
    started.store(true);
    while (!release.load()) std::this_thread::yield();
    ++ran;
  });
  // Once the first job has left the queue and holds the worker, fill the queue to the brim.
  while (!started.load()) std::this_thread::yield();
  for (size_t i = 0; i < HostWorker::kMaxPending; ++i) worker.submit(0, [&] { ++ran; });
  std::atomic<bool> submitted{false};
  std::thread extra([&] {
    worker.submit(0, [&] { ++ran; });
    submitted.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(submitted.load()) << "submit did not wait for room";
  release.store(true);
  extra.join();
  EXPECT_TRUE(submitted.load());
  worker.wait_all();
  EXPECT_EQ(ran.load(), static_cast<int>(HostWorker::kMaxPending) + 2);
}

TEST(HostWorker, DestroyingRunsEveryJobLeft) {
  std::atomic<int> ran{0};
  {
    HostWorker worker(1);
    for (int i = 0; i < 100; ++i) worker.submit(0, [&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace cadre::sim
