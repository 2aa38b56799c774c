"""What instructors take away from the gradebook: exports (and reports, feedback, similarity)."""
