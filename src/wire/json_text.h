// JSON written straight to text, for the answers on the hot paths (jobs leased, submitted,
// acknowledged): building a boost::json value only to serialise it cost more than the request's
// own work. The writer puts the commas; the caller keeps keys and values in turn.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jobq {

// Whether a double is written as an integer (50, not 5E1): whole, and within a double's exact
// integers. The one rule for the text writer and for number_to_json.
bool writes_as_integer(double x);

class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  JsonText& begin_object() { return open('{'); }
  JsonText& end_object() { return close('}'); }
  JsonText& begin_array() { return open('['); }
  JsonText& end_array() { return close(']'); }
  // A name of our own (a field of the API), written as it is: it needs no escaping.
  JsonText& key(std::string_view name);

  JsonText& string(std::string_view s);
  JsonText& string_or_null(std::string_view s);  // "" as null
  JsonText& integer(std::int64_t n);
  // Whole numbers as integers (50, not 5E1); a non-finite one, which JSON cannot hold, as null.
  JsonText& number(double x);
  JsonText& boolean(bool b);
  JsonText& null();
  // Text that is JSON already (a stored payload or result); "" as null.
  JsonText& raw(std::string_view json);

 private:
  void separate();
  JsonText& open(char bracket);
  JsonText& close(char bracket);

  std::string& out_;
  bool comma_ = false;  // a value was written in the open object or array
};

}  // namespace jobq
