// Reads a JSON request body field by field. The first problem is kept and names its field;
// finish() also refuses fields nobody asked for, so a typo is an error rather than ignored.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"
#include "server/request/call.h"

namespace jobq::server {

// The body as a JSON object; an empty body is an empty object.
Result<boost::json::object> body_object(const Call& call);

// The optional "answer" field of a batch call: "jobs" (the default) answers with each whole job,
// "ids" with its id alone, which is all a bulk producer or a busy worker needs. -> ids alone?
Result<bool> read_ids_only(const boost::json::object& body);

class FieldReader {
 public:
  // `prefix` is put before field names in errors, e.g. "complete[2]."
  explicit FieldReader(const boost::json::object& object, std::string prefix = {});

  // Absent fields (or null) leave `into` unchanged.
  FieldReader& read(std::string_view key, std::string& into);
  FieldReader& read(std::string_view key, std::int64_t& into);
  FieldReader& read(std::string_view key, int& into);
  FieldReader& read(std::string_view key, bool& into);
  FieldReader& read(std::string_view key, std::vector<std::string>& into);
  FieldReader& read(std::string_view key, std::optional<double>& into);
  FieldReader& read(std::string_view key, std::optional<std::int64_t>& into);
  FieldReader& read(std::string_view key, std::optional<std::string>& into);
  FieldReader& read_time(std::string_view key, std::optional<Millis>& into);
  // The raw JSON value as text (results, payloads).
  FieldReader& read_json(std::string_view key, std::string& into);
  FieldReader& require(std::string_view key);
  FieldReader& check(bool ok, std::string_view key, std::string_view message);

  bool has(std::string_view key) const;
  // The first problem, or ok; includes unknown fields.
  Status finish();

 private:
  const boost::json::value* find(std::string_view key);
  template <class T, class Parse>
  FieldReader& read_with(std::string_view key, T& into, Parse parse);
  std::string name(std::string_view key) const { return prefix_ + std::string(key); }

  const boost::json::object& object_;
  std::string prefix_;
  std::set<std::string, std::less<>> seen_;
  Status status_;
};

}  // namespace jobq::server
