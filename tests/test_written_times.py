"""How the pages write an instant (`http_api.pages.words.moment`): the day and month in words, in the
city's time whatever zone the instant comes in."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.models import Language
from http_api.pages.words import moment


def test_an_instant_reads_as_a_written_day_and_the_city_time() -> None:
    instant = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # 10:30 in Bucharest (UTC+2 in winter)
    assert moment(instant, Language.RO, "Europe/Bucharest") == "joi, 3 decembrie 2026, 10:30"
    assert moment(instant, Language.EN, "Europe/Bucharest") == "Thursday, 3 December 2026, 10:30"
    summer = datetime(2026, 7, 31, 21, 5, tzinfo=UTC)  # already Saturday in Bucharest (UTC+3)
    assert moment(summer, Language.RO, "Europe/Bucharest") == "sâmbătă, 1 august 2026, 00:05"
