"""Turning scanned notes into proposals: prompts, requests, answers, cost, orchestration."""
