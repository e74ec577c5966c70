"""Small articles shared by the CLI and file-layer tests."""

POLLUTED = (
    "# Title\n\nFirst paragraph here, long enough to count.\n\n"
    "Second paragraph, also quite long enough.\n---END---\n"
    "Second paragraph, also quite long enough.\n"
)
EXPECTED = (
    "# Title\n\nFirst paragraph here, long enough to count.\n\n"
    "Second paragraph, also quite long enough.\n"
)
