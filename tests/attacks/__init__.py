"""Attack suite (issue 10): each module attacks one class of weakness several ways and
asserts the exact outcome (refused with which message, which exit code, inert, absent)."""
