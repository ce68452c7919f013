"""Scoring a submission with pytest graders that see the student's work only as data."""
