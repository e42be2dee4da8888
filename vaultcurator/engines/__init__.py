"""Ways to get answers: Anthropic sync / realtime / batch, and the offline local curator."""
