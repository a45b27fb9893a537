#include "wire/field_reader.h"

#include <boost/json.hpp>

#include "wire/json_values.h"

namespace jobq {

namespace json = boost::json;

FieldReader::FieldReader(const json::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)), seen_(object.size()) {}

json::object::const_iterator FieldReader::mark(std::string_view key) {
  auto it = object_.find(key);
  if (it != object_.end()) seen_[std::size_t(it - object_.begin())] = true;
  return it;
}

const json::value* FieldReader::find(std::string_view key) {
  auto it = mark(key);
  if (!status_.ok()) return nullptr;
  if (it == object_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

FieldReader& FieldReader::read(std::string_view key, std::string& into) {
  return read(key, into, as_string);
}

FieldReader& FieldReader::read(std::string_view key, std::int64_t& into) {
  return read(key, into, as_int);
}

FieldReader& FieldReader::read(std::string_view key, int& into) {
  std::int64_t n = into;
  read(key, n, as_int);
  if (status_.ok() && (n < INT32_MIN || n > INT32_MAX))
    status_ = Error::invalid(name(key), "out of range");
  into = int(n);
  return *this;
}

FieldReader& FieldReader::read(std::string_view key, bool& into) {
  return read(key, into, as_bool);
}

FieldReader& FieldReader::read(std::string_view key, double& into) {
  return read(key, into, as_number);
}

FieldReader& FieldReader::read(std::string_view key, std::vector<std::string>& into) {
  return read(key, into, as_strings);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<double>& into) {
  return read(key, into, as_number);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<std::int64_t>& into) {
  return read(key, into, as_int);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<std::string>& into) {
  return read(key, into, as_string);
}

FieldReader& FieldReader::read_time(std::string_view key, Millis& into) {
  return read(key, into, as_time);
}

FieldReader& FieldReader::read_time(std::string_view key, std::optional<Millis>& into) {
  return read(key, into, as_time);
}

FieldReader& FieldReader::read_json(std::string_view key, std::string& into) {
  if (const json::value* v = find(key)) into = json::serialize(*v);
  return *this;
}

FieldReader& FieldReader::require(std::string_view key) {
  mark(key);
  if (status_.ok() && !has(key)) status_ = Error::invalid(name(key), "is required");
  return *this;
}

FieldReader& FieldReader::check(bool ok, std::string_view key, std::string_view message) {
  if (status_.ok() && !ok) status_ = Error::invalid(name(key), std::string(message));
  return *this;
}

bool FieldReader::has(std::string_view key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->value().is_null();
}

Status FieldReader::finish() {
  if (!status_.ok()) return status_;
  for (std::size_t i = 0; i < seen_.size(); ++i)
    if (!seen_[i]) return Error::invalid(name(object_.begin()[i].key()), "unknown field");
  return {};
}

}  // namespace jobq
