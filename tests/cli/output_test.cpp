// The CLI's pure parts: tables, the progress display, the child's stdout protocol, payload input,
// job flags, limits as text.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/job_flags.h"
#include "cli/output.h"
#include "cli/payload_input.h"
#include "cli/progress_view.h"
#include "cli/stdout_protocol.h"
#include "cli/table.h"

namespace jobq::cli {
namespace {

TEST(Table, ColumnsLineUpWhateverTheWidthOfTheCells) {
  Table t({"ID", "STATUS", "PRI"});
  t.align_right(2);
  t.add_row({"a", "running", "5"});
  t.add_row({"long-id", "q", "100"});
  EXPECT_EQ(t.render(),
            "ID       STATUS   PRI\n"
            "a        running    5\n"
            "long-id  q        100\n");
}

TEST(Table, WidthCountsCharactersNotBytes) {
  Table t({"NAME", "X"});
  t.add_row({"żółw", "1"});
  t.add_row({"abcdef", "2"});
  EXPECT_EQ(t.render(), "NAME    X\nżółw    1\nabcdef  2\n");
}

TEST(ProgressView, BarShowsPercentStageAndMessage) {
  ProgressState s{"running", 40, "rendering", "frame 2"};
  EXPECT_EQ(render_bar(s, 120),
            "[############..................]  40%  running  rendering: frame 2");
  EXPECT_EQ(render_plain(s), "running 40% rendering: frame 2");
}

TEST(ProgressView, BarIsCutToTheTerminalWidthWithOneColumnFree) {
  ProgressState s{"running", 100, "", std::string(200, 'm')};
  EXPECT_EQ(display_width(render_bar(s, 60)), 59u);
}

TEST(ProgressView, PlainLinesOnlyForChangesAndNoControlCodes) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  ProgressView view(out, false, 80);
  view.show({"queued", 0, "", ""});
  view.show({"queued", 0, "", ""});
  view.show({"running", 10, "load", ""});
  view.finish({"completed", 100, "load", ""});
  std::fclose(out);
  EXPECT_EQ(std::string(buf, size), "queued 0%\nrunning 10% load\ncompleted 100% load\n");
  std::free(buf);
}

TEST(ProgressView, TerminalRedrawsOneLineInPlace) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  ProgressView view(out, true, 80);
  view.show({"running", 50, "", ""});
  view.finish({"completed", 100, "", ""});
  std::fclose(out);
  std::string text(buf, size);
  std::free(buf);
  EXPECT_EQ(text,
            "\r\x1b[2K[###############...............]  50%  running"
            "\r\x1b[2K[##############################] 100%  completed\n");
}

TEST(StdoutProtocol, ProgressStageJsonAndText) {
  auto p = parse_stdout_line("progress 42.5 almost half");
  EXPECT_EQ(p.kind, StdoutLine::Kind::progress);
  EXPECT_EQ(p.progress, 42.5);
  EXPECT_EQ(p.text, "almost half");
  EXPECT_EQ(parse_stdout_line("progress 7").text, "");
  auto s = parse_stdout_line("stage  encoding ");
  EXPECT_EQ(s.kind, StdoutLine::Kind::stage);
  EXPECT_EQ(s.text, "encoding");
  EXPECT_EQ(parse_stdout_line(R"({"ok": true})").kind, StdoutLine::Kind::json);
  EXPECT_EQ(parse_stdout_line("42").kind, StdoutLine::Kind::json);
  EXPECT_EQ(parse_stdout_line("progressive rock").kind, StdoutLine::Kind::text);
  EXPECT_EQ(parse_stdout_line("hello").kind, StdoutLine::Kind::text);
}

