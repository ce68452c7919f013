"""nbgrader exchange steps, changed where they would trust a student's files or a student's word."""

from course_kit.exchange.collect import CollectWithoutFollowingLinks
from course_kit.exchange.refusals import Refusal, read_refusals, refusals_path
from course_kit.exchange.vetted_collect import VettedCollect

__all__ = ["CollectWithoutFollowingLinks", "Refusal", "VettedCollect", "read_refusals", "refusals_path"]
