// A second host thread for the simulator's functional work that no timing
// depends on: a tile's matrix products, whose values nothing reads until a
// unit reads that tile's accumulator (LocalMemory waits for them there). The
// simulation thread is the only one that submits and waits; jobs run in the
// order submitted, so a tile's products land in its accumulator in program
// order and the results are the same bits as computed inline.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cadre::sim {

class HostWorker {
 public:
  explicit HostWorker(uint32_t tiles);
  // Finishes every job submitted, then stops the thread.
  ~HostWorker();
  HostWorker(const HostWorker&) = delete;
  HostWorker& operator=(const HostWorker&) = delete;

  // Runs `job` on the worker thread after the jobs submitted before it. At
  // most kMaxPending wait at once (each holds its operands): beyond that,
  // submit waits for the oldest.
  void submit(uint32_t tile, std::function<void()> job);
  // Returns once every job `tile` submitted has run; rethrows the first
  // exception any job threw.
  void wait_for(uint32_t tile);
  void wait_all();

  static constexpr size_t kMaxPending = 64;

 private:
  struct Job {
    uint32_t tile;
    std::function<void()> run;
  };
  void run();
  void wait_until(const std::function<bool()>& done);

  std::vector<uint64_t> submitted_;  // per tile; the simulation thread's alone
  std::unique_ptr<std::atomic<uint64_t>[]> finished_;  // per tile; the worker's, read by both
  std::mutex mutex_;
  std::condition_variable job_ready_, job_done_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::exception_ptr error_;       // under mutex_
  std::atomic<bool> failed_ = false;  // error_ is set
  std::thread thread_;  // started by the first submit
};

}  // namespace cadre::sim
