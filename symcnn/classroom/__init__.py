"""The teacher's loop: question sheets, variants per student, answer keys, Moodle quizzes, grading."""
