// The only translation unit that instantiates Boost.JSON's basic_parser: json::parse builds values
// with the same value_stack, but has no way to see a key twice.
#include "wire/strict_json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <string>
#include <vector>

namespace jobq {

namespace json = boost::json;

namespace {

// Builds the value as json::parser does, and keeps the keys of each open object to compare them
// when it closes: sorting then costs n log n, where checking each new key would cost n squared.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  // A value read from a request or an answer is decoded and dropped: a monotonic arena makes its
  // many small allocations cheap and frees them at once (in a worker, half its time was malloc
  // and free of parsed answers).
  StrictHandler() { values_.reset(json::make_shared_resource<json::monotonic_resource>()); }

  json::value release() { return values_.release(); }
  const std::string& duplicate() const { return duplicate_; }
  bool out_of_range() const { return out_of_range_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    values_.push_array(n);
    return true;
  }
  bool on_object_begin(json::error_code&) {
    starts_.push_back(keys_.size());
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code& ec) {
    auto first = keys_.begin() + std::ptrdiff_t(starts_.back());
    std::sort(first, keys_.end());
    if (auto twice = std::adjacent_find(first, keys_.end()); twice != keys_.end()) {
      duplicate_ = *twice;
      ec = json::error::syntax;  // parse_json reports it by its key
      return false;
    }
    keys_.erase(first, keys_.end());
    starts_.pop_back();
    values_.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    values_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    values_.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    values_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    keys_.push_back(std::move(key_));
    key_.clear();
    values_.push_key(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    values_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    values_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (!std::isfinite(d)) {  // 1e999: Boost.JSON reads infinity, and would write "Infinity"
      out_of_range_ = true;
      ec = json::error::syntax;
      return false;
    }
    values_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    values_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    values_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  json::value_stack values_;
  std::vector<std::string> keys_;    // of the open objects, innermost last
  std::vector<std::size_t> starts_;  // where each open object's keys begin in keys_
  std::string key_;                  // a key arriving in parts
  std::string duplicate_;
  bool out_of_range_ = false;
};

}  // namespace

Result<json::value> parse_json(std::string_view text, std::string_view field,
                               std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<StrictHandler> parser(options);
  json::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!parser.handler().duplicate().empty())
    return Error::invalid(
        parser.handler().duplicate(),
        "the key \"" + parser.handler().duplicate() + "\" is given twice in one object");
  if (parser.handler().out_of_range())
    return Error::invalid(std::string(field),
                          "a number is beyond the range of a double (about 1.8e308)");
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) return Error::invalid(std::string(field), "malformed JSON: " + ec.message());
  return parser.handler().release();
}

}  // namespace jobq
