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
  string(name);
  out_ += ':';
  comma_ = false;
  return *this;
}

JsonText& JsonText::string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  separate();
  out_ += '"';
  for (char c : s) {
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
        if (static_cast<unsigned char>(c) < 0x20) {
          out_ += "\\u00";
          out_ += hex[(c >> 4) & 0xf];
          out_ += hex[c & 0xf];
        } else {
          out_ += c;
        }
    }
  }
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

JsonText& JsonText::number(double x) {
  if (!std::isfinite(x)) return null();
  if (x == std::floor(x) && std::abs(x) < 9e15) return integer(std::int64_t(x));
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
