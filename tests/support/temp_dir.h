// A fresh directory under /tmp, removed with everything in it when the object goes (or by
// remove_all_live() when a benchmark has to stop at once). Shared by the tests and bench/.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace jobq::testing {

class TempDir {
 public:
  // The directory is /tmp/PREFIX-XXXXXX.
  explicit TempDir(const std::string& prefix = "jobq-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
    std::lock_guard lock(live_mutex());
    live().push_back(path_);
  }
  ~TempDir() {
    {
      std::lock_guard lock(live_mutex());
      std::erase(live(), path_);
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // For a fatal error, when no destructor will run.
  static void remove_all_live() {
    std::lock_guard lock(live_mutex());
    for (const auto& p : live()) {
      std::error_code ignored;
      std::filesystem::remove_all(p, ignored);
    }
    live().clear();
  }

 private:
  static std::mutex& live_mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::filesystem::path>& live() {
    static std::vector<std::filesystem::path> v;
    return v;
  }
  std::filesystem::path path_;
};

}  // namespace jobq::testing
