"""Machinery of the from-logits course: out-of-kernel grading, demo, samples."""
