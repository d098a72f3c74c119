"""Event contracts and the CloudEvents envelope shared by every service."""
