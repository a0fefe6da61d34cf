"""Every write of the operators' FAQ: asking, answering, reviewing, voting, designating experts; the categories.

Keyword-only, one transaction each, domain errors in the user's language. Import from here
(``from faq import services``).
"""

from .questions import (
    can_answer,
    expert_designate,
    expert_remove,
    question_answer,
    question_ask,
    question_review,
    vote_cast,
)
from .reference import CATEGORIES, categories_seed

__all__ = [
    "CATEGORIES",
    "can_answer",
    "categories_seed",
    "expert_designate",
    "expert_remove",
    "question_answer",
    "question_ask",
    "question_review",
    "vote_cast",
]
