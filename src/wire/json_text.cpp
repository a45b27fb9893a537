#include "wire/json_text.h"

#include <charconv>
#include <cmath>

namespace jobq {

void JsonText::separate() {
  if (comma_) out_ += ',';
}

JsonText& JsonText::open(char bracket) {
  separate();
  out_ += bracket;
  comma_ = false;
  return *this;
}

JsonText& JsonText::close(char bracket) {
  out_ += bracket;
  comma_ = true;
  return *this;
}

JsonText& JsonText::key(std::string_view name) {
  separate();
  out_ += '"';
  out_ += name;
  out_ += "\":";
  comma_ = false;
  return *this;
}

JsonText& JsonText::string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  separate();
  out_ += '"';
  // Runs of plain characters are copied whole; only a quote, a backslash or a control character
  // is written escaped.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        out_ += "\\u00";
        out_ += hex[c >> 4];
        out_ += hex[c & 0xf];
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
  comma_ = true;
  return *this;
}

JsonText& JsonText::string_or_null(std::string_view s) {
  return s.empty() ? null() : string(s);
}

JsonText& JsonText::integer(std::int64_t n) {
  separate();
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out_.append(buf, end);
  comma_ = true;
  return *this;
}

bool writes_as_integer(double x) {
  return std::isfinite(x) && x == std::floor(x) && std::abs(x) < 9e15;
}

JsonText& JsonText::number(double x) {
  if (!std::isfinite(x)) return null();
  if (writes_as_integer(x)) return integer(std::int64_t(x));
  separate();
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;  // the shortest text that reads back
  out_.append(buf, end);
  comma_ = true;
  return *this;
}

JsonText& JsonText::boolean(bool b) {
  separate();
  out_ += b ? "true" : "false";
  comma_ = true;
  return *this;
}

JsonText& JsonText::null() {
  separate();
  out_ += "null";
  comma_ = true;
  return *this;
}

JsonText& JsonText::raw(std::string_view json) {
  if (json.empty()) return null();
  separate();
  out_ += json;
  comma_ = true;
  return *this;
}

}  // namespace jobq
