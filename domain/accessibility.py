"""Accessibility feedback (issue 12): what the statement's form takes, and what the workflow that
emails it to the city and the purge that erases it pass around.

The Temporal side carries the feedback's row id and nothing else, so no name, address or message of
a citizen ever reaches a workflow history: the activity reads the row from the app database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import EmailStr, Field

from domain.models import Language, Model

FEEDBACK_WORKFLOW: Final = "AccessibilityFeedback"
SEND_FEEDBACK: Final = "send_accessibility_feedback"
ERASE_OLD_FEEDBACK: Final = "erase_old_accessibility_feedback"


def feedback_workflow_id(feedback_id: int) -> str:
    return f"accesibilitate-{feedback_id}"


class FeedbackForm(Model):
    """The form on `/accesibilitate`. Only the email and the message are required: the city must be
    able to answer (Implementing Decision (EU) 2018/1523, the feedback mechanism), and a name is not
    needed for that."""

    name: str = Field(default="", max_length=120)
    email: EmailStr = Field(max_length=200)
    page: str = Field(default="", max_length=300, description="which page or document is the problem")
    message: str = Field(min_length=10, max_length=4000)
    language: Language = Language.RO


class FeedbackDelivery(Model):
    """The workflow's input: the stored feedback, by id only."""

    feedback_id: int = Field(ge=1)


class FeedbackErasure(Model):
    """The purge's step: feedback received before `cutoff` loses its name, email and message."""

    cutoff: datetime
    at: datetime


class FeedbackErased(Model):
    erased: int = Field(ge=0)
