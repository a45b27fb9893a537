// An aligned text table: the shape `jobq ls`, `queues ls`, `workers ls` and `stats` print.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace jobq::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // A row with fewer cells than headers is padded with empty cells.
  void add_row(std::vector<std::string> cells);
  // Numbers read best right-aligned; every column is left-aligned unless told.
  void align_right(std::size_t column);
  bool empty() const { return rows_.empty(); }

  // Columns are two spaces apart; the last column is not padded, so no line ends in spaces.
  std::string render() const;
  void print(std::FILE* out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

// The width a terminal gives UTF-8 text: code points, not bytes.
std::size_t display_width(const std::string& text);

}  // namespace jobq::cli
