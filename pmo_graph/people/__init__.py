"""People: the staff an office reports on, assigns and coaches."""
