"""Attack suite: hostile copies of the course book, one module per attack class."""
