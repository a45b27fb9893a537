#include "cli/stdout_protocol.h"

#include <boost/json/parse.hpp>
#include <charconv>

namespace jobq::cli {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "progress 40 msg" -> "40 msg"; "progressive" -> nothing.
bool take_word(std::string_view& line, std::string_view word) {
  if (!line.starts_with(word)) return false;
  std::string_view rest = line.substr(word.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return false;
  line = trim(rest);
  return true;
}

StdoutLine malformed(std::string what) {
  return {StdoutLine::Kind::malformed, 0, std::move(what)};
}

}  // namespace

StdoutLine parse_stdout_line(std::string_view raw) {
  std::string_view line = trim(raw);
  if (take_word(line, "progress")) {
    std::size_t end = line.find_first_of(" \t");
    std::string_view number = line.substr(0, end);
    double value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || ptr != number.data() + number.size())
      return malformed("progress needs a number from 0 to 100, got \"" + std::string(number) +
                       "\"");
    if (!(value >= 0 && value <= 100))
      return malformed("progress " + std::string(number) + " is not within 0..100");
    std::string_view message = end == std::string_view::npos ? "" : trim(line.substr(end));
    return {StdoutLine::Kind::progress, value, std::string(message)};
  }
  if (take_word(line, "stage")) {
    if (line.empty()) return malformed("stage needs a name");
    return {StdoutLine::Kind::stage, 0, std::string(line)};
  }
  if (!line.empty()) {
    boost::system::error_code ec;
    boost::json::parse(line, ec);
    if (!ec) return {StdoutLine::Kind::json, 0, std::string(line)};
  }
  return {StdoutLine::Kind::text, 0, std::string(raw)};
}

}  // namespace jobq::cli
