"""Markdown quizzes: parse, take, score, export and analyse."""
