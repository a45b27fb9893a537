"""jobq.codec: every type a task's arguments and results may hold, to JSON and back by annotation, and
the refusal of anything else naming where it sits."""

import dataclasses
import datetime
import decimal
import enum
import json
import unittest
import uuid
from typing import Dict, List, Optional, Tuple

import pydantic

import support  # noqa: F401  (puts clients/python first on the path)
from jobq.codec import NotJsonable, from_json, to_json

UTC = datetime.timezone.utc


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1


@dataclasses.dataclass
class Window:
    start: datetime.datetime
    days: List[datetime.date]
    budget: Optional[decimal.Decimal] = None


class User(pydantic.BaseModel):
    id: int
    email: str
    joined: datetime.date


CASES = [  # (value, its JSON, the annotation that brings it back)
    (datetime.datetime(2026, 12, 3, 8, 30, 5, 123000, tzinfo=UTC), "2026-12-03T08:30:05.123000+00:00",
     datetime.datetime),
    (datetime.datetime(2026, 12, 3, 8, 30), "2026-12-03T08:30:00", datetime.datetime),
    (datetime.date(2026, 12, 3), "2026-12-03", datetime.date),
    (decimal.Decimal("12.50"), "12.50", decimal.Decimal),
    (uuid.UUID("0190b6f2-0000-7000-8000-000000000001"), "0190b6f2-0000-7000-8000-000000000001", uuid.UUID),
    (Color.BLUE, "blue", Color),
    (Level.LOW, 1, Level),
    (Window(datetime.datetime(2026, 1, 1, tzinfo=UTC), [datetime.date(2026, 1, 2)], decimal.Decimal("3")),
     {"start": "2026-01-01T00:00:00+00:00", "days": ["2026-01-02"], "budget": "3"}, Window),
    (User(id=7, email="a@b.c", joined=datetime.date(2025, 5, 1)),
     {"id": 7, "email": "a@b.c", "joined": "2025-05-01"}, User),
    ([uuid.UUID(int=1), uuid.UUID(int=2)], [str(uuid.UUID(int=1)), str(uuid.UUID(int=2))], List[uuid.UUID]),
    ({"a": Color.RED}, {"a": "red"}, Dict[str, Color]),
    ((1, datetime.date(2026, 1, 1)), [1, "2026-01-01"], Tuple[int, datetime.date]),
    (None, None, Optional[datetime.date]),
    (datetime.date(2026, 1, 1), "2026-01-01", Optional[datetime.date]),
    ({"nested": [1, 2.5, "x", True, None]}, {"nested": [1, 2.5, "x", True, None]}, dict),
]


class BothWays(unittest.TestCase):
    def test_each_type_becomes_json_and_comes_back_from_its_annotation(self):
        for value, wire, annotation in CASES:
            with self.subTest(value=value):
                encoded = to_json(value)
                self.assertEqual(encoded, wire)
                through = json.loads(json.dumps(encoded))
                back = from_json(through, annotation)
                self.assertEqual(back, value)
                self.assertIs(type(back), type(value))
        self.assertEqual(len(CASES), 15)

    def test_a_server_time_with_z_reads_as_an_aware_datetime(self):
        self.assertEqual(from_json("2026-12-03T08:30:05.123Z", datetime.datetime),
                         datetime.datetime(2026, 12, 3, 8, 30, 5, 123000, tzinfo=UTC))

    def test_without_an_annotation_the_plain_json_value_is_given(self):
        self.assertEqual(from_json("2026-12-03", None), "2026-12-03")

    def test_a_value_that_does_not_fit_its_annotation_is_named(self):
        with self.assertRaisesRegex(ValueError, r"^when: 'soon' is not a datetime"):
            from_json("soon", datetime.datetime, "when")


class Refused(unittest.TestCase):
    def test_an_object_is_refused_naming_its_place(self):
        with self.assertRaises(NotJsonable) as caught:
            to_json({"users": [1, object()]}, "batch")
        self.assertEqual(caught.exception.where, "batch['users'][1]")
        self.assertIn("object is not JSON", str(caught.exception))

    def test_sets_bytes_nan_and_non_string_keys_are_refused(self):
        for value, where in [({1, 2}, "v"), (b"raw", "v"), (float("nan"), "v"), ({1: "a"}, "v[1]"),
                             (decimal.Decimal("Infinity"), "v")]:
            with self.subTest(value=value), self.assertRaises(NotJsonable) as caught:
                to_json(value, "v")
            self.assertEqual(caught.exception.where, where)


if __name__ == "__main__":
    unittest.main()
