"""The gradebook: every graded attempt of every student, in one SQLite database.

``Gradebook`` is the one API: ``record`` writes a graded submission in one transaction;
``current``, ``history``, ``checks``, ``results``, ``roster``, ``unmatched`` and ``missing``
read it back for the instructor commands (grade, export, report, feedback, ...); ``standings``,
``standing_results``, ``deadline``, ``extend``, ``adjust`` and ``drop_check`` are assignments' lateness,
extensions and adjustments (the SQL views ``current_results`` and ``check_results`` hold the arithmetic).
"""

from grader.gradebook.batch import BatchError, BatchPlan, Planned, choose_seed, plan_batch
from grader.gradebook.hashing import checks_hash, content_hash
from grader.gradebook.roster import Roster, RosterError, load_roster
from grader.gradebook.rows import (EXERCISE_STATUSES, Adjustment, Attempt, CheckRow, DroppedCheck, GradebookError,
                                   NewAttempt, QuizAttempt, Standing, Student)
from grader.gradebook.schema import SCHEMA_VERSION
from grader.gradebook.store import Gradebook, exercise_outcomes

DEFAULT_PATH = ".grader/gradebook.db"   # relative to the course folder

__all__ = ["DEFAULT_PATH", "EXERCISE_STATUSES", "SCHEMA_VERSION", "Adjustment", "Attempt", "DroppedCheck", "Standing",
           "exercise_outcomes", "BatchError", "BatchPlan", "CheckRow", "Gradebook",
           "GradebookError", "NewAttempt", "Planned", "QuizAttempt", "Roster", "RosterError", "Student", "checks_hash",
           "choose_seed", "content_hash", "load_roster", "plan_batch"]
