"""Every change to a story: workflow.py (writing, review, publishing, taking down, the
schedule) and withdrawal.py (what a change of consent does to published stories)."""
