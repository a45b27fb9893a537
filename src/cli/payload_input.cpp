#include "cli/payload_input.h"

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace jobq::cli {

Result<std::string> read_file(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid(field, "cannot open " + path + ": " + std::strerror(errno));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Error::invalid(field, "cannot read " + path + ": " + std::strerror(errno));
  return text;
}

Result<std::string> read_payload(const std::optional<std::string>& argument, std::istream& stdin) {
  if (!argument) return std::string("null");
  std::string text;
  std::string source = "the argument";
  if (*argument == "-" || *argument == "@-") {
    std::ostringstream all;
    all << stdin.rdbuf();
    text = all.str();
    source = "stdin";
  } else if (argument->starts_with("@")) {
    auto file = read_file(argument->substr(1), "payload");
    if (!file) return file.error();
    text = std::move(*file);
    source = argument->substr(1);
  } else {
    text = *argument;
  }
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  if (ec)
    return Error::invalid("payload", "from " + source + " is not valid JSON (" + ec.message() +
                                         "); a string needs its quotes, as in '\"text\"'");
  return text;
}

}  // namespace jobq::cli
