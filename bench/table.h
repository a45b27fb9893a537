// A markdown table printed to stdout; each row is printed as soon as it is added, so that a long
// run shows its progress (and a run cut short still shows what it measured).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace bench {

class Table {
 public:
  explicit Table(std::vector<std::string> columns) : width_(columns.size()) {
    print(columns);
    print(std::vector<std::string>(width_, "---"));
  }
  void add(std::vector<std::string> cells) {
    cells.resize(width_);
    print(cells);
  }

 private:
  static void print(const std::vector<std::string>& cells) {
    std::string line = "|";
    for (const auto& c : cells) line += " " + c + " |";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  std::size_t width_;
};

}  // namespace bench
