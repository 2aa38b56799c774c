"""Auto-graded exercises and quizzes for a deep-learning course."""

__version__ = "0.1.0"
