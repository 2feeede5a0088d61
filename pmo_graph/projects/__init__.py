"""Projects: the unit of change every tier reports on."""
