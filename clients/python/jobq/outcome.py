"""What a handler's return or exception means for its job: the outcome the worker sends, and the one
eager mode applies. One mapping, so a task runs the same on a worker and in a test."""

import json
import traceback
from typing import Any, Callable, Dict, Tuple

from .errors import JobCancelled, PermanentFailure, Retry

Outcome = Tuple[str, Dict[str, Any]]  # ("complete", {result}) or ("fail", {error, traceback, retryable, ...})


def outcome_of(call: Callable[[], Any]) -> Outcome:
    """Runs call(); -> ("complete", {"result"}) or ("fail", {"error", "traceback", "retryable"}, plus
    "retry_in_ms" and "count_attempt" when a Retry asked for them)."""
    try:
        result = call()
    except JobCancelled as e:
        return "fail", {"error": f"cancelled: {e}", "traceback": None, "retryable": False}
    except PermanentFailure as e:
        return "fail", {"error": describe(e), "traceback": traceback.format_exc(), "retryable": False}
    except Retry as e:
        fields: Dict[str, Any] = {"error": describe(e), "traceback": None, "retryable": True}
        if e.after is not None:
            fields["retry_in_ms"] = int(round(e.after * 1000))
        if not e.count_attempt:
            fields["count_attempt"] = False
        return "fail", fields
    except Exception as e:
        return "fail", {"error": describe(e), "traceback": traceback.format_exc(), "retryable": True}
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as e:
        return "fail", {"error": f"the handler's result is not JSON: {e}", "traceback": None,
                        "retryable": False}
    return "complete", {"result": result}


def describe(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__
