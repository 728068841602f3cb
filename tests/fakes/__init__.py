"""Loopback fakes of the chat platforms' APIs, driven by the real SDKs in integration tests."""
