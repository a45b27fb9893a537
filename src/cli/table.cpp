#include "cli/table.h"

#include <algorithm>

namespace jobq::cli {

std::size_t display_width(const std::string& text) {
  // Continuation bytes (10xxxxxx) do not start a code point.
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), right_(headers_.size(), false) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::align_right(std::size_t column) {
  if (column < right_.size()) right_[column] = true;
}

std::string Table::render() const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string pad(widths[i] - display_width(row[i]), ' ');
      bool last = i + 1 == row.size();
      if (right_[i])
        text += pad + row[i];
      else
        text += last ? row[i] : row[i] + pad;
      if (!last) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  return out;
}

void Table::print(std::FILE* out) const {
  std::string text = render();
  std::fwrite(text.data(), 1, text.size(), out);
}

}  // namespace jobq::cli
