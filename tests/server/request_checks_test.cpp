#include "server/transport/request_checks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace jobq::server {
namespace {

std::string field_of(const std::optional<Reply>& r) {
  auto body = boost::json::parse(r->body);
  return std::string(body.at("error").at("details").at("field").as_string());
}

std::string header(const Reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

TEST(TransferEncoding, OnlyAloneChunkedIsFramed) {
  EXPECT_EQ(check_transfer_encoding(""), std::nullopt);
  EXPECT_EQ(check_transfer_encoding("chunked"), std::nullopt);
  EXPECT_EQ(check_transfer_encoding("Chunked"), std::nullopt);
  for (std::string_view te : {"xchunked", "identity", "gzip", "chunked, chunked", "gzip, chunked",
                              "chunked;q=1", "chunkedx"}) {
    auto r = check_transfer_encoding(te);
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->status, 400) << te;
    EXPECT_EQ(field_of(r), "Transfer-Encoding");
  }
}

TEST(JsonContentType, TakesApplicationJsonWithParametersInAnyCase) {
  EXPECT_EQ(check_json_content_type("application/json"), std::nullopt);
  EXPECT_EQ(check_json_content_type("Application/JSON; charset=utf-8"), std::nullopt);
  for (std::string_view ct : {"", "text/plain", "application/x-www-form-urlencoded",
                              "multipart/form-data; boundary=x", "application/jsonx"}) {
    auto r = check_json_content_type(ct);
    ASSERT_TRUE(r) << ct;
    EXPECT_EQ(r->status, 415) << ct;
    EXPECT_EQ(field_of(r), "Content-Type");
  }
}

TEST(WebSocketHandshake, NeedsAnUpgradeVersion13AndASixteenByteKey) {
  const std::string_view good_key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455's example
  EXPECT_EQ(check_websocket_handshake(true, "13", good_key), std::nullopt);

  auto no_upgrade = check_websocket_handshake(false, "13", good_key);
  ASSERT_TRUE(no_upgrade);
  EXPECT_EQ(no_upgrade->status, 426);
  EXPECT_EQ(header(*no_upgrade, "Upgrade"), "websocket");

  auto old = check_websocket_handshake(true, "8", good_key);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 426);
  EXPECT_EQ(header(*old, "Sec-WebSocket-Version"), "13");
  EXPECT_EQ(field_of(old), "Sec-WebSocket-Version");

  for (std::string_view key : {"", "abc", "AAAA", "dGhlIHNhbXBsZSBub25jZQ=!",
                               "dGhlIHNhbXBsZSBub25jZSE="}) {  // the last is 17 bytes
    auto r = check_websocket_handshake(true, "13", key);
    ASSERT_TRUE(r) << key;
    EXPECT_EQ(r->status, 400) << key;
    EXPECT_EQ(field_of(r), "Sec-WebSocket-Key");
  }
}

}  // namespace
}  // namespace jobq::server
