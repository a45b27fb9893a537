#include "server/request/field_reader.h"

#include <boost/json.hpp>

#include "core/job_spec.h"
#include "core/json_fields.h"

namespace jobq::server {

namespace json = boost::json;

Result<json::object> body_object(const Call& call) {
  if (call.body.empty()) return json::object{};
  auto v = parse_json(call.body, "body");
  if (!v) return v.error();
  if (!v->is_object()) return Error::invalid("body", "must be a JSON object");
  return std::move(v->get_object());
}

FieldReader::FieldReader(const json::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

const json::value* FieldReader::find(std::string_view key) {
  seen_.emplace(key);
  if (!status_.ok()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

template <class T, class Parse>
FieldReader& FieldReader::read_with(std::string_view key, T& into, Parse parse) {
  if (const json::value* v = find(key)) {
    auto r = parse(*v, name(key));
    if (r)
      into = std::move(*r);
    else
      status_ = r.error();
  }
  return *this;
}

FieldReader& FieldReader::read(std::string_view key, std::string& into) {
  return read_with(key, into, as_string);
}

FieldReader& FieldReader::read(std::string_view key, std::int64_t& into) {
  return read_with(key, into, as_int);
}

FieldReader& FieldReader::read(std::string_view key, int& into) {
  std::int64_t n = into;
  read_with(key, n, as_int);
  if (status_.ok() && (n < INT32_MIN || n > INT32_MAX))
    status_ = Error::invalid(name(key), "out of range");
  into = int(n);
  return *this;
}

FieldReader& FieldReader::read(std::string_view key, bool& into) {
  return read_with(key, into, as_bool);
}

FieldReader& FieldReader::read(std::string_view key, std::vector<std::string>& into) {
  return read_with(key, into, as_strings);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<double>& into) {
  return read_with(key, into, as_number);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<std::int64_t>& into) {
  return read_with(key, into, as_int);
}

FieldReader& FieldReader::read(std::string_view key, std::optional<std::string>& into) {
  return read_with(key, into, as_string);
}

FieldReader& FieldReader::read_time(std::string_view key, std::optional<Millis>& into) {
  return read_with(key, into, as_time);
}

FieldReader& FieldReader::read_json(std::string_view key, std::string& into) {
  if (const json::value* v = find(key)) into = json::serialize(*v);
  return *this;
}

FieldReader& FieldReader::require(std::string_view key) {
  seen_.emplace(key);
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
  for (const auto& item : object_)
    if (!seen_.contains(std::string_view(item.key())))
      return Error::invalid(name(item.key()), "unknown field");
  return {};
}

Result<bool> read_ids_only(const boost::json::object& body) {
  const boost::json::value* v = body.if_contains("answer");
  if (!v || v->is_null()) return false;
  if (v->is_string() && v->get_string() == "jobs") return false;
  if (v->is_string() && v->get_string() == "ids") return true;
  return Error::invalid("answer", "must be \"jobs\" or \"ids\"");
}

}  // namespace jobq::server
