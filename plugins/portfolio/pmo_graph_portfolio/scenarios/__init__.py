"""What-if reallocation: scenarios of budget moves, staff moves and shifted projects, their
impact computed without writing, and applying them all at once or not at all."""
