// How `jobq submit --wait` shows a running job: a bar redrawn in place on a terminal, plain lines
// (one per change) anywhere else, so logs and pipes get readable text without control codes.
#pragma once

#include <cstdio>
#include <string>

namespace jobq::cli {

struct ProgressState {
  std::string status;  // queued, running, ...
  double progress = 0;
  std::string stage;
  std::string message;
  bool operator==(const ProgressState&) const = default;
};

// "[#####...............]  25%  running  rendering: frame 3", cut to `width` columns.
std::string render_bar(const ProgressState& state, int width);
// "running 25% rendering: frame 3"
std::string render_plain(const ProgressState& state);

bool is_terminal(std::FILE* out);
// The terminal's width, else $COLUMNS, else 80.
int terminal_width(std::FILE* out);

class ProgressView {
 public:
  ProgressView(std::FILE* out, bool terminal, int width);

  // Draws the state if it differs from the last one drawn.
  void show(const ProgressState& state);
  // Draws the last state and ends the bar's line, so what follows starts on a fresh line.
  void finish(const ProgressState& state);

 private:
  std::FILE* out_;
  bool terminal_;
  int width_;
  bool drawn_ = false;
  ProgressState last_;
};

}  // namespace jobq::cli
