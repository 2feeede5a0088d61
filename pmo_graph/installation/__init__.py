"""What is installed: the loaded plugins, their hooks and versions, and those skipped."""
