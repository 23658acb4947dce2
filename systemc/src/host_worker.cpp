#include "cadre/sim/host_worker.h"

namespace cadre::sim {

HostWorker::HostWorker(uint32_t tiles) : submitted_(tiles, 0), finished_(new std::atomic<uint64_t>[tiles]) {
  for (uint32_t t = 0; t < tiles; ++t) finished_[t].store(0, std::memory_order_relaxed);
}

HostWorker::~HostWorker() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  job_ready_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void HostWorker::submit(uint32_t tile, std::function<void()> job) {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  {
    std::unique_lock lock(mutex_);
    job_done_.wait(lock, [&] { return jobs_.size() < kMaxPending; });
    jobs_.push_back({tile, std::move(job)});
  }
  ++submitted_[tile];
  job_ready_.notify_one();
}

void HostWorker::wait_until(const std::function<bool()>& done) {
  std::unique_lock lock(mutex_);
  job_done_.wait(lock, done);
  if (error_) std::rethrow_exception(error_);
}

void HostWorker::wait_for(uint32_t tile) {
  // Acquire: the job's writes are seen once its count is.
  if (finished_[tile].load(std::memory_order_acquire) == submitted_[tile] && !failed_.load(std::memory_order_acquire))
    return;
  wait_until([&] { return finished_[tile].load(std::memory_order_acquire) == submitted_[tile]; });
}

void HostWorker::wait_all() {
  for (uint32_t t = 0; t < submitted_.size(); ++t) wait_for(t);
}

void HostWorker::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      job_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every job has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::exception_ptr thrown;
    try {
      job.run();
    } catch (...) {
      thrown = std::current_exception();
    }
    {
      const std::lock_guard lock(mutex_);
      if (thrown && !error_) {
        error_ = thrown;
        failed_.store(true, std::memory_order_release);
      }
      finished_[job.tile].fetch_add(1, std::memory_order_release);
    }
    job_done_.notify_all();
  }
}

}  // namespace cadre::sim
