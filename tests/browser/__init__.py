"""Browser tests: Debian Chromium through Playwright against a live server."""
