#include "cli/progress_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "cli/table.h"

namespace jobq::cli {
namespace {

constexpr int kBarCells = 30;

std::string percent(double progress) {
  int p = static_cast<int>(std::floor(std::clamp(progress, 0.0, 100.0)));
  std::string text = std::to_string(p) + "%";
  return std::string(4 - text.size(), ' ') + text;
}

std::string detail(const ProgressState& s) {
  if (s.stage.empty()) return s.message;
  if (s.message.empty()) return s.stage;
  return s.stage + ": " + s.message;
}

// Cuts UTF-8 text to at most `columns` code points, never inside a code point.
std::string cut(const std::string& text, std::size_t columns) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen == columns) return text.substr(0, i);
    ++seen;
  }
  return text;
}

// A message with a newline or a tab would break the one-line display.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

}  // namespace

std::string render_bar(const ProgressState& state, int width) {
  double p = std::clamp(state.progress, 0.0, 100.0);
  int filled = static_cast<int>(std::floor(p / 100.0 * kBarCells));
  std::string line = "[" + std::string(filled, '#') + std::string(kBarCells - filled, '.') + "] " +
                     percent(p) + "  " + state.status;
  if (std::string d = detail(state); !d.empty()) line += "  " + one_line(d);
  // The last column stays free: writing into it wraps some terminals, and then \r redraws the
  // wrong line.
  return cut(line, static_cast<std::size_t>(std::max(width - 1, 1)));
}

std::string render_plain(const ProgressState& state) {
  std::string line =
      state.status + " " +
      std::to_string(static_cast<int>(std::floor(std::clamp(state.progress, 0.0, 100.0)))) + "%";
  if (std::string d = detail(state); !d.empty()) line += " " + one_line(d);
  return line;
}

bool is_terminal(std::FILE* out) {
  return ::isatty(::fileno(out)) == 1;
}

int terminal_width(std::FILE* out) {
  winsize ws{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

ProgressView::ProgressView(std::FILE* out, bool terminal, int width)
    : out_(out), terminal_(terminal), width_(width) {}

void ProgressView::show(const ProgressState& state) {
  if (drawn_ && state == last_) return;
  if (terminal_) {
    // \r and "erase line", so a shorter line leaves no tail of the longer one before it.
    std::fprintf(out_, "\r\x1b[2K%s", render_bar(state, width_).c_str());
  } else {
    std::string line = render_plain(state);
    // Plain lines only for a change that shows: coalesced duplicates would add noise.
    if (!drawn_ || line != render_plain(last_)) std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  drawn_ = true;
  last_ = state;
}

void ProgressView::finish(const ProgressState& state) {
  show(state);
  if (terminal_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

}  // namespace jobq::cli