TEST(StdoutProtocol, MalformedProgressSaysWhy) {
  EXPECT_EQ(parse_stdout_line("progress lots").kind, StdoutLine::Kind::malformed);
  auto over = parse_stdout_line("progress 101");
  EXPECT_EQ(over.kind, StdoutLine::Kind::malformed);
  EXPECT_NE(over.text.find("0..100"), std::string::npos);
  EXPECT_EQ(parse_stdout_line("stage").kind, StdoutLine::Kind::malformed);
}

TEST(PayloadInput, ArgumentStdinAndDefault) {
  std::istringstream in(R"({"from":"stdin"})");
  EXPECT_EQ(*read_payload(std::nullopt, in), "null");
  EXPECT_EQ(*read_payload(std::string(R"([1,2])"), in), "[1,2]");
  EXPECT_EQ(*read_payload(std::string("-"), in), R"({"from":"stdin"})");
}

TEST(PayloadInput, InvalidJsonAndMissingFileNameThePayload) {
  std::istringstream in;
  auto bad = read_payload(std::string("hello"), in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field(), "payload");
  auto missing = read_payload(std::string("@/nonexistent/payload.json"), in);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("/nonexistent/payload.json"), std::string::npos);
}

TEST(JobFlags, DurationsAndPriorityAliases) {
  EXPECT_EQ(*parse_duration("1500", "--timeout"), 1500);
  EXPECT_EQ(*parse_duration("2s", "--timeout"), 2000);
  EXPECT_EQ(*parse_duration("1.5m", "--timeout"), 90'000);
  EXPECT_EQ(*parse_duration("7d", "--result-ttl"), 7LL * 86'400'000);
  EXPECT_FALSE(parse_duration("soon", "--timeout").ok());
  EXPECT_FALSE(parse_duration("5 s", "--timeout").ok());
  JobFlags f;
  f.priority = "high";
  EXPECT_EQ(f.to_spec("t", "null")->priority, 80);
  f.priority = "urgent";
  auto bad = f.to_spec("t", "null");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field(), "--priority");
  JobFlags ttl;
  ttl.result_ttl = "1h";
  EXPECT_EQ(ttl.to_spec("t", "null")->result_ttl_ms, 3'600'000);
  ttl.result_ttl = "forever";
  EXPECT_EQ(ttl.to_spec("t", "null").error().field(), "--result-ttl");
}

TEST(JobFlags, RatesAreCountSlashPeriod) {
  EXPECT_EQ(*parse_rate("10/1s", "--rate"), (Rate{10, 1'000}));
  EXPECT_EQ(*parse_rate("5/500ms", "--rate"), (Rate{5, 500}));
  EXPECT_EQ(*parse_rate("100/1h", "--rate"), (Rate{100, 3'600'000}));
  EXPECT_EQ(*parse_rate("3/250", "--rate"), (Rate{3, 250}));
  for (const char* bad : {"10", "10/", "/1s", "ten/1s", "10/soon", "1.5/1s", "10 /1s"}) {
    auto r = parse_rate(bad, "--rate");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field(), "--rate");
  }
}

TEST(Output, LimitsAsText) {
  EXPECT_EQ(max_running_text(0), "-");
  EXPECT_EQ(max_running_text(5), "5");
  EXPECT_EQ(rate_text({}), "-");
  EXPECT_EQ(rate_text({10, 60'000}), "10/1m");
  EXPECT_EQ(rate_text({10, 90'000}), "10/90s");
  EXPECT_EQ(rate_text({3, 1'500}), "3/1500ms");
  EXPECT_EQ(rate_text({1, 2 * 86'400'000}), "1/2d");
  EXPECT_EQ(rate_text({7, 7'200'000}), "7/2h");
}

TEST(Output, DurationsInTheLargestUnitThatDividesThem) {
  EXPECT_EQ(duration_text(7 * 86'400'000LL), "7d");
  EXPECT_EQ(duration_text(90'000), "90s");
  EXPECT_EQ(duration_text(1'500), "1500ms");
  EXPECT_EQ(duration_text(0), "0ms");
}

}  // namespace
}  // namespace jobq::cli
