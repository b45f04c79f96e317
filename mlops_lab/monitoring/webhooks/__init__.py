"""Webhooks: where alerts are sent, signed, with every delivery logged and retried."""
