"""The partner panel and the organization screen."""
