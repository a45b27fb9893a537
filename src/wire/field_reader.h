// Reads a JSON object field by field into typed values: the one reader for requests the server
// decodes and answers a client decodes. The first problem is kept and names its field. A request
// ends with finish(), which also refuses fields nobody asked for, so that a typo is an error rather
// than ignored; an answer ends with status(), so that a newer server may add fields.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"

namespace jobq {

class FieldReader {
 public:
  // `prefix` is put before field names in errors, e.g. "complete[2]."
  explicit FieldReader(const boost::json::object& object, std::string prefix = {});

  // Absent fields (or null) leave `into` unchanged.
  FieldReader& read(std::string_view key, std::string& into);
  FieldReader& read(std::string_view key, std::int64_t& into);
  FieldReader& read(std::string_view key, int& into);
  FieldReader& read(std::string_view key, bool& into);
  FieldReader& read(std::string_view key, double& into);
  FieldReader& read(std::string_view key, std::vector<std::string>& into);
  FieldReader& read(std::string_view key, std::optional<double>& into);
  FieldReader& read(std::string_view key, std::optional<std::int64_t>& into);
  FieldReader& read(std::string_view key, std::optional<std::string>& into);
  // RFC 3339 text, or milliseconds since the epoch.
  FieldReader& read_time(std::string_view key, Millis& into);
  FieldReader& read_time(std::string_view key, std::optional<Millis>& into);
  // The raw JSON value as text (results, payloads).
  FieldReader& read_json(std::string_view key, std::string& into);
  // Any other type, by `parse(value, field) -> Result<T>`.
  template <class T, class Parse>
  FieldReader& read(std::string_view key, T& into, Parse parse) {
    if (const boost::json::value* v = find(key)) {
      auto r = parse(*v, name(key));
      if (r)
        into = std::move(*r);
      else
        status_ = r.error();
    }
    return *this;
  }
  FieldReader& require(std::string_view key);
  FieldReader& check(bool ok, std::string_view key, std::string_view message);

  bool has(std::string_view key) const;
  // The first problem, or ok.
  Status status() const { return status_; }
  // The first problem, or ok; a field nobody read is one.
  Status finish();

 private:
  const boost::json::value* find(std::string_view key);
  // Finds `key` and notes it as read, present or not.
  boost::json::object::const_iterator mark(std::string_view key);
  std::string name(std::string_view key) const { return prefix_ + std::string(key); }

  const boost::json::object& object_;
  std::string prefix_;
  std::vector<bool> seen_;  // by position in the object: a field read, for finish()
  Status status_;
};

}  // namespace jobq
